"""The workspace header: school and framework, the visit clock, coverage, save and sync;
and the words for a visit's sync state, which the visits list shows too."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

WARN_AT = (30, 10)
"""Minutes left at which the clock warns."""


def hm(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    return f"{minutes // 60}:{minutes % 60:02d}"


def clock_text(
    started: datetime | None, planned_minutes: int, now: datetime, ended: datetime | None = None
) -> tuple[str, int]:
    """The clock line and the minutes left (planned minutes until started)."""
    planned = timedelta(minutes=planned_minutes)
    if started is None:
        return f"Not started ({hm(planned)} planned)", planned_minutes
    if ended is not None:
        return f"Took {hm(ended - started)} of {hm(planned)}", 999
    elapsed = now - started
    left = planned - elapsed
    minutes_left = int(left.total_seconds() // 60)
    if minutes_left < 0:
        return f"{hm(elapsed)} in, {hm(-left)} over", minutes_left
    return f"{hm(elapsed)} in, {hm(left)} left", minutes_left


def sync_state(summary: dict[str, Any]) -> str:
    """Never colour alone: conflicts and refusals are said in words."""
    parts = []
    if summary.get("conflicts"):
        n = summary["conflicts"]
        parts.append(f"{n} conflict{'s' if n != 1 else ''}")
    if summary.get("rejected"):
        parts.append(f"{summary['rejected']} refused")
    if summary.get("pending_changes"):
        parts.append(f"{summary['pending_changes']} to sync")
    return ", ".join(parts) or "synced"


class VisitHeader(Widget):
    """Two lines that answer: where am I, how long is left, what is not done, is it saved;
    and a third, only when there is something to say: read-only and why, or the
    moderator's comment on a returned visit."""

    DEFAULT_CSS = """
    VisitHeader #vh-notice {
        height: auto;
        max-height: 3;
        text-style: bold;
        color: $warning;
    }
    """

    title: reactive[str] = reactive("")
    clock: reactive[str] = reactive("")
    coverage: reactive[str] = reactive("")
    save_state: reactive[str] = reactive("saved")
    sync_state: reactive[str] = reactive("")
    minutes_left: reactive[int] = reactive(999)
    notice: reactive[str] = reactive("")

    def compose(self) -> ComposeResult:
        yield Static(id="vh-title")
        with Horizontal(id="vh-status"):
            yield Static(id="vh-clock")
            yield Static(id="vh-coverage")
            yield Static(id="vh-save")
        yield Static(id="vh-notice", markup=False)

    def watch_title(self, value: str) -> None:
        self.query_one("#vh-title", Static).update(value)

    def watch_clock(self, value: str) -> None:
        self.query_one("#vh-clock", Static).update(value)

    def watch_coverage(self, value: str) -> None:
        self.query_one("#vh-coverage", Static).update(value)

    def _save_line(self) -> str:
        return " · ".join(p for p in (self.save_state, self.sync_state) if p)

    def watch_save_state(self) -> None:
        self.query_one("#vh-save", Static).update(self._save_line())
        self.set_class(self.save_state.startswith("NOT SAVED"), "-save-failed")

    def watch_sync_state(self) -> None:
        self.query_one("#vh-save", Static).update(self._save_line())

    def watch_notice(self, value: str) -> None:
        notice = self.query_one("#vh-notice", Static)
        notice.update(value)
        notice.display = bool(value)
        self.styles.height = "auto" if value else 2

    def watch_minutes_left(self, left: int) -> None:
        self.set_class(left <= WARN_AT[0], "-warn")
        self.set_class(left <= WARN_AT[1], "-urgent")
