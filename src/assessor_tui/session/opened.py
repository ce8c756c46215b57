"""One visit being worked on: edits staged and flushed, the views derived from its records,
and its sync state (conflicts, rejected changes, a read-only copy)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assessor_tui.session.errors import SessionError
from assessor_tui.store.repository import VisitFile

if TYPE_CHECKING:
    from assessor_tui.domain.assemble import PartCache
    from assessor_tui.domain.coverage import Coverage
    from assessor_tui.domain.edits import Editor
    from assessor_tui.domain.findings import Finding
    from assessor_tui.domain.records import Change, Record
    from assessor_tui.domain.visit import Visit
    from assessor_tui.frameworks.model import Framework

    # for types only: the session that opened this visit (session.py imports this module)
    from assessor_tui.session.session import Session


@dataclass
class OpenVisit:
    """One visit being worked on: its records, framework and derived views.

    Edits are *staged* (validated and applied in memory at once, so the screen
    never waits) and *flushed* (made durable in one write). The CLI does both
    in one call; the app flushes from a worker within a second, and at once on
    quit, lock and screen change. Only the flushing thread touches the file.
    """

    session: Session
    file: VisitFile
    framework: Framework

    def __post_init__(self) -> None:
        self._visit: Visit | None = None
        self._parts: PartCache = {}  # each record's part of the aggregate, built once
        self._view: dict[str, Record] = dict(self.file.records)
        self._pending: list[Change] = []
        self._guard = threading.Lock()
        self._flushing = threading.Lock()

    @property
    def records(self) -> dict[str, Record]:
        return self._view

    @property
    def visit(self) -> Visit:
        visit = self._visit
        if visit is None:
            from assessor_tui.domain.assemble import assemble

            visit = self._visit = assemble(self._view.values(), self._parts)
        return visit

    @property
    def editor(self) -> Editor:
        from assessor_tui.domain.edits import Editor

        return Editor(self.framework, self.visit, self._view, self.session.repo.clock)

    @property
    def unsaved(self) -> int:
        """Changes staged but not yet durable."""
        return len(self._pending)

    def stage(self, *edits: Callable[[Editor], Change]) -> list[Change]:
        """Validate every edit, then apply them all in memory; nothing is written yet. A
        read-only copy of an earlier visit is refused here, not only by the server."""
        from assessor_tui.domain.checks import EditRefused
        from assessor_tui.domain.records import apply_change

        if self.read_only:
            raise EditRefused("this is a read-only copy of an earlier visit")
        editor = self.editor
        changes = [edit(editor) for edit in edits]
        with self._guard:
            for change in changes:
                self._view[change.record_id] = apply_change(
                    self._view.get(change.record_id), change
                )
            self._pending.extend(changes)
            self._visit = None
        return changes

    def flush(self) -> int:
        """Make every staged change durable in one write; returns how many were saved.

        On failure (a full disk…) the changes stay staged and the error propagates,
        so the caller can show it and try again; nothing is lost while the app runs.
        """
        with self._flushing:
            with self._guard:
                batch = list(self._pending)
            if not batch:
                return 0
            self.file.apply(batch)
            with self._guard:
                del self._pending[: len(batch)]
            if any(c.type == "visit" for c in batch):
                self.save_summary()
            return len(batch)

    def edit(self, *edits: Callable[[Editor], Change]) -> list[Change]:
        """Stage and flush: durable when this returns (what the CLI needs)."""
        changes = self.stage(*edits)
        self.flush()
        return changes

    def findings(self) -> list[Finding]:
        """The plugins' findings, then a warning for each plugin disabled during the session,
        so that the assessor knows whose rules are no longer checked, and why."""
        host = self.session.host
        return host.evaluate(self.visit, self.framework) + host.failure_findings()

    def coverage(self) -> Coverage:
        from assessor_tui.domain.coverage import coverage

        return coverage(self.visit, self.framework)

    @property
    def pending_changes(self) -> int:
        """Edits not yet on the server: the outbox, and what is staged but not saved."""
        return len(self.file.tables["outbox"]) + self.unsaved

    def summary(self) -> dict[str, Any]:
        v, cov = self.visit, self.coverage()
        return {
            "school": v.school.name,
            "urn": v.school.urn,
            "framework_id": v.framework_id,
            "framework_version": v.framework_version,
            "visit_type": v.visit_type,
            "scheduled": v.scheduled.isoformat() if v.scheduled else None,
            "status": v.status,
            "judged": cov.judged,
            "total": cov.total,
            "coverage": cov.percent,
            "notes": len(v.notes),
            "pending_changes": self.pending_changes,
            "updated": self.file.latest_stamp(),
        }

    def save_summary(self) -> None:
        self.session.repo.put_summary(self.file, self.summary())

    # ------------------------------------------------------------ sync state

    @property
    def read_only(self) -> bool:
        """A read-only copy of an earlier visit to this school, pulled for reference."""
        return self.file.visit_id in self.session.read_only_visits()

    def conflicts(self) -> list[dict[str, Any]]:
        """Fields two devices edited concurrently: both values, and the one shown now."""
        out = []
        for doc in self.file.conflicts():
            record = self._view.get(doc.get("record_id", ""))
            current = record.data.get(doc.get("field", "")) if record else None
            out.append({**doc, "current": current})
        return out

    def rejected(self) -> list[dict[str, Any]]:
        """Changes the server refused, each with its reason."""
        return self.file.rejected()

    def sync_state(self) -> dict[str, Any]:
        """What the visits table, header and sync screen show about this visit."""
        return {
            "pending_changes": len(self.file.tables["outbox"]),
            "conflicts": self.conflicts(),
            "rejected": self.rejected(),
            "read_only": self.read_only,
            "moderator_comment": self.file.records[self.file.visit_id].data.get(
                "moderator_comment", ""
            ),
        }

    def resolve_conflict(self, conflict_id: str, value: Any) -> Change:
        """Keep one value, the other, or an edited merge; the choice syncs as an edit."""
        self.flush()  # staged edits first, so the log keeps the assessor's order
        doc = next((d for d in self.file.conflicts() if d.get("id") == conflict_id), None)
        if doc is None:
            raise SessionError(f"no conflict '{conflict_id}' in this visit")
        record = self.file.records.get(doc["record_id"])
        if record is None:
            raise SessionError(f"the record of conflict '{conflict_id}' is not in this visit")
        from assessor_tui.domain.ids import new_id
        from assessor_tui.domain.records import Change

        field = doc["field"]
        if value not in (doc.get("yours"), doc.get("theirs")):
            value = self._merge_checked(record, field, value)
        clock = self.session.repo.clock
        change = Change(
            id=new_id(),
            visit_id=self.file.visit_id,
            record_id=record.id,
            type=record.type,
            fields={field: value},
            base={field: record.data[field]} if field in record.data else {},
            hlc=clock.tick(),
            device=clock.device,
        )
        resolved = self.file.resolve(conflict_id, change)
        with self._guard:
            self._view[resolved.id] = resolved
            self._visit = None
        self.save_summary()
        self.session.repo.note_sync(self.file)
        return change

    def _merge_checked(self, record: Record, field: str, value: Any) -> Any:
        """An edited merge passes the checks of the edit it stands for (a level on its
        scale, by id or label; a field's type; a text's length); either side kept as it
        was needs none. EditRefused says why."""
        item_id = record.data.get("item_id")
        editor = self.editor
        if record.type in ("judgement", "answer") and field == "level" and item_id:
            return editor.set_level(item_id, value or None).fields["level"]
        if record.type == "judgement" and field == "rationale" and item_id:
            return editor.set_rationale(item_id, value).fields["rationale"]
        if record.type == "judgement" and field.startswith("field:") and item_id:
            return editor.set_field(item_id, field.removeprefix("field:"), value).fields[field]
        if isinstance(value, str):
            from assessor_tui.domain.checks import MAX_TEXT, EditRefused

            if len(value) > MAX_TEXT:
                raise EditRefused(f"{field} is {len(value):,} characters; the limit is "
                                  f"{MAX_TEXT:,}")
        return value

    def close(self) -> None:
        self.flush()
        self.save_summary()
        self.session.repo.close(self.file.visit_id)
