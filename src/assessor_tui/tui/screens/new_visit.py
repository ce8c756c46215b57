"""A new visit: framework, visit type (where the framework has them), school, date, duration."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static

from assessor_tui.errors import AssessorError
from assessor_tui.tui.screens.workspace import WorkspaceScreen

if TYPE_CHECKING:
    from assessor_tui.tui.state import AppState


class NewVisitScreen(Screen[None]):
    app: AppState
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="new.cancel", tooltip="Back to the visits"),
        Binding("ctrl+s", "create", "Create", id="new.create", tooltip="Create the visit"),
    ]

    def compose(self) -> ComposeResult:
        host = self.app.host
        frameworks = [
            (f"{r.framework.title} ({fid})", fid) for fid, r in sorted(host.frameworks.items())
        ]
        yield Header()
        with VerticalScroll(id="new-visit", classes="form"):
            yield Label("Framework")
            yield Select(frameworks, id="framework", allow_blank=True, prompt="Choose…")
            yield Label("Visit type")
            yield Select([], id="visit-type", allow_blank=True, prompt="(none)", disabled=True)
            yield Label("School")
            yield Input(placeholder="School name", id="school")
            with Horizontal(classes="row"):
                yield Input(placeholder="URN", id="urn")
                yield Input(placeholder="Local authority", id="la")
            with Horizontal(classes="row"):
                yield Input(
                    value=self.app.now().date().isoformat(), placeholder="YYYY-MM-DD", id="date"
                )
                yield Input(
                    value="180", placeholder="Planned minutes", id="duration", type="integer"
                )
            yield Static("", id="new-message", classes="message")
            yield Button("Create visit (ctrl+s)", id="create", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "new visit"
        self.query_one("#framework", Select).focus()

    @on(Select.Changed, "#framework")
    def _framework_changed(self, event: Select.Changed) -> None:
        types = self.query_one("#visit-type", Select)
        framework = self.app.host.framework(str(event.value)) if event.value else None
        options = [
            (f"{v.title}" + (f" ({v.term})" if v.term else ""), v.id)
            for v in (framework.visit_types if framework else ())
        ]
        types.set_options(options)
        types.disabled = not options
        if options:
            types.value = options[0][1]

    @on(Button.Pressed, "#create")
    def _pressed(self) -> None:
        self.action_create()

    def action_cancel(self) -> None:
        self.app.pop_screen()

    def action_create(self) -> None:
        message = self.query_one("#new-message", Static)
        framework = self.query_one("#framework", Select).value
        if framework is Select.NULL:
            message.update("Choose a framework.")
            return
        visit_type = self.query_one("#visit-type", Select).value
        try:
            scheduled = date.fromisoformat(self.query_one("#date", Input).value.strip())
        except ValueError:
            message.update("The date must be YYYY-MM-DD.")
            return
        duration = self.query_one("#duration", Input).value.strip()
        try:
            self.app.new_visit(
                str(framework),
                school=self.query_one("#school", Input).value,
                urn=self.query_one("#urn", Input).value,
                local_authority=self.query_one("#la", Input).value,
                scheduled=scheduled,
                visit_type=None if visit_type is Select.NULL else str(visit_type),
                planned_minutes=int(duration) if duration.isdigit() else 0,
            )
        except AssessorError as exc:  # refused, or the framework is gone: said in one line
            text = str(exc)
            message.update(text[0].upper() + text[1:] + ".")
            return
        self.app.switch_screen(WorkspaceScreen())
