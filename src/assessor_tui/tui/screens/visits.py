"""The visits table: filter as you type, open, create, archive.

The screens it opens are imported when first wanted (the workspace's in the background by
``_warm_up``), so the list paints before their modules load: tests/tui/test_cold_start.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from assessor_tui.session import visit_rows
from assessor_tui.tui.failures import tell_failure
from assessor_tui.tui.screens.confirm import ConfirmScreen
from assessor_tui.tui.widgets.visit_header import sync_state

if TYPE_CHECKING:
    from assessor_tui.tui.state import AppState

STATUS = {
    "planned": "planned",
    "in_progress": "in progress",
    "submitted": "submitted",
    "returned": "returned",
    "accepted": "accepted",
}


class VisitsScreen(Screen[None]):
    app: AppState
    BINDINGS = [
        Binding("n", "new", "New visit", id="visits.new", tooltip="Create a visit"),
        Binding("enter", "open", "Open", id="visits.open", tooltip="Open the visit"),
        Binding(
            "d",
            "archive",
            "Archive",
            id="visits.archive",
            tooltip="Hide the visit from this list (it stays in the store)",
        ),
        Binding(
            "slash",
            "filter",
            "Filter",
            id="visits.filter",
            tooltip="Filter by school, framework or status",
        ),
        Binding(
            "S", "sync", "Sync", id="visits.sync", tooltip="Sync with the server; settle conflicts"
        ),
        Binding(
            "R",
            "review",
            "Review",
            id="visits.review",
            tooltip="Moderators: the submitted visits on the server; return or accept them",
        ),
        Binding(
            "f",
            "frameworks",
            "Frameworks",
            id="visits.frameworks",
            tooltip="Browse the installed frameworks",
        ),
        Binding("j", "cursor(1)", "Down", id="visits.down", show=False, tooltip="Next visit"),
        Binding("k", "cursor(-1)", "Up", id="visits.up", show=False, tooltip="Previous visit"),
        Binding(
            "escape",
            "clear_filter",
            "Clear filter",
            id="visits.clear",
            show=False,
            tooltip="Clear the filter",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[dict[str, Any]] = []
        self.moderator = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Filter: school, framework, status…  (/)", id="filter")
        yield DataTable(id="visits", cursor_type="row", zebra_stripes=True)
        yield Static("", id="visits-empty", classes="message")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "visits"
        table = self.query_one(DataTable)
        table.add_columns("School", "Framework", "Type", "Date", "Status", "Done", "Sync")
        self.reload()
        table.focus()
        self.call_after_refresh(self._warm_up)  # after the first frame: no GIL contention

    @work(thread=True, exclusive=True, exit_on_error=False, group="warm-up",
          description="Loading the workspace")
    def _warm_up(self) -> None:
        """Import the workspace's modules while the assessor reads the list, so opening
        the first visit does not wait for them."""
        import importlib

        from assessor_tui.session import prepare

        self.app.host_loader.start()  # the plugins too, in a thread of their own
        prepare()
        for module in ("workspace", "note", "writeup", "search", "preview"):
            importlib.import_module(f"assessor_tui.tui.screens.{module}")

    def on_screen_resume(self) -> None:
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Review is a moderator's: shown, and bound, only for a moderator's store."""
        if action == "review":
            return self.moderator
        return True

    def reload(self) -> None:
        session = self.app.session
        if session is None:
            return
        moderator = session.moderator
        if moderator != self.moderator:
            self.moderator = moderator
            self.refresh_bindings()
        self.summaries = [s for s in visit_rows(session.visits()) if not s.get("archived")]
        self._fill()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        words = self.query_one("#filter", Input).value.casefold().split()
        table.clear()
        shown = 0
        for s in self.summaries:
            cells = (
                s.get("school", "?"),
                s.get("framework_id", "?"),
                s.get("visit_type") or "-",
                s.get("scheduled") or "-",
                "damaged" if s.get("damaged") else STATUS.get(s.get("status", ""), "?"),
                f"{s.get('judged', 0)}/{s.get('total', 0)} ({s.get('coverage', 0)}%)",
                sync_state(s),
            )
            haystack = " ".join(str(c) for c in cells).casefold()
            if all(w in haystack for w in words):
                table.add_row(*cells, key=s["id"])
                shown += 1
        empty = self.query_one("#visits-empty", Static)
        if not self.summaries and self.moderator:
            empty.update("No visits of your own. Press R for the visits waiting for review.")
        elif not self.summaries:
            empty.update("No visits yet. Press n to create one.")
        elif not shown:
            empty.update("No visit matches the filter. Press escape to clear it.")
        else:
            empty.update("")

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self._fill()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()

    def _current(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_cursor(self, step: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=table.cursor_row + step)

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
        self.query_one(DataTable).focus()

    def action_sync(self) -> None:
        from assessor_tui.tui.screens.sync import SyncScreen

        self.app.push_screen(SyncScreen())

    def action_review(self) -> None:
        from assessor_tui.tui.screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen())

    def action_frameworks(self) -> None:
        from assessor_tui.tui.screens.frameworks import FrameworksScreen

        self.app.push_screen(FrameworksScreen(self.app.host))

    def action_new(self) -> None:
        from assessor_tui.tui.screens.new_visit import NewVisitScreen

        self.app.push_screen(NewVisitScreen())

    def action_open(self) -> None:
        visit_id = self._current()
        if visit_id is not None:
            self.open_visit(visit_id)

    def open_visit(self, visit_id: str) -> None:
        from assessor_tui.tui.screens.workspace import WorkspaceScreen  # loaded by _warm_up

        with tell_failure(self.app) as failed:  # a damaged file or a missing plugin: say which
            self.app.open_visit(visit_id)
        if not failed:
            self.app.push_screen(WorkspaceScreen())

    def action_archive(self) -> None:
        visit_id = self._current()
        if visit_id is None:
            return
        summary = next(s for s in self.summaries if s["id"] == visit_id)

        def done(yes: bool | None) -> None:
            if yes and self.app.session is not None:
                self.app.session.archive(visit_id)
                self.notify(f"Archived the visit to {summary.get('school')}")
                self.reload()

        self.app.push_screen(
            ConfirmScreen(
                f"Archive the visit to {summary.get('school')} "
                f"({summary.get('scheduled') or '-'})? "
                "It stays in the store and is hidden from this list.",
                yes="Archive",
            ),
            done,
        )
