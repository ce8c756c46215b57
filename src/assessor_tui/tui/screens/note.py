"""Quick capture of a note: text, source, with whom, and the criteria it evidences."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, TextArea

from assessor_tui.domain.kinds import NOTE_SOURCES


@dataclass(frozen=True)
class NoteDraft:
    text: str
    source: str
    with_whom: str
    item_ids: tuple[str, ...]


class NoteScreen(ModalScreen[NoteDraft | None]):
    """ctrl+s (or the button) saves; escape keeps nothing only if nothing was typed."""

    BINDINGS = [
        # Not a priority binding: it must wait its turn behind the keys typed before it,
        # or a note typed quickly (or pasted) and saved at once loses its end.
        Binding("ctrl+s", "save", "Save note", id="note.save", tooltip="Save the note"),
        Binding("escape", "cancel", "Cancel", id="note.cancel", tooltip="Close without saving"),
    ]

    def __init__(
        self,
        item_ids: tuple[str, ...],
        title: str,
        *,
        keep: Callable[[NoteDraft], None] | None = None,
    ) -> None:
        super().__init__()
        self.item_ids = item_ids
        self.note_title = title
        self.keep = keep
        """Stages a draft as a note when the app ends or locks with the dialog open."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="note-dialog"):
            yield Label(f"Note on {self.note_title}", classes="dialog-title")
            yield TextArea("", id="note-text", soft_wrap=True)
            with Horizontal(classes="row"):
                yield Select(
                    [(s, s) for s in NOTE_SOURCES],
                    value="observation",
                    allow_blank=False,
                    id="note-source",
                )
                yield Input(placeholder="With whom (optional)", id="note-with")
            yield Input(
                value=" ".join(self.item_ids),
                id="note-items",
                placeholder="Criteria this note evidences (ids, space-separated)",
            )
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#note-text", TextArea).focus()

    def draft(self) -> NoteDraft:
        return NoteDraft(
            text=self.query_one("#note-text", TextArea).text,
            source=str(self.query_one("#note-source", Select).value),
            with_whom=self.query_one("#note-with", Input).value,
            item_ids=tuple(self.query_one("#note-items", Input).value.split()),
        )

    def save_drafts(self) -> None:
        """A note still being typed is saved as a note, not lost with the window
        (HoldsDrafts: the app calls this on quit, lock and an ending from outside)."""
        draft = self.draft()
        if self.keep is not None and draft.text.strip():
            self.keep(draft)

    def action_save(self) -> None:
        draft = self.draft()
        self.dismiss(draft if draft.text.strip() else None)

    def action_cancel(self) -> None:
        if self.draft().text.strip():
            self.notify(
                "The note has text: ctrl+s saves it; clear the text to discard it.",
                severity="warning",
            )
            return
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()
