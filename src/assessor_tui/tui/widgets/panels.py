"""Panels for the items that are not criteria: tables, lists, checklists, text prompts
and action points. Each posts `EditRequested`, and `Panel.FormWanted` when it needs values
typed in a form; the screen stages the edit and shows the form."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, SelectionList, Static, TextArea
from textual.widgets.selection_list import Selection

from assessor_tui.domain.visit import ActionPoint, Visit
from assessor_tui.frameworks.model import (
    Actions,
    Checklist,
    Framework,
    Item,
    ListItem,
    Table,
    TextPrompt,
)
from assessor_tui.tui.widgets.item_parts import (
    Edit,
    EditRequested,
    points_text,
    sync_ticks,
    tick_prompt,
)
from assessor_tui.tui.widgets.read_only import refused


class Panel(Vertical):
    """Base: knows its item, rebuilds its data from the visit after each edit."""

    class FormWanted(Message):
        """The panel needs values typed in a form (a cell, a row, an action point): its
        screen shows one and hands the values to ``then``; nothing happens on cancel."""

        def __init__(
            self,
            title: str,
            fields: list[tuple[str, str, str]],
            then: Callable[[dict[str, str]], None],
        ) -> None:
            super().__init__()
            self.title = title
            self.fields = fields
            self.then = then

        def answered(self, values: dict[str, str] | None) -> None:
            if values is not None:
                self.then(values)

    def __init__(self, item: Item, framework: Framework, visit: Visit) -> None:
        super().__init__(classes="panel")
        self.item = item
        self.framework = framework
        self.visit = visit

    def request(self, edit: Edit) -> None:
        self.post_message(EditRequested(edit, self.item.id))

    def refresh_from(self, visit: Visit) -> None:
        self.visit = visit

    def ask(
        self,
        title: str,
        fields: list[tuple[str, str, str]],
        then: Callable[[dict[str, str]], None],
    ) -> None:
        """A form for an edit; refused before anything is typed when the visit is read-only."""
        if not refused(self):
            self.post_message(self.FormWanted(title, fields, then))


class TablePanel(Panel):
    """An editable grid: enter edits a cell; + adds a row where the table allows it."""

    item: Table
    BINDINGS = [
        Binding("plus", "add_row", "Add row", id="table.add", tooltip="Add a row"),
    ]

    def compose(self) -> ComposeResult:
        hint = "enter edits a cell" + (", + adds a row" if self.item.extendable else "")
        if self.item.examples:
            hint += "; for example: " + "; ".join(self.item.examples)
        yield Static(hint, classes="hint", markup=False)
        yield DataTable(id="grid", cursor_type="cell", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(self.item.row_header or "", key="__row")
        for column in self.item.columns:
            table.add_column(column.label, key=column.id)
        self.refresh_from(self.visit)

    def _rows(self, visit: Visit) -> list[tuple[str, str, dict[str, str]]]:
        stored = {r.row_id: r for r in visit.rows if r.item_id == self.item.id and r.row_id}
        rows = [
            (row.id, row.label, stored[row.id].cells if row.id in stored else {})
            for row in self.item.rows
        ]
        rows += [
            (r.id, r.label, r.cells)
            for r in visit.rows
            if r.item_id == self.item.id and not r.row_id
        ]
        return rows

    def refresh_from(self, visit: Visit) -> None:
        super().refresh_from(visit)
        table = self.query_one(DataTable)
        where = table.cursor_coordinate
        table.clear()
        for key, label, cells in self._rows(visit):
            table.add_row(
                label, *(self._shown(c.id, cells.get(c.id, "")) for c in self.item.columns), key=key
            )
        if table.row_count:
            table.cursor_coordinate = where

    def _shown(self, column_id: str, value: str) -> str:
        column = next(c for c in self.item.columns if c.id == column_id)
        scale = self.framework.scale(column.scale) if column.scale else None
        level = scale.level(value) if scale and value else None
        return level.label if level else value

    @on(DataTable.CellSelected)
    def _edit_cell(self, event: DataTable.CellSelected) -> None:
        event.stop()
        column_key = str(event.cell_key.column_key.value)
        if column_key == "__row":
            return
        row = str(event.cell_key.row_key.value)
        column = next(c for c in self.item.columns if c.id == column_key)
        label = next(lbl for key, lbl, _ in self._rows(self.visit) if key == row)
        current = next(cells for key, _, cells in self._rows(self.visit) if key == row)
        kind: str = column.kind
        if column.kind == "level":
            # a loaded framework's level column always names one of its scales
            scale = self.framework.scale(column.scale) if column.scale else None
            kind = "level: " + ", ".join(lv.label for lv in (scale.levels if scale else ()))
        item_id = self.item.id

        def save(values: dict[str, str]) -> None:
            self.request(lambda e: e.set_cell(item_id, row, column.id, values["value"]))

        self.ask(
            f"{label} — {column.label} ({kind})",
            [("value", column.label, current.get(column.id, ""))],
            save,
        )

    def action_add_row(self) -> None:
        if not self.item.extendable:
            self.notify("This table has fixed rows.", severity="warning")
            return
        item_id = self.item.id
        self.ask(
            "Add a row",
            [("label", self.item.row_header or "Row", "")],
            lambda v: self.request(lambda e: e.add_row(item_id, v["label"])),
        )


class ListPanel(Panel):
    item: ListItem
    BINDINGS = [
        Binding(
            "delete", "remove", "Remove", id="list.remove", tooltip="Remove the highlighted entry"
        )
    ]

    def compose(self) -> ComposeResult:
        yield Static(
            "\n".join(self._entries(self.visit)) or "No entries yet.", id="entries", markup=False
        )
        yield Input(
            placeholder=(self.item.hint or "Add an entry") + " (enter adds)", id="add-entry"
        )

    def _entries(self, visit: Visit) -> list[str]:
        return [f"• {e.text}" for e in visit.entries if e.item_id == self.item.id]

    def refresh_from(self, visit: Visit) -> None:
        super().refresh_from(visit)
        self.query_one("#entries", Static).update(
            "\n".join(self._entries(visit)) or "No entries yet."
        )

    @on(Input.Submitted, "#add-entry")
    def _add(self, event: Input.Submitted) -> None:
        event.stop()
        text, item_id = event.value, self.item.id
        if text.strip():
            self.request(lambda e: e.add_entry(item_id, text))
            event.input.value = ""

    def action_remove(self) -> None:
        entries = [e for e in self.visit.entries if e.item_id == self.item.id]
        if entries:
            last = entries[-1].id
            self.request(lambda e: e.delete(last))


class ChecklistPanel(Panel):
    item: Checklist

    def compose(self) -> ComposeResult:
        yield Static(self._count(self.visit), id="tick-count")
        ticked = set(self.visit.ticks.get(self.item.id, ()))
        yield SelectionList[str](
            *[
                Selection(
                    tick_prompt(f"{e.id}. {e.text}", e.id in ticked), e.id, e.id in ticked, id=e.id
                )
                for e in self.item.items
            ],
            id="ticks",
        )

    def _count(self, visit: Visit) -> str:
        return (
            f"{len(visit.ticks.get(self.item.id, ()))} of {len(self.item.items)} done (space ticks)"
        )

    def refresh_from(self, visit: Visit) -> None:
        super().refresh_from(visit)
        self.query_one("#tick-count", Static).update(self._count(visit))
        sync_ticks(
            self.query_one("#ticks", SelectionList),
            {e.id: f"{e.id}. {e.text}" for e in self.item.items},
            set(visit.ticks.get(self.item.id, ())),
        )

    @on(SelectionList.SelectionToggled, "#ticks")
    def _toggled(self, event: SelectionList.SelectionToggled[str]) -> None:
        event.stop()
        entry, item_id = str(event.selection.value), self.item.id
        checked = entry in event.selection_list.selected
        sync_ticks(event.selection_list, {e.id: f"{e.id}. {e.text}" for e in self.item.items})
        self.request(lambda e: e.tick(item_id, entry, checked=checked))


class TextPanel(Panel):
    """A prompt and its answer; staged when typing pauses, on blur, on ctrl+s and on leaving."""

    item: TextPrompt
    last_typed = 0.0
    BINDINGS = [
        Binding(
            "ctrl+s", "save_answer", "Save answer", id="text.save", tooltip="Save the answer now"
        )
    ]

    def compose(self) -> ComposeResult:
        if self.item.points:
            yield Static(points_text(self.item.points), classes="points", markup=False)
        if self.item.hint:
            yield Static(self.item.hint, classes="hint", markup=False)
        answer = self.visit.answers.get(self.item.id)
        if self.item.scale:
            yield Static(self._level(self.visit), id="answer-level")
        yield TextArea(answer.text if answer else "", id="answer", soft_wrap=True)

    def _level(self, visit: Visit) -> str:
        scale = self.framework.scale(self.item.scale or "")
        answer = visit.answers.get(self.item.id)
        level = scale.level(answer.level) if scale and answer and answer.level else None
        keys = f"keys 1–{len(scale.levels)}" if scale else ""
        return f"Progress: {level.label if level else 'not judged'} ({keys} outside the text)"

    def refresh_from(self, visit: Visit) -> None:
        super().refresh_from(visit)
        if self.item.scale:
            self.query_one("#answer-level", Static).update(self._level(visit))

    def pending_text(self) -> str | None:
        """The typed answer, if it differs from the saved one."""
        text = self.query_one("#answer", TextArea).text
        answer = self.visit.answers.get(self.item.id)
        return text if text != (answer.text if answer else "") else None

    @on(TextArea.Changed, "#answer")
    def _changed(self) -> None:
        self.last_typed = time.monotonic()

    def stage_if_idle(self, idle_seconds: float) -> None:
        """Save what was typed once typing pauses, without waiting for the focus to move."""
        if self.last_typed and time.monotonic() - self.last_typed >= idle_seconds:
            self.last_typed = 0.0
            self.action_save_answer()

    def action_save_answer(self) -> None:
        text, item_id = self.pending_text(), self.item.id
        if text is not None:
            self.request(lambda e: e.set_answer(item_id, text))

    def on_descendant_blur(self) -> None:
        self.action_save_answer()


class ActionsPanel(Panel):
    item: Actions
    BINDINGS = [
        Binding("plus", "add", "Add action", id="actions.add", tooltip="Add an action point"),
        Binding(
            "x",
            "toggle_done",
            "Done/open",
            id="actions.done",
            tooltip="Mark the highlighted action done or open",
        ),
    ]

    def compose(self) -> ComposeResult:
        yield Static("+ adds, enter edits, x marks done", classes="hint")
        yield DataTable(id="actions", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("#", "Action", "Owner", "Due", "Status")
        self.refresh_from(self.visit)

    def _actions(self, visit: Visit) -> list[ActionPoint]:
        return [a for a in visit.actions if a.item_id in (self.item.id, None)]

    def refresh_from(self, visit: Visit) -> None:
        super().refresh_from(visit)
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for n, a in enumerate(self._actions(visit), start=1):
            table.add_row(
                str(n),
                a.text,
                a.owner or "⚠ no owner",
                a.due.isoformat() if a.due else "⚠ no date",
                a.status,
                key=a.id,
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def action_add(self) -> None:
        item_id = self.item.id
        self.ask(
            "Add an action point",
            [("text", "Action", ""), ("owner", "Owner", ""), ("due", "Due (YYYY-MM-DD)", "")],
            lambda v: self.request(
                lambda e: e.add_action(
                    v["text"], owner=v["owner"], due=v["due"] or None, item_id=item_id
                )
            ),
        )

    def _current(self) -> ActionPoint | None:
        table = self.query_one(DataTable)
        actions = self._actions(self.visit)
        return actions[table.cursor_row] if actions and table.row_count else None

    @on(DataTable.RowSelected)
    def _edit(self, event: DataTable.RowSelected) -> None:
        event.stop()
        action = self._current()
        if action is None:
            return
        action_id = action.id
        self.ask(
            "Edit the action point",
            [
                ("text", "Action", action.text),
                ("owner", "Owner", action.owner),
                ("due", "Due (YYYY-MM-DD)", action.due.isoformat() if action.due else ""),
            ],
            lambda v: self.request(
                lambda e: e.update_action(
                    action_id, text=v["text"], owner=v["owner"], due=v["due"] or None
                )
            ),
        )

    def action_toggle_done(self) -> None:
        action = self._current()
        if action is not None:
            action_id, status = action.id, "open" if action.status == "done" else "done"
            self.request(lambda e: e.update_action(action_id, status=status))


def panel_for(item: Item, framework: Framework, visit: Visit) -> Panel:
    kinds: dict[str, type[Panel]] = {
        "table": TablePanel,
        "list": ListPanel,
        "checklist": ChecklistPanel,
        "text": TextPanel,
        "actions": ActionsPanel,
    }
    return kinds[item.kind](item, framework, visit)
