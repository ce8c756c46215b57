"""Checking what a hook answers against its spec, so a plugin that answers wrong fails like
one that raises, instead of failing whoever reads the answer later."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from assessor_tui.domain.findings import Finding


class WrongResult(Exception):
    """A hook answered with something its spec does not allow; the message says what."""

    def __init__(self, value: object, expected: str) -> None:
        super().__init__(f"{type(value).__name__}, not {expected}")


def items(value: object, expected: str) -> list[Any]:
    """A hook's iterable answer as a list; a generator's own errors raise here."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise WrongResult(value, expected)
    return list(value)


def findings(value: object) -> list[Finding]:
    """A list of Findings (a lone Finding is taken as a list of one)."""
    answer = [value] if isinstance(value, Finding) else items(value, "a list of Findings")
    wrong = next((f for f in answer if not isinstance(f, Finding)), None)
    if wrong is not None:
        raise WrongResult(wrong, "a Finding")
    return answer


def id_map(value: object) -> dict[str, str | None]:
    """A mapping of old item ids to new ones, or to None for an item that is gone."""
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in value.items()
    ):
        raise WrongResult(value, "a mapping of item ids")
    return dict(value)


RESULTS: dict[str, Callable[[Any], Any]] = {
    "evaluate_visit": findings,
    "check_record": findings,
    "report_sections": lambda value: items(value, "a list of report blocks"),
    "migrate_visit": id_map,
}
"""What each hook that answers must answer (beside None). Each report block is checked by
the report builder, so a draft record can say which plugin's block it left out."""


def checked(hook: str, result: object) -> object:
    """A hook's answer as the caller may use it; raises WrongResult when it is not allowed.
    None (the question is not the plugin's) and hooks without a check pass unchanged."""
    check = RESULTS.get(hook)
    return result if result is None or check is None else check(result)
