"""Search across criteria (id, title, text, descriptors) and notes; enter jumps there."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from assessor_tui.frameworks.model import Criterion
from assessor_tui.session import OpenVisit

MAX_HITS = 50


def search(opened: OpenVisit, query: str) -> list[tuple[str, str]]:
    """(item id, line to show) for every item or note matching all words of the query."""
    words = query.casefold().split()
    if not words:
        return []
    hits: list[tuple[str, str]] = []
    for _, item in opened.framework.items():
        parts = [item.id, item.title, item.text or ""]
        if isinstance(item, Criterion) and item.descriptors:
            parts += item.descriptors.values()
        haystack = " ".join(parts).casefold()
        if all(w in haystack for w in words):
            hits.append((item.id, f"{item.id}  {item.title}"))
    for note in opened.visit.notes:
        if all(w in note.text.casefold() for w in words):
            target = note.item_ids[0] if note.item_ids else ""
            hits.append((target, f"note {note.at:%H:%M}: {note.text[:70]}"))
    return hits[:MAX_HITS]


class SearchScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="search.cancel", tooltip="Close")]

    def __init__(self, opened: OpenVisit) -> None:
        super().__init__()
        self.opened = opened

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="search-dialog"):
            yield Label("Search criteria and notes", classes="dialog-title")
            yield Input(placeholder="words…", id="query")
            yield OptionList(id="hits")

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()

    @on(Input.Changed, "#query")
    def _changed(self, event: Input.Changed) -> None:
        hits = self.query_one(OptionList)
        hits.clear_options()
        hits.add_options(
            [
                Option(line, id=f"{n}:{item_id}")
                for n, (item_id, line) in enumerate(search(self.opened, event.value))
            ]
        )
        if hits.option_count:
            hits.highlighted = 0

    @on(Input.Submitted, "#query")
    def _submitted(self) -> None:
        hits = self.query_one(OptionList)
        if hits.highlighted is not None:
            self._choose(hits.get_option_at_index(hits.highlighted).id)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    def _choose(self, option_id: str | None) -> None:
        item_id = (option_id or "").split(":", 1)[1] if option_id else ""
        self.dismiss(item_id or None)

    def key_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def key_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
