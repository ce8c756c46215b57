"""Edits: validated against the framework, each becomes one `Change`.

This is where "a level outside the criterion's scale, an unknown criterion,
a table cell of the wrong type" are refused, with a message that says what
is allowed (the value checks are in checks.py). Moving a visit to a new
version of its framework is an edit too (`migration_changes`). Nothing here
does I/O: the store applies the changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from assessor_tui.domain.checks import (
    EditRefused,
    checked_due,
    checked_level,
    checked_text,
    checked_value,
)
from assessor_tui.domain.clock import HybridClock
from assessor_tui.domain.ids import item_record_id, new_id
from assessor_tui.domain.kinds import NOTE_SOURCES
from assessor_tui.domain.records import Change, Op, Record, RecordType
from assessor_tui.domain.visit import Visit
from assessor_tui.frameworks.model import (
    Actions,
    Checklist,
    Column,
    Criterion,
    FieldSpec,
    Framework,
    Item,
    ListItem,
    Table,
    TextPrompt,
)

FROZEN = ("submitted", "accepted")
STATUS_MOVES = {
    "planned": {"in_progress"},
    "in_progress": {"submitted"},
    "submitted": {"returned", "accepted"},
    "returned": {"in_progress", "submitted"},
    "accepted": set(),
}


@dataclass
class Editor:
    """Turns what the assessor does into changes, refusing what the framework forbids."""

    framework: Framework
    visit: Visit
    records: Mapping[str, Record]
    clock: HybridClock

    # ------------------------------------------------------------ helpers

    def _change(
        self, type_: RecordType, record_id: str, fields: dict[str, Any], op: Op = "put"
    ) -> Change:
        if self.visit.status in FROZEN and type_ != "visit":
            raise EditRefused(f"the visit is {self.visit.status} and cannot be edited")
        current = self.records.get(record_id)
        base = {k: current.data[k] for k in fields if current and k in current.data}
        return Change(
            id=new_id(),
            visit_id=self.visit.id,
            record_id=record_id,
            type=type_,
            op=op,
            fields=fields,
            base=base,
            hlc=self.clock.tick(),
            device=self.clock.device,
        )

    def _item(self, item_id: str) -> Item:
        item = self.framework.item(item_id)
        if item is None:
            raise EditRefused(f"'{item_id}' is not an item of {self.framework.id}")
        return item

    def _criterion(self, item_id: str) -> Criterion:
        item = self._item(item_id)
        if not isinstance(item, Criterion):
            raise EditRefused(f"'{item_id}' is a {item.kind}, not a criterion")
        return item

    def _record(self, record_id: str, type_: RecordType) -> Record:
        record = self.records.get(record_id)
        if record is None or record.deleted or record.type != type_:
            raise EditRefused(f"no {type_} '{record_id}' in this visit")
        return record

    def _item_ids(self, item_ids: Iterable[str]) -> list[str]:
        ids = list(dict.fromkeys(item_ids))
        for item_id in ids:
            self._item(item_id)
        return ids

    def _judgement_id(self, item_id: str) -> str:
        return item_record_id(self.visit.id, "judgement", item_id)

    # ------------------------------------------------------------ judgements

    def set_level(self, item_id: str, level: str | None) -> Change:
        item = self._item(item_id)
        if isinstance(item, TextPrompt) and item.scale:
            scale = self.framework.scale(item.scale)
            assert scale is not None
            value = checked_level(scale, level, item_id)
            return self._change(
                "answer",
                item_record_id(self.visit.id, "answer", item_id),
                {"item_id": item_id, "level": value},
            )
        criterion = self._criterion(item_id)
        scale = self.framework.scale(criterion.scale)
        assert scale is not None  # the loader checked it
        value = checked_level(scale, level, item_id)
        return self._change(
            "judgement", self._judgement_id(item_id), {"item_id": item_id, "level": value}
        )

    def set_level_by_position(self, item_id: str, position: int) -> Change:
        """Keys 1–9 pick the n-th level of the scale; 0 clears."""
        item = self._item(item_id)
        scale_id = item.scale if isinstance(item, Criterion | TextPrompt) else None
        scale = self.framework.scale(scale_id) if scale_id else None
        if scale is None:
            raise EditRefused(f"'{item_id}' has no scale")
        if position == 0:
            return self.set_level(item_id, None)
        if not 1 <= position <= len(scale.levels):
            raise EditRefused(f"scale '{scale.id}' has {len(scale.levels)} levels")
        return self.set_level(item_id, scale.levels[position - 1].id)

    def set_rationale(self, item_id: str, text: str) -> Change:
        self._criterion(item_id)
        return self._change(
            "judgement",
            self._judgement_id(item_id),
            {"item_id": item_id, "rationale": checked_text(text, "rationale")},
        )

    def tick(self, item_id: str, entry_id: str, checked: bool = True) -> Change:
        item = self._item(item_id)
        type_: RecordType
        if isinstance(item, Criterion) and item.checklist:
            entries, type_ = item.checklist.items, "judgement"
        elif isinstance(item, Checklist):
            entries, type_ = item.items, "ticks"
        else:
            raise EditRefused(f"'{item_id}' has no checklist")
        if entry_id not in [e.id for e in entries]:
            allowed = ", ".join(e.id for e in entries)
            raise EditRefused(f"'{entry_id}' is not on the checklist of {item_id} ({allowed})")
        record_id = item_record_id(self.visit.id, type_, item_id)
        return self._change(type_, record_id, {"item_id": item_id, f"tick:{entry_id}": checked})

    def set_field(self, item_id: str, field_id: str, value: Any) -> Change:
        criterion = self._criterion(item_id)
        spec: FieldSpec | None = next((f for f in criterion.fields if f.id == field_id), None)
        if spec is None:
            allowed = ", ".join(f.id for f in criterion.fields) or "none"
            raise EditRefused(f"'{item_id}' has no field '{field_id}' (fields: {allowed})")
        typed = checked_value(spec.kind, value, spec.label, spec.options)
        return self._change(
            "judgement",
            self._judgement_id(item_id),
            {"item_id": item_id, f"field:{field_id}": typed},
        )

    # ------------------------------------------------------------ notes and evidence

    def add_note(
        self,
        text: str,
        item_ids: Iterable[str] = (),
        *,
        source: str = "other",
        with_whom: str = "",
        at: datetime | None = None,
    ) -> Change:
        if source not in NOTE_SOURCES:
            raise EditRefused(f"source must be one of {', '.join(NOTE_SOURCES)}, not '{source}'")
        fields = {
            "text": checked_text(text, "note", required=True),
            "item_ids": self._item_ids(item_ids),
            "source": source,
            "with_whom": checked_text(with_whom, "with whom"),
            "at": (at or datetime.now().astimezone()).isoformat(timespec="seconds"),
        }
        return self._change("note", new_id(), fields)

    def edit_note(self, note_id: str, **fields: Any) -> Change:
        self._record(note_id, "note")
        clean: dict[str, Any] = {}
        for name, value in fields.items():
            if name == "text":
                clean[name] = checked_text(value, "note", required=True)
            elif name == "item_ids":
                clean[name] = self._item_ids(value)
            elif name == "source":
                if value not in NOTE_SOURCES:
                    raise EditRefused(f"source must be one of {', '.join(NOTE_SOURCES)}")
                clean[name] = value
            elif name == "with_whom":
                clean[name] = checked_text(value, "with whom")
            else:
                raise EditRefused(f"a note has no field '{name}'")
        return self._change("note", note_id, clean)

    def link_note(self, note_id: str, item_ids: Iterable[str]) -> Change:
        current = self._record(note_id, "note").data.get("item_ids", [])
        return self.edit_note(note_id, item_ids=[*current, *item_ids])

    def add_evidence(
        self,
        title: str,
        *,
        kind: str = "",
        reference: str = "",
        blob_id: str | None = None,
        item_ids: Iterable[str] = (),
        at: datetime | None = None,
    ) -> Change:
        fields = {
            "title": checked_text(title, "evidence title", required=True),
            "kind": checked_text(kind, "evidence kind"),
            "reference": checked_text(reference, "reference"),
            "blob_id": blob_id,
            "item_ids": self._item_ids(item_ids),
            "at": (at or datetime.now().astimezone()).isoformat(timespec="seconds"),
        }
        return self._change("evidence", new_id(), fields)

    def delete(self, record_id: str) -> Change:
        record = self.records.get(record_id)
        if record is None or record.deleted or record.type == "visit":
            raise EditRefused(f"no record '{record_id}' to delete in this visit")
        return self._change(record.type, record_id, {}, op="delete")

    # ------------------------------------------------------------ tables, lists, prompts

    def _table(self, item_id: str) -> Table:
        item = self._item(item_id)
        if not isinstance(item, Table):
            raise EditRefused(f"'{item_id}' is a {item.kind}, not a table")
        return item

    def set_cell(self, item_id: str, row: str, column_id: str, value: Any) -> Change:
        """``row`` is a fixed row's id, or the record id of a row the user added."""
        table = self._table(item_id)
        column: Column | None = next((c for c in table.columns if c.id == column_id), None)
        if column is None:
            allowed = ", ".join(c.id for c in table.columns)
            raise EditRefused(f"table {item_id} has no column '{column_id}' ({allowed})")
        scale = self.framework.scale(column.scale) if column.scale else None
        typed = checked_value(column.kind, value, f"{column.label}", column.options, scale)
        if row in [r.id for r in table.rows]:
            record_id = item_record_id(self.visit.id, "row", item_id, row)
            fields: dict[str, Any] = {"item_id": item_id, "row_id": row, f"cell:{column_id}": typed}
        else:
            self._record(row, "row")
            record_id, fields = row, {f"cell:{column_id}": typed}
        return self._change("row", record_id, fields)

    def add_row(self, item_id: str, label: str) -> Change:
        table = self._table(item_id)
        if not table.extendable:
            raise EditRefused(f"table {item_id} has fixed rows")
        return self._change(
            "row",
            new_id(),
            {
                "item_id": item_id,
                "row_id": None,
                "label": checked_text(label, "row label", required=True),
            },
        )

    def add_entry(self, item_id: str, text: str) -> Change:
        item = self._item(item_id)
        if not isinstance(item, ListItem):
            raise EditRefused(f"'{item_id}' is a {item.kind}, not a list")
        return self._change(
            "entry",
            new_id(),
            {"item_id": item_id, "text": checked_text(text, "entry", required=True)},
        )

    def set_answer(self, item_id: str, text: str) -> Change:
        item = self._item(item_id)
        if not isinstance(item, TextPrompt):
            raise EditRefused(f"'{item_id}' is a {item.kind}, not a text prompt")
        return self._change(
            "answer",
            item_record_id(self.visit.id, "answer", item_id),
            {"item_id": item_id, "text": checked_text(text, "answer")},
        )

    # ------------------------------------------------------------ write-up

    def add_action(
        self,
        text: str,
        *,
        owner: str = "",
        due: date | str | None = None,
        item_id: str | None = None,
    ) -> Change:
        if item_id is not None and not isinstance(self._item(item_id), Actions):
            raise EditRefused(f"'{item_id}' is not an actions item")
        return self._change(
            "action",
            new_id(),
            {
                "text": checked_text(text, "action point", required=True),
                "owner": checked_text(owner, "owner"),
                "due": checked_due(due),
                "status": "open",
                "item_id": item_id,
            },
        )

    def update_action(self, action_id: str, **fields: Any) -> Change:
        self._record(action_id, "action")
        clean: dict[str, Any] = {}
        for name, value in fields.items():
            if name in ("text", "owner"):
                clean[name] = checked_text(value, name, required=name == "text")
            elif name == "due":
                clean[name] = checked_due(value)
            elif name == "status":
                if value not in ("open", "done"):
                    raise EditRefused("status must be open or done")
                clean[name] = value
            else:
                raise EditRefused(f"an action point has no field '{name}'")
        return self._change("action", action_id, clean)

    def add_recommendation(
        self, text: str, *, owner: str = "", due: date | str | None = None
    ) -> Change:
        return self._change(
            "recommendation",
            new_id(),
            {
                "text": checked_text(text, "recommendation", required=True),
                "owner": checked_text(owner, "owner"),
                "due": checked_due(due),
            },
        )

    def update_recommendation(self, recommendation_id: str, **fields: Any) -> Change:
        self._record(recommendation_id, "recommendation")
        clean: dict[str, Any] = {}
        for name, value in fields.items():
            if name == "text":
                clean[name] = checked_text(value, "recommendation", required=True)
            elif name == "owner":
                clean[name] = checked_text(value, "owner")
            elif name == "due":
                clean[name] = checked_due(value)
            else:
                raise EditRefused(f"a recommendation has no field '{name}'")
        return self._change("recommendation", recommendation_id, clean)

    def set_summary(self, text: str) -> Change:
        return self._header({"summary": checked_text(text, "summary")})

    # ------------------------------------------------------------ the visit itself

    def _header(self, fields: dict[str, Any]) -> Change:
        if self.visit.status in FROZEN and set(fields) - {"status", "moderator_comment"}:
            raise EditRefused(f"the visit is {self.visit.status} and cannot be edited")
        return self._change("visit", self.visit.id, fields)

    def start(self, at: datetime | None = None) -> Change:
        when = (at or datetime.now().astimezone()).isoformat(timespec="seconds")
        fields: dict[str, Any] = {"started_at": when}
        if self.visit.status == "planned":
            fields["status"] = "in_progress"
        return self._header(fields)

    def end(self, at: datetime | None = None) -> Change:
        when = (at or datetime.now().astimezone()).isoformat(timespec="seconds")
        return self._header({"ended_at": when})

    def move_to(self, status: str, comment: str = "") -> Change:
        if status not in STATUS_MOVES.get(self.visit.status, set()):
            raise EditRefused(f"a {self.visit.status} visit cannot become {status}")
        fields: dict[str, Any] = {"status": status}
        if comment:
            fields["moderator_comment"] = checked_text(comment, "comment")
        return self._header(fields)


def migration_changes(editor: Editor, mapping: Mapping[str, str | None]) -> list[Change]:
    """Move a visit to the installed version of its framework.

    ``mapping`` says how item ids changed (``None``: the item is gone, and what was
    recorded on it is kept in a note). Refused, naming the items, when the visit
    refers to an item the installed version lacks and the mapping does not place.
    """
    fw, visit = editor.framework, editor.visit
    known = {i.id for _, i in fw.items()}

    def moved(item_id: str) -> str | None:
        return mapping.get(item_id, item_id)

    used = {
        r.data["item_id"]
        for r in editor.records.values()
        if not r.deleted and isinstance(r.data.get("item_id"), str)
    }
    used |= {i for n in visit.notes for i in n.item_ids}
    used |= {i for e in visit.evidence for i in e.item_ids}
    lost = sorted(i for i in used if moved(i) is not None and moved(i) not in known)
    if lost:
        raise EditRefused(
            f"{fw.id} version {fw.version} has no item {', '.join(lost)}; "
            "no installed plugin says where they went"
        )
    changes: list[Change] = []
    for record in list(editor.records.values()):
        item_id = record.data.get("item_id")
        if record.deleted or not isinstance(item_id, str) or moved(item_id) == item_id:
            continue
        target = moved(item_id)
        if record.type in ("judgement", "answer", "ticks", "row") and target is not None:
            parts = [target] + ([record.data["row_id"]] if record.data.get("row_id") else [])
            record_id = (
                item_record_id(visit.id, record.type, *parts)
                if record.type != "row" or record.data.get("row_id")
                else new_id()
            )
            changes.append(
                editor._change(record.type, record_id, {**record.data, "item_id": target})
            )
            changes.append(editor._change(record.type, record.id, {}, op="delete"))
        elif record.type in ("action",):
            changes.append(editor._change(record.type, record.id, {"item_id": target}))
        elif target is None:
            kept = ", ".join(
                f"{k}: {v}"
                for k, v in record.data.items()
                if k != "item_id" and v not in (None, "", [], {})
            )
            changes.append(
                editor._change(
                    "note",
                    new_id(),
                    {
                        "text": f"Recorded on {item_id}, which {fw.id} {fw.version} no longer has: "
                        f"{kept or 'nothing'}",
                        "item_ids": [],
                        "source": "other",
                        "with_whom": "",
                        "at": datetime.now().astimezone().isoformat(timespec="seconds"),
                    },
                )
            )
            changes.append(editor._change(record.type, record.id, {}, op="delete"))
    for record in editor.records.values():
        ids = record.data.get("item_ids")
        if record.deleted or not isinstance(ids, list):
            continue
        remapped = [m for m in (moved(i) for i in ids) if m is not None]
        if remapped != ids:
            changes.append(editor._change(record.type, record.id, {"item_ids": remapped}))
    changes.append(editor._change("visit", visit.id, {"framework_version": fw.version}))
    return changes
