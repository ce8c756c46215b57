"""Records → the `Visit` aggregate that rules, reports and screens read."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from assessor_tui.domain.records import Record
from assessor_tui.domain.visit import (
    ActionPoint,
    Answer,
    Evidence,
    Judgement,
    ListEntry,
    Note,
    Recommendation,
    School,
    TableRow,
    Visit,
)


def prefixed(data: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {k[len(prefix) :]: v for k, v in data.items() if k.startswith(prefix)}


def ticked(data: dict[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(k for k, v in prefixed(data, "tick:").items() if v))


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def assemble(records: Iterable[Record]) -> Visit:
    """Build the aggregate from a visit's live records (tombstones are skipped)."""
    live = sorted((r for r in records if not r.deleted), key=lambda r: (r.created, r.id))
    header = next((r for r in live if r.type == "visit"), None)
    if header is None:
        raise ValueError("the visit has no header record")
    h = header.data
    parts: dict[str, list[Any]] = {
        k: [] for k in ("notes", "evidence", "actions", "rows", "entries", "recommendations")
    }
    judgements: dict[str, Judgement] = {}
    answers: dict[str, Answer] = {}
    ticks: dict[str, tuple[str, ...]] = {}
    for r in live:
        d = r.data
        if r.type == "judgement":
            judgements[d["item_id"]] = Judgement(
                item_id=d["item_id"],
                level=d.get("level"),
                rationale=d.get("rationale", ""),
                checked=ticked(d),
                fields={k: str(v) for k, v in prefixed(d, "field:").items() if v not in (None, "")},
            )
        elif r.type == "answer":
            answers[d["item_id"]] = Answer(
                item_id=d["item_id"], text=d.get("text", ""), level=d.get("level")
            )
        elif r.type == "ticks":
            ticks[d["item_id"]] = ticked(d)
        elif r.type == "note":
            parts["notes"].append(
                Note(
                    id=r.id,
                    at=datetime.fromisoformat(d["at"]),
                    text=d.get("text", ""),
                    item_ids=tuple(d.get("item_ids", ())),
                    source=d.get("source", "other"),
                    with_whom=d.get("with_whom", ""),
                )
            )
        elif r.type == "evidence":
            parts["evidence"].append(
                Evidence(
                    id=r.id,
                    title=d.get("title", ""),
                    kind=d.get("kind", ""),
                    reference=d.get("reference", ""),
                    blob_id=d.get("blob_id"),
                    item_ids=tuple(d.get("item_ids", ())),
                    at=_datetime(d.get("at")),
                )
            )
        elif r.type == "action":
            parts["actions"].append(
                ActionPoint(
                    id=r.id,
                    text=d.get("text", ""),
                    owner=d.get("owner", ""),
                    due=_date(d.get("due")),
                    status=d.get("status", "open"),
                    item_id=d.get("item_id"),
                )
            )
        elif r.type == "row":
            parts["rows"].append(
                TableRow(
                    id=r.id,
                    item_id=d["item_id"],
                    row_id=d.get("row_id"),
                    label=d.get("label", ""),
                    cells={
                        k: str(v) for k, v in prefixed(d, "cell:").items() if v not in (None, "")
                    },
                )
            )
        elif r.type == "entry":
            parts["entries"].append(
                ListEntry(id=r.id, item_id=d["item_id"], text=d.get("text", ""))
            )
        elif r.type == "recommendation":
            parts["recommendations"].append(Recommendation(id=r.id, text=d.get("text", "")))
    parts["notes"].sort(key=lambda n: (n.at, n.id))
    return Visit(
        id=header.id,
        framework_id=h["framework_id"],
        framework_version=h["framework_version"],
        visit_type=h.get("visit_type"),
        school=School(
            name=h.get("school_name", ""),
            urn=h.get("school_urn", ""),
            local_authority=h.get("school_la", ""),
            address=h.get("school_address", ""),
        ),
        assessor=h.get("assessor", ""),
        scheduled=_date(h.get("scheduled")),
        started_at=_datetime(h.get("started_at")),
        ended_at=_datetime(h.get("ended_at")),
        planned_minutes=h.get("planned_minutes", 180),
        status=h.get("status", "planned"),
        summary=h.get("summary", ""),
        moderator_comment=h.get("moderator_comment", ""),
        judgements=judgements,
        answers=answers,
        ticks=ticks,
        **{k: tuple(v) for k, v in parts.items()},
    )
