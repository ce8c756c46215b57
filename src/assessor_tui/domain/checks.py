"""The checks every value of an edit passes, and the refusal they raise.

Text within the length limit, dates as ISO, levels on the criterion's scale (by id
or label), table cells and fields in their column's type: each check returns the
value as stored or raises ``EditRefused`` with a message that says what is allowed.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from assessor_tui.errors import AssessorError
from assessor_tui.frameworks.model import Scale

MAX_TEXT = 100_000


class EditRefused(AssessorError, ValueError):
    """An edit the framework or the visit's state does not allow; the message says why."""


def checked_text(value: str, what: str, *, required: bool = False) -> str:
    """Text as stored: a string within the limit, and not blank when ``required``."""
    if not isinstance(value, str):
        raise EditRefused(f"{what} must be text")
    if required and not value.strip():
        raise EditRefused(f"{what} is empty")
    if len(value) > MAX_TEXT:
        raise EditRefused(f"{what} is {len(value):,} characters; the limit is {MAX_TEXT:,}")
    return value


def checked_due(value: date | str | None) -> str | None:
    """A due date as stored (ISO), from a date or the text typed; "" or None clears it."""
    text = value.isoformat() if isinstance(value, date) else value
    return None if text is None or text == "" else checked_date(text, "due date")


def checked_date(value: object, what: str) -> str:
    """A date as stored (ISO), from what was typed."""
    text = str(value).strip()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise EditRefused(f"{what} must be a date (YYYY-MM-DD), not '{text}'") from None


def checked_level(scale: Scale, level: str | None, where: str) -> str | None:
    """A level by id, or by its label as printed (case does not matter)."""
    if level is None or scale.level(level) is not None:
        return level
    by_label = next((lv for lv in scale.levels if lv.label.casefold() == level.casefold()), None)
    if by_label is not None:
        return by_label.id
    allowed = ", ".join(lv.id for lv in scale.levels)
    raise EditRefused(f"level '{level}' is not on scale '{scale.id}' of {where} ({allowed})")


def checked_value(
    kind: str, value: Any, what: str, options: tuple[str, ...] = (), scale: Scale | None = None
) -> Any:
    """A cell or field value in its column's or field's type; "" clears it."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    try:
        if kind == "number":
            number = float(text)
            if not math.isfinite(number):  # "nan", "inf", "1e999": no JSON can store them
                raise ValueError(text)
            return int(number) if number.is_integer() else number
        if kind == "percent":
            number = float(text.removesuffix("%"))
            if not 0 <= number <= 100:
                raise EditRefused(f"{what} must be a percentage from 0 to 100, not {text}")
            return int(number) if number.is_integer() else number
        if kind == "date":
            return checked_date(text, what)
    except ValueError as exc:
        if isinstance(exc, EditRefused):
            raise
        expected = {"number": "a number", "percent": "a percentage", "date": "a date (YYYY-MM-DD)"}[
            kind
        ]
        raise EditRefused(f"{what} must be {expected}, not '{text}'") from None
    if kind == "boolean":
        lowered = text.lower()
        if lowered in ("yes", "true", "y", "1"):
            return True
        if lowered in ("no", "false", "n", "0"):
            return False
        raise EditRefused(f"{what} must be yes or no, not '{text}'")
    if kind == "choice" and text not in options:
        raise EditRefused(f"{what} must be one of {', '.join(options)}, not '{text}'")
    if kind == "level" and scale is not None:
        return checked_level(scale, text, what)
    return checked_text(text, what)

