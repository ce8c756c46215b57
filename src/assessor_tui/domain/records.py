"""Records and changes: the unit of storage and of sync.

A visit is a set of records (its header, one judgement per criterion, each
note, action point, table row…). A record's ``data`` is a flat mapping of
field → JSON value, and ``clocks`` holds the stamp of each field's last write,
so two devices' edits merge field by field. Every edit is a `Change`: the
fields it sets, their values before (``base``, the common ancestor a merge
needs) and its stamp. Deleting is a tombstone, never a removal.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

RecordType = Literal[
    "visit",
    "judgement",
    "answer",
    "ticks",
    "note",
    "evidence",
    "action",
    "row",
    "entry",
    "recommendation",
]
Op = Literal["put", "delete"]


class Record(BaseModel):
    # defer_build: the validator is built on first use, not at import (cold start)
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    id: str
    type: RecordType
    visit_id: str
    data: dict[str, Any] = Field(default_factory=dict)
    clocks: dict[str, str] = Field(default_factory=dict)
    created: str
    updated: str
    device: str
    deleted: bool = False


class Change(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    id: str
    visit_id: str
    record_id: str
    type: RecordType
    op: Op = "put"
    fields: dict[str, Any] = Field(default_factory=dict)
    base: dict[str, Any] = Field(default_factory=dict)
    hlc: str
    device: str


DELETED = "__deleted__"
"""The clock key of a record's tombstone."""


def apply_change(record: Record | None, change: Change) -> Record:
    """The record after ``change``: each field takes the newer stamp's value.

    Applying a change twice, or an older change after a newer one, changes
    nothing: the result depends on the set of changes, not their order.
    """
    if record is None:
        record = Record(
            id=change.record_id,
            type=change.type,
            visit_id=change.visit_id,
            created=change.hlc,
            updated=change.hlc,
            device=change.device,
        )
    data, clocks = dict(record.data), dict(record.clocks)
    for name, value in change.fields.items():
        if clocks.get(name, "") < change.hlc:
            data[name], clocks[name] = value, change.hlc
    deleted = record.deleted
    if change.op == "delete" and clocks.get(DELETED, "") < change.hlc:
        clocks[DELETED], deleted = change.hlc, True
    return record.model_copy(
        update={
            "data": data,
            "clocks": clocks,
            "deleted": deleted,
            "updated": max(record.updated, change.hlc),
            "created": min(record.created, change.hlc),
        }
    )
