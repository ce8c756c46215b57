"""Sync with the organisation's server: progress, the summary, and conflicts side by side.

A conflict is a field two devices changed differently; the assessor keeps theirs, the
other device's, or an edited merge, and the choice syncs like any edit.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, ProgressBar, Static

from assessor_tui.tui.failures import tell_failure
from assessor_tui.tui.screens.form import FormScreen

if TYPE_CHECKING:
    from assessor_tui.tui.state import AppState


def shown(value: Any) -> str:
    return "(empty)" if value in (None, "", [], {}) else str(value)


class SyncScreen(Screen[None]):
    app: AppState
    BINDINGS = [
        Binding("s", "sync", "Sync now", id="sync.run", tooltip="Push and pull until done"),
        Binding(
            "y",
            "keep('yours')",
            "Keep yours",
            id="sync.yours",
            tooltip="Keep this device's value for the highlighted conflict",
        ),
        Binding(
            "t",
            "keep('theirs')",
            "Keep theirs",
            id="sync.theirs",
            tooltip="Keep the other device's value for the highlighted conflict",
        ),
        Binding(
            "e",
            "edit",
            "Edit merge",
            id="sync.edit",
            tooltip="Type the value to keep for the highlighted conflict",
        ),
        Binding("escape", "app.pop_screen", "Back", id="sync.back", tooltip="Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="sync"):
            yield Static(id="sync-account")
            yield ProgressBar(id="sync-progress", show_eta=False)
            yield Static("", id="sync-phase")
            yield Static("", id="sync-summary")
            yield Label("Conflicts", classes="subtitle")
            yield DataTable(id="conflicts", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "sync"
        account = self.app.session.sync_account() if self.app.session else None
        self.query_one("#sync-account", Static).update(
            f"Server {account['url']} as {account.get('user', '?')}. Press s to sync."
            if account
            else "This store is not logged in to a server: run `assessor login URL` first."
        )
        self.query_one(DataTable).add_columns("School", "Record", "Field", "Yours", "Theirs")
        self.load_conflicts()

    def load_conflicts(self) -> None:
        session = self.app.session
        table = self.query_one(DataTable)
        table.clear()
        self.rows = []
        if session is None:
            return
        for summary in session.visits():
            if not summary.get("conflicts"):
                continue
            opened = session.open(summary["id"])
            for conflict in opened.conflicts():
                self.rows.append({**conflict, "visit_id": summary["id"]})
                table.add_row(
                    summary.get("school", "?"),
                    conflict["record_type"],
                    conflict["field"],
                    shown(conflict["yours"]),
                    shown(conflict["theirs"]),
                    key=conflict["id"],
                )
            session.repo.close(summary["id"])
        if not self.rows:
            table.add_row("No conflicts", "", "", "", "")

    # ------------------------------------------------------------ syncing

    def action_sync(self) -> None:
        if self.app.session is None or self.app.session.sync_account() is None:
            self.notify("Not logged in: run `assessor login URL` first.", severity="warning")
            return
        self.query_one("#sync-summary", Static).update("Syncing…")
        self._sync()

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync", description="Syncing")
    def _sync(self) -> None:
        from assessor_tui.sync.client import SyncClient
        from assessor_tui.sync.engine import SyncEngine

        session = self.app.require_session()
        account = session.sync_account()
        if account is None:  # logged out since action_sync looked
            self.app.call_from_thread(self._failed, "not logged in")
            return

        def progress(phase: str, done: int, total: int) -> None:
            self.app.call_from_thread(self._progress, phase, done, total)

        said = partial(self.app.call_from_thread, self._failed)
        # the server gone, a refused token: one line, nothing lost
        with tell_failure(self.app, tell=said) as failed, SyncClient(
            account["url"], account["token"], ca_pem=account.get("ca_pem")
        ) as client:
            report = SyncEngine(session, client, progress).run()
        if not failed:
            self.app.call_from_thread(self._done, report)

    def _progress(self, phase: str, done: int, total: int) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=total or None, progress=done)
        self.query_one("#sync-phase", Static).update(
            f"{phase}: {done}" + (f" of {total}" if total else "")
        )

    def _failed(self, message: str) -> None:
        self.query_one("#sync-summary", Static).update(
            f"Sync stopped: {message}. Nothing is lost; sync again later."
        )

    def _done(self, report: Any) -> None:
        self.query_one("#sync-summary", Static).update(
            f"Pushed {report.pushed}, pulled {report.pulled}, conflicts {report.conflicts}"
            + (f", refused {report.rejected}" if report.rejected else "")
            + f". Next: {report.next_step}"
        )
        self.load_conflicts()

    # ------------------------------------------------------------ resolving

    def _current(self) -> dict[str, Any] | None:
        table = self.query_one(DataTable)
        if not self.rows or not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((r for r in self.rows if r["id"] == key), None)

    def action_keep(self, side: str) -> None:
        conflict = self._current()
        if conflict is not None:
            self._resolve(conflict, conflict[side])

    def action_edit(self) -> None:
        conflict = self._current()
        if conflict is None:
            return

        def keep(v: dict[str, str] | None) -> None:
            if v is not None:
                self._resolve(conflict, v["value"])

        self.app.push_screen(
            FormScreen(
                f"Value to keep for {conflict['field']}",
                [
                    (
                        "value",
                        f"yours: {shown(conflict['yours'])}; theirs: {shown(conflict['theirs'])}",
                        "" if conflict["yours"] in (None, "", [], {}) else str(conflict["yours"]),
                    )
                ],
            ),
            keep,
        )

    def _resolve(self, conflict: dict[str, Any], value: Any) -> None:
        with tell_failure(self.app, "Not resolved: {}") as failed:
            opened = self.app.require_session().open(conflict["visit_id"])
            opened.resolve_conflict(conflict["id"], value)
            opened.close()
        if failed:
            return
        self.notify(f"Kept {shown(value)} for {conflict['field']}; it syncs as an edit.")
        self.load_conflicts()

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_edit()
