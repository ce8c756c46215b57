"""A visit as plugins, reports and the TUI see it: one immutable aggregate.

The store keeps each record apart (so every edit is one small change); this
aggregate is what rules and reports read.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assessor_tui.domain.kinds import NoteSource

VisitStatus = Literal["planned", "in_progress", "submitted", "returned", "accepted"]


class _Model(BaseModel):
    # defer_build: validators are built on first use, not when the CLI starts
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class School(_Model):
    name: str
    urn: str = ""
    local_authority: str = ""
    address: str = ""


class Judgement(_Model):
    """The assessor's judgement on one criterion, and who changed it last, and when."""

    item_id: str
    level: str | None = None
    rationale: str = ""
    checked: tuple[str, ...] = ()
    fields: dict[str, str] = Field(default_factory=dict)
    updated_at: datetime | None = None
    """When it was last changed (the time in its hybrid logical clock stamp, UTC)."""
    updated_by: str = ""
    """The device that changed it last (one device belongs to one assessor)."""


class Note(_Model):
    id: str
    at: datetime
    text: str
    item_ids: tuple[str, ...] = ()
    source: NoteSource = "other"
    with_whom: str = ""


class Evidence(_Model):
    """A document or data seen: title, kind and reference, optionally a stored file."""

    id: str
    title: str
    kind: str = ""
    reference: str = ""
    blob_id: str | None = None
    item_ids: tuple[str, ...] = ()
    at: datetime | None = None


class Recommendation(_Model):
    """A recommendation the record makes; who takes it forward, and by when."""

    id: str
    text: str
    owner: str = ""
    due: date | None = None


class ActionPoint(_Model):
    id: str
    text: str
    owner: str = ""
    due: date | None = None
    status: Literal["open", "done"] = "open"
    item_id: str | None = None


class TableRow(_Model):
    """A row of a framework table: a fixed row (``row_id``) or one the user added."""

    id: str
    item_id: str
    row_id: str | None = None
    label: str = ""
    cells: dict[str, str] = Field(default_factory=dict)


class ListEntry(_Model):
    id: str
    item_id: str
    text: str


class Answer(_Model):
    """The answer to a text prompt, with an optional progress level."""

    item_id: str
    text: str = ""
    level: str | None = None


class Visit(_Model):
    id: str
    framework_id: str
    framework_version: str
    visit_type: str | None = None
    school: School
    assessor: str = ""
    scheduled: date | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    planned_minutes: int = 180
    status: VisitStatus = "planned"
    summary: str = ""
    judgements: dict[str, Judgement] = Field(default_factory=dict)
    notes: tuple[Note, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    actions: tuple[ActionPoint, ...] = ()
    rows: tuple[TableRow, ...] = ()
    entries: tuple[ListEntry, ...] = ()
    ticks: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    answers: dict[str, Answer] = Field(default_factory=dict)
    recommendations: tuple[Recommendation, ...] = ()
    moderator_comment: str = ""

    def notes_for(self, item_id: str) -> list[Note]:
        return [n for n in self.notes if item_id in n.item_ids]

    def evidence_for(self, item_id: str) -> list[Evidence]:
        return [e for e in self.evidence if item_id in e.item_ids]

    def level(self, item_id: str) -> str | None:
        judgement = self.judgements.get(item_id)
        return judgement.level if judgement else None
