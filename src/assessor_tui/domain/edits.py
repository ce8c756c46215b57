"""Edits: validated against the framework, each becomes one `Change`.

This is where "a level outside the criterion's scale, an unknown criterion,
a table cell of the wrong type" are refused, with a message that says what
is allowed. Nothing here does I/O: the store applies the changes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from assessor_tui.domain.clock import HybridClock
from assessor_tui.domain.ids import item_record_id, new_id
from assessor_tui.domain.kinds import NOTE_SOURCES
from assessor_tui.domain.records import Change, Op, Record, RecordType
from assessor_tui.domain.visit import Visit
from assessor_tui.errors import AssessorError
from assessor_tui.frameworks.model import (
    Actions,
    Checklist,
    Column,
    Criterion,
    FieldSpec,
    Framework,
    Item,
    ListItem,
    Scale,
    Table,
    TextPrompt,
)

MAX_TEXT = 100_000
FROZEN = ("submitted", "accepted")
STATUS_MOVES = {
    "planned": {"in_progress"},
    "in_progress": {"submitted"},
    "submitted": {"returned", "accepted"},
    "returned": {"in_progress", "submitted"},
    "accepted": set(),
}


class EditRefused(AssessorError, ValueError):
    """An edit the framework or the visit's state does not allow; the message says why."""


def _text(value: str, what: str, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise EditRefused(f"{what} must be text")
    if required and not value.strip():
        raise EditRefused(f"{what} is empty")
    if len(value) > MAX_TEXT:
        raise EditRefused(f"{what} is {len(value):,} characters; the limit is {MAX_TEXT:,}")
    return value


def _due(value: date | str | None) -> str | None:
    """A due date as stored (ISO), from a date or the text typed; "" or None clears it."""
    text = value.isoformat() if isinstance(value, date) else value
    return None if text is None or text == "" else _date(text, "due date")


def _date(value: object, what: str) -> str:
    """A date as stored (ISO), from what was typed."""
    text = str(value).strip()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise EditRefused(f"{what} must be a date (YYYY-MM-DD), not '{text}'") from None


def _level(scale: Scale, level: str | None, where: str) -> str | None:
    """A level by id, or by its label as printed (case does not matter)."""
    if level is None or scale.level(level) is not None:
        return level
    by_label = next((lv for lv in scale.levels if lv.label.casefold() == level.casefold()), None)
    if by_label is not None:
        return by_label.id
    allowed = ", ".join(lv.id for lv in scale.levels)
    raise EditRefused(f"level '{level}' is not on scale '{scale.id}' of {where} ({allowed})")


def _typed(
    kind: str, value: Any, what: str, options: tuple[str, ...] = (), scale: Scale | None = None
) -> Any:
    """A cell or field value in its column's or field's type; "" clears it."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    try:
        if kind == "number":
            number = float(text)
            if not math.isfinite(number):  # "nan", "inf", "1e999": no JSON can store them
                raise ValueError(text)
            return int(number) if number.is_integer() else number
        if kind == "percent":
            number = float(text.removesuffix("%"))
            if not 0 <= number <= 100:
                raise EditRefused(f"{what} must be a percentage from 0 to 100, not {text}")
            return int(number) if number.is_integer() else number
        if kind == "date":
            return _date(text, what)
    except ValueError as exc:
        if isinstance(exc, EditRefused):
            raise
        expected = {"number": "a number", "percent": "a percentage", "date": "a date (YYYY-MM-DD)"}[
            kind
        ]
        raise EditRefused(f"{what} must be {expected}, not '{text}'") from None
    if kind == "boolean":
        lowered = text.lower()
        if lowered in ("yes", "true", "y", "1"):
            return True
        if lowered in ("no", "false", "n", "0"):
            return False
        raise EditRefused(f"{what} must be yes or no, not '{text}'")
    if kind == "choice" and text not in options:
        raise EditRefused(f"{what} must be one of {', '.join(options)}, not '{text}'")
    if kind == "level" and scale is not None:
        return _level(scale, text, what)
    return _text(text, what)


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
            value = _level(scale, level, item_id)
            return self._change(
                "answer",
                item_record_id(self.visit.id, "answer", item_id),
                {"item_id": item_id, "level": value},
            )
        criterion = self._criterion(item_id)
        scale = self.framework.scale(criterion.scale)
        assert scale is not None  # the loader checked it
        value = _level(scale, level, item_id)
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
            {"item_id": item_id, "rationale": _text(text, "rationale")},
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
        typed = _typed(spec.kind, value, spec.label, spec.options)
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
            "text": _text(text, "note", required=True),
            "item_ids": self._item_ids(item_ids),
            "source": source,
            "with_whom": _text(with_whom, "with whom"),
            "at": (at or datetime.now().astimezone()).isoformat(timespec="seconds"),
        }
        return self._change("note", new_id(), fields)

    def edit_note(self, note_id: str, **fields: Any) -> Change:
        self._record(note_id, "note")
        clean: dict[str, Any] = {}
        for name, value in fields.items():
            if name == "text":
                clean[name] = _text(value, "note", required=True)
            elif name == "item_ids":
                clean[name] = self._item_ids(value)
            elif name == "source":
                if value not in NOTE_SOURCES:
                    raise EditRefused(f"source must be one of {', '.join(NOTE_SOURCES)}")
                clean[name] = value
            elif name == "with_whom":
                clean[name] = _text(value, "with whom")
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
            "title": _text(title, "evidence title", required=True),
            "kind": _text(kind, "evidence kind"),
            "reference": _text(reference, "reference"),
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
        typed = _typed(column.kind, value, f"{column.label}", column.options, scale)
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
            {"item_id": item_id, "row_id": None, "label": _text(label, "row label", required=True)},
        )

    def add_entry(self, item_id: str, text: str) -> Change:
        item = self._item(item_id)
        if not isinstance(item, ListItem):
            raise EditRefused(f"'{item_id}' is a {item.kind}, not a list")
        return self._change(
            "entry", new_id(), {"item_id": item_id, "text": _text(text, "entry", required=True)}
        )

    def set_answer(self, item_id: str, text: str) -> Change:
        item = self._item(item_id)
        if not isinstance(item, TextPrompt):
            raise EditRefused(f"'{item_id}' is a {item.kind}, not a text prompt")
        return self._change(
            "answer",
            item_record_id(self.visit.id, "answer", item_id),
            {"item_id": item_id, "text": _text(text, "answer")},
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
                "text": _text(text, "action point", required=True),
                "owner": _text(owner, "owner"),
                "due": _due(due),
                "status": "open",
                "item_id": item_id,
            },
        )

    def update_action(self, action_id: str, **fields: Any) -> Change:
        self._record(action_id, "action")
        clean: dict[str, Any] = {}
        for name, value in fields.items():
            if name in ("text", "owner"):
                clean[name] = _text(value, name, required=name == "text")
            elif name == "due":
                clean[name] = _due(value)
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
                "text": _text(text, "recommendation", required=True),
                "owner": _text(owner, "owner"),
                "due": _due(due),
            },
        )

    def update_recommendation(self, recommendation_id: str, **fields: Any) -> Change:
        self._record(recommendation_id, "recommendation")
        clean: dict[str, Any] = {}
        for name, value in fields.items():
            if name == "text":
                clean[name] = _text(value, "recommendation", required=True)
            elif name == "owner":
                clean[name] = _text(value, "owner")
            elif name == "due":
                clean[name] = _due(value)
            else:
                raise EditRefused(f"a recommendation has no field '{name}'")
        return self._change("recommendation", recommendation_id, clean)

    def set_summary(self, text: str) -> Change:
        return self._header({"summary": _text(text, "summary")})

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
            fields["moderator_comment"] = _text(comment, "comment")
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


def new_visit_change(
    framework: Framework,
    clock: HybridClock,
    *,
    school: str,
    urn: str = "",
    local_authority: str = "",
    address: str = "",
    scheduled: date | None = None,
    visit_type: str | None = None,
    assessor: str = "",
    planned_minutes: int = 180,
    visit_id: str | None = None,
) -> Change:
    """The change that creates a visit's header record."""
    if visit_type is not None and framework.visit_type(visit_type) is None:
        allowed = ", ".join(v.id for v in framework.visit_types) or "none"
        raise EditRefused(
            f"{framework.id} has no visit type '{visit_type}' (visit types: {allowed})"
        )
    if framework.visit_types and visit_type is None:
        allowed = ", ".join(v.id for v in framework.visit_types)
        raise EditRefused(f"{framework.id} needs a visit type ({allowed})")
    if not 1 <= planned_minutes <= 24 * 60:
        raise EditRefused("planned duration must be between 1 minute and 24 hours")
    visit_id = visit_id or new_id()
    fields = {
        "framework_id": framework.id,
        "framework_version": framework.version,
        "visit_type": visit_type,
        "school_name": _text(school, "school name", required=True).strip(),
        "school_urn": _text(urn, "URN").strip(),
        "school_la": _text(local_authority, "local authority").strip(),
        "school_address": _text(address, "address"),
        "assessor": _text(assessor, "assessor"),
        "scheduled": scheduled.isoformat() if scheduled else None,
        "started_at": None,
        "ended_at": None,
        "planned_minutes": planned_minutes,
        "status": "planned",
        "summary": "",
    }
    return Change(
        id=new_id(),
        visit_id=visit_id,
        record_id=visit_id,
        type="visit",
        fields=fields,
        hlc=clock.tick(),
        device=clock.device,
    )
