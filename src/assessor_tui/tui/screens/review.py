"""Moderators: the visits waiting for review on the server; read one, return it to its
assessor with a comment, or accept it. What `assessor review list|show|return|accept` does.

Every request runs in a thread worker, so the screen never waits on the network. A
failure is said in one line and loses nothing: a comment typed for a return that did not
reach the server is kept for the next try.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Markdown, Static
from textual.worker import get_current_worker

from assessor_tui.tui.failures import catch_failure, failure_text
from assessor_tui.tui.screens.confirm import ConfirmScreen
from assessor_tui.tui.screens.form import FormScreen

if TYPE_CHECKING:
    from assessor_tui.plugins.host import PluginHost
    from assessor_tui.sync.client import SyncClient
    from assessor_tui.sync.protocol import VisitDetail, VisitSummary
    from assessor_tui.tui.state import AppState

NOT_LOGGED_IN = "This store is not logged in to a server: run `assessor login URL` first."


REVIEW_BUDGET = 20.0
"""Seconds of retries before a review request reports failure: a moderator is waiting at
the screen, unlike a sync, which may retry for longer in the background."""


def client_for(account: dict[str, Any]) -> SyncClient:
    from assessor_tui.sync.client import SyncClient

    budget = min(REVIEW_BUDGET, float(os.environ.get("ASSESSOR_SYNC_BUDGET") or REVIEW_BUDGET))
    return SyncClient(
        account["url"], account["token"], ca_pem=account.get("ca_pem"), budget=budget
    )


def problem(exc: Exception | None) -> str:
    """A failed request in a few words; a refusal because the account is not a moderator
    is said as such."""
    from assessor_tui.sync.client import ServerRefused

    if isinstance(exc, ServerRefused) and exc.status == 403:
        return f"the server says this account is not a moderator ({exc.reason})"
    return failure_text(exc) if exc is not None else "no reason given"


def record_text(detail: VisitDetail, host: PluginHost) -> str:
    """The submitted visit's record of visit, as the preview renders it; a plain list of its
    records when the framework's plugin is not installed here."""
    from assessor_tui import reports
    from assessor_tui.domain.assemble import assemble
    from assessor_tui.domain.records import Record

    s = detail.summary
    why = f"framework '{s.framework_id}' is not installed here"
    with catch_failure("building a submitted visit's record") as failed:
        visit = assemble(Record.model_validate(r.model_dump()) for r in detail.records)
        framework = host.framework(visit.framework_id)
        if framework is not None:
            return reports.record_markdown(visit, framework, host)
    if failed:  # a record this version cannot read: show what there is
        why = f"the record could not be built ({failed.text})"
    lines = [f"# {s.school}", "", f"{s.framework_id}, by {s.owner}: {s.status}. ({why})", ""]
    for record in detail.records:
        if record.deleted or record.type == "visit":
            continue
        data = record.data
        text = data.get("text") or data.get("level") or data.get("title") or ""
        lines.append(f"- {record.type} {data.get('item_id') or ''} {text}".rstrip())
    return "\n".join(lines)


class ReviewScreen(Screen[None]):
    app: AppState
    DEFAULT_CSS = """
    #review { height: 1fr; }
    #review-account, #review-status { padding: 0 1; height: auto; }
    """
    BINDINGS = [
        Binding(
            "enter",
            "read",
            "Read",
            id="review.read",
            tooltip="Read the highlighted visit's record (the server logs the read)",
        ),
        Binding(
            "r",
            "return_visit",
            "Return",
            id="review.return",
            tooltip="Return the visit to its assessor with a comment saying what to change",
        ),
        Binding(
            "a", "accept", "Accept", id="review.accept", tooltip="Accept the visit: it is final"
        ),
        Binding("u", "reload", "Refresh", id="review.refresh", tooltip="Ask the server again"),
        Binding("j", "cursor(1)", "Down", id="review.down", show=False, tooltip="Next visit"),
        Binding("k", "cursor(-1)", "Up", id="review.up", show=False, tooltip="Previous visit"),
        Binding("escape", "app.pop_screen", "Back", id="review.back", tooltip="Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.visits: list[VisitSummary] = []
        self.drafts: dict[str, str] = {}
        """Comments typed for returns that did not reach the server, by visit id."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="review-account", markup=False)
        yield DataTable(id="review", cursor_type="row", zebra_stripes=True)
        yield Static("", id="review-status", classes="message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "review"
        table = self.query_one(DataTable)
        table.add_columns("School", "URN", "Framework", "Assessor", "Submitted")
        account = self._account()
        self.query_one("#review-account", Static).update(
            f"Submitted visits waiting for review on {account['url']} "
            f"(you are {account.get('user', '?')}, {account.get('role', '?')})."
            if account
            else NOT_LOGGED_IN
        )
        table.focus()
        self.action_reload()

    def _account(self) -> dict[str, Any] | None:
        session = self.app.session
        return session.sync_account() if session is not None else None

    def say(self, line: str) -> None:
        self.query_one("#review-status", Static).update(line)

    # ------------------------------------------------------------ the list

    def action_reload(self) -> None:
        account = self._account()
        if account is None:
            self.say(NOT_LOGGED_IN)
            return
        self.say("Asking the server for the visits waiting for review…")
        self._load(account)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-list",
          description="Loading the visits waiting for review")
    def _load(self, account: dict[str, Any]) -> None:
        worker = get_current_worker()
        with catch_failure("loading the review list") as failed, client_for(account) as client:
            visits = client.review_list()
        if failed:  # the server gone, or not a moderator: one line
            if not worker.is_cancelled:
                self.app.call_from_thread(
                    self.say,
                    f"Could not load the visits waiting for review: {problem(failed.error)}. "
                    "Press u to try again.",
                )
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._loaded, visits)

    def _loaded(self, visits: list[VisitSummary]) -> None:
        self._fill(visits)
        count = len(visits)
        self.say(
            f"{count} visit{'s' if count != 1 else ''} waiting for review: enter reads one, "
            "r returns it, a accepts it."
            if count
            else "No visits are waiting for review."
        )

    def _fill(self, visits: list[VisitSummary]) -> None:
        self.visits = visits
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for v in visits:
            table.add_row(
                v.school, v.urn or "-", v.framework_id, v.owner, v.updated[:10] or "-", key=v.id
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def current(self) -> VisitSummary | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((v for v in self.visits if v.id == key), None)

    def action_cursor(self, step: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=table.cursor_row + step)

    # ------------------------------------------------------------ reading one

    @on(DataTable.RowSelected, "#review")
    def _selected(self) -> None:
        self.action_read()

    def action_read(self) -> None:
        summary, account = self.current(), self._account()
        if summary is None or account is None:
            return
        self.say(f"Reading the visit to {summary.school}…")
        self._read(account, summary)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-read",
          description="Reading a submitted visit")
    def _read(self, account: dict[str, Any], summary: VisitSummary) -> None:
        worker = get_current_worker()
        with catch_failure("reading a submitted visit") as failed:
            with client_for(account) as client:
                detail = client.visit(summary.id)
            text = record_text(detail, self.app.host)
        if failed:
            if not worker.is_cancelled:
                self.app.call_from_thread(
                    self.say,
                    f"Could not read the visit to {summary.school}: {problem(failed.error)}.",
                )
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, summary, text)

    def _show(self, summary: VisitSummary, text: str) -> None:
        self.say("")

        def then(choice: str | None) -> None:
            if choice == "return":
                self.return_visit(summary)
            elif choice == "accept":
                self.accept(summary)

        self.app.push_screen(ReviewRecordScreen(summary, text), then)

    # ------------------------------------------------------------ deciding

    def action_return_visit(self) -> None:
        summary = self.current()
        if summary is not None:
            self.return_visit(summary)

    def action_accept(self) -> None:
        summary = self.current()
        if summary is not None:
            self.accept(summary)

    def return_visit(self, summary: VisitSummary) -> None:
        def done(values: dict[str, str] | None) -> None:
            if values is None:
                return
            comment = values["comment"].strip()
            if not comment:
                self.notify(
                    "Not returned: a comment saying what to change is required.",
                    severity="warning",
                )
                return
            self.drafts[summary.id] = comment
            self._send(summary, "returned", comment)

        self.app.push_screen(
            FormScreen(
                f"Return the visit to {summary.school} to {summary.owner}",
                [("comment", "What to change (required; the assessor sees it)",
                  self.drafts.get(summary.id, ""))],
            ),
            done,
        )

    def accept(self, summary: VisitSummary) -> None:
        def done(yes: bool | None) -> None:
            if yes:
                self._send(summary, "accepted", "")

        self.app.push_screen(
            ConfirmScreen(
                f"Accept the visit to {summary.school} by {summary.owner}? Its record "
                "becomes final; the assessor sees it at their next sync.",
                yes="Accept",
            ),
            done,
        )

    def _send(self, summary: VisitSummary, decision: str, comment: str) -> None:
        account = self._account()
        if account is None:
            self.say(NOT_LOGGED_IN)
            return
        verb = "Returning" if decision == "returned" else "Accepting"
        self.say(f"{verb} the visit to {summary.school}…")
        self._decide(account, summary, decision, comment)

    @work(thread=True, exit_on_error=False, group="review-decide",
          description="Sending a review decision")
    def _decide(
        self, account: dict[str, Any], summary: VisitSummary, decision: str, comment: str
    ) -> None:
        with catch_failure("sending a review decision") as failed, client_for(account) as client:
            result = client.review(summary.id, decision, comment)
        if failed:  # nothing changed on the server; the comment is kept
            self.app.call_from_thread(self._not_decided, summary, decision, failed.error)
            return
        self.app.call_from_thread(self._decided, summary, result)

    def _decided(self, summary: VisitSummary, result: VisitSummary) -> None:
        self.drafts.pop(summary.id, None)
        verb = "Returned" if result.status == "returned" else "Accepted"
        line = (
            f"{verb} the visit to {summary.school}; {summary.owner} sees it at their next sync."
        )
        self._fill([v for v in self.visits if v.id != summary.id])
        self.say(line)
        self.notify(line)

    def _not_decided(
        self, summary: VisitSummary, decision: str, exc: Exception | None
    ) -> None:
        from assessor_tui.sync.client import AuthFailed, ServerRefused

        action = "return" if decision == "returned" else "accept"
        if isinstance(exc, ServerRefused) and not isinstance(exc, AuthFailed):
            again = "press u for the list as it is now"  # decided elsewhere, or not allowed
        elif decision == "returned":
            again = "your comment is kept: press r to send it again"
        else:
            again = "press a to try again"
        line = f"Could not {action} the visit to {summary.school}: {problem(exc)}. {again}."
        self.say(line)
        self.notify(line, severity="error", timeout=10)


class ReviewRecordScreen(Screen[str | None]):
    """One submitted visit's record, read-only; r or a decide on it from here."""

    app: AppState
    BINDINGS = [
        Binding(
            "r",
            "choose('return')",
            "Return",
            id="review-record.return",
            tooltip="Return the visit to its assessor with a comment saying what to change",
        ),
        Binding(
            "a",
            "choose('accept')",
            "Accept",
            id="review-record.accept",
            tooltip="Accept the visit: it is final",
        ),
        Binding("escape", "choose(None)", "Back", id="review-record.back", tooltip="Back"),
    ]

    def __init__(self, summary: VisitSummary, text: str) -> None:
        super().__init__()
        self.summary = summary
        self.text = text

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="review-record"):
            yield Markdown(self.text, id="record")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = (
            f"review (read-only): {self.summary.school}, submitted by {self.summary.owner}"
        )
        self.query_one(VerticalScroll).focus()

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)
