"""The write-up: summary, recommendations, action points, and the plugins' findings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static, TextArea

from assessor_tui.domain.checks import EditRefused
from assessor_tui.frameworks.model import Actions, Framework
from assessor_tui.tui.screens.form import FormScreen
from assessor_tui.tui.widgets.item_parts import Edit, EditRequested
from assessor_tui.tui.widgets.panels import ActionsPanel, Panel
from assessor_tui.tui.widgets.read_only import read_only_reason, refused

if TYPE_CHECKING:
    from assessor_tui.session import OpenVisit
    from assessor_tui.tui.state import AppState

SEVERITY = {"problem": "✗", "warning": "!", "info": "·"}


def actions_item(framework: Framework, visit_type: str | None) -> Actions:
    """The framework's actions item for this visit, or a generic one."""
    vt = framework.visit_type(visit_type) if visit_type else None
    sections = set(vt.sections) if vt else None
    for section in framework.sections:
        if sections is None or section.id in sections:
            for item in section.items:
                if isinstance(item, Actions):
                    return item
    return Actions(kind="actions", id="actions", title="Action points")


class WriteUpScreen(Screen[None]):
    app: AppState
    BINDINGS = [
        Binding("escape", "back", "Back", id="writeup.back", tooltip="Back to the criteria"),
        Binding("ctrl+s", "save", "Save", id="writeup.save", tooltip="Save the summary now"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.locked: str | None = None
        """Why the visit cannot be edited (None: it can)."""
        self.told = False

    @property
    def opened(self) -> OpenVisit:
        return self.app.require_opened()

    def compose(self) -> ComposeResult:
        visit = self.opened.visit
        item = actions_item(self.opened.framework, visit.visit_type)
        self.locked = read_only_reason(self.opened)
        yield Header()
        with VerticalScroll(id="writeup"):
            if self.locked:
                yield Static(self.locked, id="writeup-read-only", classes="message", markup=False)
            if visit.moderator_comment:
                yield Label(
                    "Returned by the moderator: what to change"
                    if visit.status == "returned"
                    else "The moderator's comment",
                    classes="subtitle",
                )
                yield Static(visit.moderator_comment, id="moderator-comment", markup=False)
            yield Label("Summary", classes="subtitle")
            yield TextArea(visit.summary, id="summary", soft_wrap=True)
            yield Label("Recommendations", classes="subtitle")
            yield Static("type one below, enter adds; enter on a row edits it, with its "
                         "owner and due date", classes="hint")
            yield DataTable(id="recommendations", cursor_type="row", zebra_stripes=True)
            yield Input(placeholder="Add a recommendation (enter adds)", id="add-recommendation")
            yield Label(item.title, classes="subtitle")
            yield ActionsPanel(item, self.opened.framework, visit)
            yield Label("Findings", classes="subtitle")
            yield Static(self._findings(), id="findings", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"write-up: {self.opened.visit.school.name}" + (
            " (read-only)" if self.locked else ""
        )
        summary = self.query_one("#summary", TextArea)
        summary.read_only = self.locked is not None
        self.query_one("#add-recommendation", Input).disabled = self.locked is not None
        self.query_one("#recommendations", DataTable).add_columns(
            "#", "Recommendation", "Owner", "Due")
        self._show_recommendations()
        summary.focus()

    def _show_recommendations(self) -> None:
        table = self.query_one("#recommendations", DataTable)
        row = table.cursor_row
        table.clear()
        for n, r in enumerate(self.opened.visit.recommendations, start=1):
            table.add_row(str(n), r.text, r.owner or "⚠ no owner",
                          r.due.isoformat() if r.due else "⚠ no date", key=r.id)
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def _findings(self) -> str:
        findings = self.opened.findings()
        return (
            "\n".join(f"{SEVERITY.get(f.severity, '·')} {f.message}" for f in findings)
            or "No findings."
        )

    def _stage(self, edit: Edit) -> None:
        if refused(self):
            return
        try:
            self.opened.stage(edit)
        except EditRefused as exc:
            self.notify(str(exc), severity="error")
            return
        self._show_recommendations()
        self.query_one("#findings", Static).update(self._findings())
        self.query_one(ActionsPanel).refresh_from(self.opened.visit)

    @on(EditRequested)
    def _edit(self, event: EditRequested) -> None:
        event.stop()
        self._stage(event.edit)

    @on(Panel.FormWanted)
    def _form_wanted(self, event: Panel.FormWanted) -> None:
        event.stop()
        self.app.push_screen(FormScreen(event.title, event.fields), event.answered)

    @on(Input.Submitted, "#add-recommendation")
    def _add(self, event: Input.Submitted) -> None:
        text = event.value
        if text.strip():
            self._stage(lambda e: e.add_recommendation(text))
            event.input.value = ""

    @on(DataTable.RowSelected, "#recommendations")
    def _edit_recommendation(self, event: DataTable.RowSelected) -> None:
        event.stop()
        recs = self.opened.visit.recommendations
        if refused(self) or not recs:
            return
        rec = recs[min(event.cursor_row, len(recs) - 1)]
        rec_id = rec.id
        fields = [
            ("text", "Recommendation", rec.text),
            ("owner", "Owner", rec.owner),
            ("due", "Due (YYYY-MM-DD)", rec.due.isoformat() if rec.due else ""),
        ]

        def save(v: dict[str, str] | None) -> None:
            if v is not None:
                self._stage(
                    lambda e: e.update_recommendation(
                        rec_id, text=v["text"], owner=v["owner"], due=v["due"] or None
                    )
                )

        self.app.push_screen(FormScreen("Edit the recommendation", fields), save)

    def on_key(self, event: events.Key) -> None:
        """Typing into the read-only summary is refused, and said once (not per key)."""
        typing = event.is_printable and isinstance(self.focused, TextArea)
        if self.locked and typing and not self.told:
            self.told = refused(self)

    def action_save(self) -> None:
        text = self.query_one("#summary", TextArea).text
        if text != self.opened.visit.summary:
            self._stage(lambda e: e.set_summary(text))
        self.app.save_now()

    def on_descendant_blur(self) -> None:
        self.save_drafts()

    def save_drafts(self) -> None:
        """The summary as typed so far is staged (on leaving a field, and through HoldsDrafts
        when the app quits, locks or is ended from outside)."""
        if self.app.opened is None:  # closed (and saved) already
            return
        text = self.query_one("#summary", TextArea).text
        if text != self.opened.visit.summary:
            self._stage(lambda e: e.set_summary(text))

    def action_back(self) -> None:
        self.action_save()
        self.app.pop_screen()
