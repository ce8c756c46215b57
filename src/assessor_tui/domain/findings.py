"""Findings: what a framework's rules say about a visit, for the TUI and reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["info", "warning", "problem"]


@dataclass(frozen=True, slots=True)
class Finding:
    """A computed statement such as "3 of 7 sectors: 5 needed".

    ``item_id`` names the criterion or item it is about (None: the whole visit);
    ``code`` is stable, so tests and reports can match on it.
    """

    code: str
    message: str
    severity: Severity = "info"
    item_id: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
            "item_id": self.item_id,
        }
