"""Link an earlier note to the current item: one note may evidence several criteria."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from assessor_tui.domain.visit import Note


class LinkNoteScreen(ModalScreen[str | None]):
    """Newest first; enter links the highlighted note. Returns the note's id."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="link.cancel", tooltip="Close")]

    def __init__(self, notes: list[Note], item_title: str) -> None:
        super().__init__()
        self.notes = notes
        self.item_title = item_title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="link-dialog"):
            yield Label(f"Link a note to {self.item_title}", classes="dialog-title")
            yield OptionList(
                *[
                    Option(
                        f"{n.at:%H:%M} [{', '.join(n.item_ids) or 'no criterion'}] {n.text[:70]}",
                        id=n.id,
                    )
                    for n in sorted(self.notes, key=lambda n: n.at, reverse=True)
                ],
                id="link-notes",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
