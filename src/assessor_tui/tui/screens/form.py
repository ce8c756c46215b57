"""A small form in a modal dialog: labelled fields in, a dict of values out."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label


class FormScreen(ModalScreen[dict[str, str] | None]):
    """``fields`` is a list of (id, label, initial value); enter in the last field submits."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="form.cancel", tooltip="Cancel")]

    def __init__(self, title: str, fields: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.form_title = title
        self.fields = fields

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.form_title, classes="dialog-title")
            for field_id, label, value in self.fields:
                yield Label(label)
                yield Input(value=value, id=f"f-{field_id}")
            with Horizontal(classes="buttons"):
                yield Button("Save (enter)", id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def _values(self) -> dict[str, str]:
        return {fid: self.query_one(f"#f-{fid}", Input).value for fid, _, _ in self.fields}

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        index = inputs.index(event.input)
        if index + 1 < len(inputs):
            inputs[index + 1].focus()
        else:
            self.dismiss(self._values())

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(self._values() if event.button.id == "save" else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
