"""The current item: a criterion with its descriptors, checklist, fields and notes, or a
panel for a table, list, checklist, text prompt or action points."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from textual import on
from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Label, SelectionList, Static, TextArea
from textual.widgets.selection_list import Selection

from assessor_tui.domain.visit import Visit
from assessor_tui.frameworks.model import Criterion, Framework, Item
from assessor_tui.tui.widgets.item_parts import (
    Edit,
    EditRequested,
    sync_ticks,
    tick_prompt,
)
from assessor_tui.tui.widgets.panels import Panel, panel_for


class ItemView(VerticalScroll):
    """Shows one item; edits are posted as `EditRequested` for the screen to stage."""

    def __init__(self, framework: Framework, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.framework = framework
        self.item: Item | None = None
        self.visit: Visit | None = None
        self.built_for: str | None = None
        """The item whose widgets are all mounted; None while ``show`` is still building
        them (``item`` changes first, so keys already act on the item being shown)."""
        self.locked = False
        """A read-only visit: text boxes take no typing (edit keys are refused elsewhere)."""
        self.can_focus = True

    async def show(self, item: Item, visit: Visit) -> None:
        """Rebuild for another item (the cursor moved)."""
        self.item, self.visit, self.built_for = item, visit, None
        await self.remove_children()
        await self.mount_all(list(self._widgets(item, visit)))
        self.set_locked(self.locked)
        self.scroll_home(animate=False)
        if self.item is item:  # not overtaken by a later show
            self.built_for = item.id

    def set_locked(self, locked: bool) -> None:
        """Text boxes take no typing on a read-only visit (what is shown stays readable)."""
        self.locked = locked
        for field in self.query(Input):
            field.disabled = locked
        for area in self.query(TextArea):
            area.read_only = locked

    def update_state(self, visit: Visit) -> None:
        """The same item after an edit: update in place, so a key repaints at once."""
        self.visit = visit
        item = self.item
        if item is None:
            return
        if isinstance(item, Criterion):
            level = visit.level(item.id)
            for card in self.query(".level-card").results(Static):
                selected = card.name == level
                if card.has_class("-selected") == selected:
                    continue  # restyling a card costs a millisecond; most keys change two
                card.set_class(selected, "-selected")
                card.border_title = ("▶ " if selected else "") + str(
                    card.border_title or ""
                ).removeprefix("▶ ")
            self.query_one("#level-now", Static).update(self._level_line(item, visit))
            for strip in self.query("#level-strip").results(Static):
                strip.update(self._strip(item, visit))
            if item.checklist:
                self.query_one("#checklist-count", Static).update(self._checklist_line(item, visit))
                judgement = visit.judgements.get(item.id)
                sync_ticks(
                    self.query_one("#checklist", SelectionList),
                    {e.id: e.text for e in item.checklist.items},
                    set(judgement.checked) if judgement else set(),
                )
            self.query_one("#notes", Static).update(self._notes_text(item.id, visit))
        else:
            for panel in self.query(Panel):
                panel.refresh_from(visit)

    # ------------------------------------------------------------ building

    def _widgets(self, item: Item, visit: Visit) -> Iterator[Widget]:
        key = " (key criterion)" if isinstance(item, Criterion) and item.key else ""
        yield Static(f"{item.id}  {item.title}{key}", id="item-title", markup=False)
        if item.text:
            yield Static(item.text, id="item-text", markup=False)
        if item.guidance:
            yield Static(item.guidance, classes="guidance", markup=False)
        if isinstance(item, Criterion):
            yield from self._criterion(item, visit)
        else:
            yield panel_for(item, self.framework, visit)
            if item.kind in ("text", "table", "list", "checklist"):
                yield Label("Notes", classes="subtitle")
                yield Static(self._notes_text(item.id, visit), id="notes", markup=False)

    def _level_line(self, item: Criterion, visit: Visit) -> str:
        scale = self.framework.scale(item.scale)
        level = visit.level(item.id)
        lv = scale.level(level) if scale and level else None
        keys = f"keys 1–{len(scale.levels)} set, 0 clears" if scale else ""
        return f"Judgement: {lv.label if lv else 'not judged'}   ({keys})"

    def _criterion(self, item: Criterion, visit: Visit) -> Iterator[Widget]:
        yield Static(self._level_line(item, visit), id="level-now")
        scale = self.framework.scale(item.scale)
        assert scale is not None
        level = visit.level(item.id)
        texts = {
            lv.id: (item.descriptors or {}).get(lv.id) or lv.description or ""
            for lv in scale.levels
        }
        if not any(texts.values()):
            yield Static(self._strip(item, visit), id="level-strip")
        else:
            cards = []
            for n, lv in enumerate(scale.levels, start=1):
                card = Static(texts[lv.id], classes="level-card", name=lv.id, markup=False)
                card.border_title = ("▶ " if lv.id == level else "") + f"{n} {lv.label}"
                card.set_class(lv.id == level, "-selected")
                card.set_class(not texts[lv.id], "-bare")
                cards.append(card)
            yield Vertical(*cards, id="levels")
        if item.checklist:
            yield Static(self._checklist_line(item, visit), id="checklist-count")
            ticked = (
                set(visit.judgements[item.id].checked) if item.id in visit.judgements else set()
            )
            yield SelectionList[str](
                *[
                    Selection(tick_prompt(e.text, e.id in ticked), e.id, e.id in ticked, id=e.id)
                    for e in item.checklist.items
                ],
                id="checklist",
            )
        judgement = visit.judgements.get(item.id)
        for spec in item.fields:
            yield Label(spec.label + (f" ({spec.hint})" if spec.hint else ""))
            value = judgement.fields.get(spec.id, "") if judgement else ""
            yield Input(
                value=value, id=f"field-{spec.id}", classes="field", placeholder="enter saves"
            )
        yield Label("Rationale")
        yield Input(
            value=judgement.rationale if judgement else "",
            id="rationale",
            placeholder="why this level (enter saves)",
        )
        yield Label("Notes and evidence", classes="subtitle")
        yield Static(self._notes_text(item.id, visit), id="notes", markup=False)

    def _strip(self, item: Criterion, visit: Visit) -> str:
        """Levels without descriptors: one line, the chosen one bracketed (not colour alone)."""
        scale = self.framework.scale(item.scale)
        assert scale is not None
        level = visit.level(item.id)
        return "   ".join(
            f"▶[{n} {lv.label}]" if lv.id == level else f"{n} {lv.label}"
            for n, lv in enumerate(scale.levels, start=1)
        )

    def _checklist_line(self, item: Criterion, visit: Visit) -> str:
        assert item.checklist is not None
        ticked = len(visit.judgements[item.id].checked) if item.id in visit.judgements else 0
        total, needed = len(item.checklist.items), item.checklist.min_checked
        if needed is None:
            return f"{ticked} of {total} ticked"
        verdict = "met" if ticked >= needed else f"{needed} needed"
        return f"{ticked} of {total} — {verdict}"

    @staticmethod
    def _notes_text(item_id: str, visit: Visit) -> str:
        notes = visit.notes_for(item_id)
        evidence = visit.evidence_for(item_id)
        if not notes and not evidence:
            return "No notes or evidence yet: press a to add a note."
        lines = [
            f"{n.at:%H:%M} {n.source}"
            + (f" ({n.with_whom})" if n.with_whom else "")
            + f": {n.text}"
            for n in notes
        ]
        lines += [
            f"Evidence: {e.title}" + (f" [{e.reference}]" if e.reference else "") for e in evidence
        ]
        return "\n".join(lines)

    # ------------------------------------------------------------ edits from the widgets

    def _request(self, edit: Edit) -> None:
        if self.item is not None:
            self.post_message(EditRequested(edit, self.item.id))

    @on(SelectionList.SelectionToggled, "#checklist")
    def _toggled(self, event: SelectionList.SelectionToggled[str]) -> None:
        event.stop()
        item_id = self.item.id if self.item else ""
        entry = str(event.selection.value)
        checked = entry in event.selection_list.selected
        if isinstance(self.item, Criterion) and self.item.checklist:
            sync_ticks(event.selection_list, {e.id: e.text for e in self.item.checklist.items})
        self._request(lambda e: e.tick(item_id, entry, checked=checked))

    @on(Input.Submitted, ".field")
    @on(Input.Blurred, ".field")
    def _field(self, event: Input.Submitted | Input.Blurred) -> None:
        event.stop()
        item_id = self.item.id if self.item else ""
        field_id = (event.input.id or "").removeprefix("field-")
        value = event.value
        judgement = self.visit.judgements.get(item_id) if self.visit else None
        if (judgement.fields.get(field_id, "") if judgement else "") != value:
            self._request(lambda e: e.set_field(item_id, field_id, value))

    @on(Input.Submitted, "#rationale")
    @on(Input.Blurred, "#rationale")
    def _rationale(self, event: Input.Submitted | Input.Blurred) -> None:
        event.stop()
        item_id = self.item.id if self.item else ""
        value = event.value
        judgement = self.visit.judgements.get(item_id) if self.visit else None
        if (judgement.rationale if judgement else "") != value:
            self._request(lambda e: e.set_rationale(item_id, value))
