"""What the item view and the panels inside it share: the edit they ask their screen to
stage, checklist ticks, and points as lines. Below both, so neither imports the other."""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message
from textual.widgets import SelectionList

from assessor_tui.domain.edits import Editor
from assessor_tui.domain.records import Change
from assessor_tui.frameworks.model import Guidance, Point
from assessor_tui.frameworks.outline import point_lines

Edit = Callable[[Editor], Change]


class EditRequested(Message):
    """An edit of one item, posted by the widget the assessor used; the screen stages it."""

    def __init__(self, edit: Edit, item_id: str) -> None:
        super().__init__()
        self.edit = edit
        self.item_id = item_id


def tick_prompt(text: str, checked: bool) -> str:
    """A checklist line that says ticked or not in a glyph, not in colour alone."""
    return f"{'✔' if checked else '○'} {text}"


def sync_ticks(
    selection_list: SelectionList[str], texts: dict[str, str], ticked: set[str] | None = None
) -> None:
    """Refresh each entry's glyph after a tick; with ``ticked``, first make the list show
    exactly those ticks (a refused tick is put back)."""
    if ticked is not None:
        for entry_id in texts:
            if entry_id in ticked and entry_id not in selection_list.selected:
                selection_list.select(entry_id)
            elif entry_id not in ticked and entry_id in selection_list.selected:
                selection_list.deselect(entry_id)
    selected = set(selection_list.selected)
    for entry_id, text in texts.items():
        selection_list.replace_option_prompt(entry_id, tick_prompt(text, entry_id in selected))


def points_text(points: tuple[str | Point, ...]) -> str:
    return "\n".join(point_lines(points, bullet="•", sub_bullet="  –"))


def guidance_text(blocks: tuple[Guidance, ...]) -> str:
    return "\n\n".join(
        "\n".join(p for p in (b.title, b.text or "", points_text(b.points)) if p) for b in blocks
    )
