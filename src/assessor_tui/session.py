"""The one way in for the CLI and the app: an unlocked store plus the installed plugins.

Data flows one way: callers edit through an `Editor` (validated against the
framework), the change is made durable by the store, and the aggregate,
findings and coverage are recomputed from the records.

Unlocking and listing visits need only the store: the framework-aware domain
and the plugins are imported on first use, so the app's visits list paints
without them (see docs/benchmarks.md, cold start).
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assessor_tui.errors import AssessorError
from assessor_tui.plugins.loading import HostLoader
from assessor_tui.store import StoreError, Vault
from assessor_tui.store.repository import Repository, VisitExists, VisitFile, VisitNotFound

if TYPE_CHECKING:
    from assessor_tui.domain.assemble import PartCache
    from assessor_tui.domain.coverage import Coverage
    from assessor_tui.domain.edits import Editor
    from assessor_tui.domain.findings import Finding
    from assessor_tui.domain.records import Change, Record
    from assessor_tui.domain.visit import Visit
    from assessor_tui.frameworks.model import Framework
    from assessor_tui.plugins.host import PluginHost



class SessionError(AssessorError):
    """A request the session cannot carry out (an ambiguous visit id, a framework not
    installed, a file that is not an export); the message says why."""


def prepare() -> None:
    """Import and build, ahead of time and off the UI thread, what opening the first visit
    needs: the domain modules this module imports on first use, and the record and visit
    validators that pydantic builds on first use (defer_build)."""
    import importlib

    from assessor_tui.domain import records, visit

    for module in ("assemble", "coverage", "edits"):
        importlib.import_module(f"assessor_tui.domain.{module}")
    models = (records.Record, records.Change, visit.Visit, visit.School, visit.Judgement,
              visit.Note, visit.Evidence, visit.Recommendation, visit.ActionPoint,
              visit.TableRow, visit.ListEntry, visit.Answer)
    for model in models:
        model.model_rebuild()  # builds the validator that defer_build left for first use


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
        from assessor_tui.domain.edits import EditRefused
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
            from assessor_tui.domain.edits import MAX_TEXT, EditRefused

            if len(value) > MAX_TEXT:
                raise EditRefused(f"{field} is {len(value):,} characters; the limit is "
                                  f"{MAX_TEXT:,}")
        return value

    def close(self) -> None:
        self.flush()
        self.save_summary()
        self.session.repo.close(self.file.visit_id)


class Session:
    def __init__(self, vault: Vault, host: PluginHost | HostLoader) -> None:
        self.vault = vault
        self.host_loader = host if isinstance(host, HostLoader) else HostLoader.ready(host)
        self.repo = Repository(vault)

    @classmethod
    def unlock(cls, data_dir: Path, passphrase: str, host: PluginHost | HostLoader) -> Session:
        return cls(Vault.unlock(data_dir, passphrase), host)

    @property
    def host(self) -> PluginHost:
        """The installed plugins and frameworks (waits for them while they load)."""
        return self.host_loader()

    def close(self) -> None:
        self.vault.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ frameworks

    def framework(self, framework_id: str) -> Framework:
        framework = self.host.framework(framework_id)
        if framework is None:
            known = ", ".join(sorted(self.host.frameworks)) or "none"
            raise SessionError(f"no framework '{framework_id}' is installed (installed: {known})")
        return framework

    # ------------------------------------------------------------ visits

    def new_visit(
        self,
        framework_id: str,
        *,
        school: str,
        urn: str = "",
        local_authority: str = "",
        address: str = "",
        scheduled: date | None = None,
        visit_type: str | None = None,
        assessor: str = "",
        planned_minutes: int = 180,
    ) -> OpenVisit:
        from assessor_tui.domain.edits import new_visit_change

        framework = self.framework(framework_id)
        change = new_visit_change(
            framework,
            self.repo.clock,
            school=school,
            urn=urn,
            local_authority=local_authority,
            address=address,
            scheduled=scheduled,
            visit_type=visit_type,
            assessor=assessor,
            planned_minutes=planned_minutes,
        )
        file = self.repo.create(change, {})
        opened = OpenVisit(self, file, framework)
        opened.save_summary()
        return opened

    def resolve(self, visit_ref: str) -> str:
        """A visit id from its full id or a unique prefix of it (as git does)."""
        ref = visit_ref.strip().lower()
        ids = self.vault.visit_ids()
        if ref in ids:
            return ref
        matches = [i for i in ids if i.startswith(ref)] if len(ref) >= 4 else []
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise SessionError(f"'{visit_ref}' matches {len(matches)} visits; give more of the id")
        raise VisitNotFound(visit_ref)

    def open(self, visit_ref: str) -> OpenVisit:
        file = self.repo.open(self.resolve(visit_ref))
        header = file.records[file.visit_id].data
        framework = self.host.framework(header["framework_id"])
        if framework is None:
            raise SessionError(self.host.missing_plugin_message(
                header["framework_id"], header["framework_version"]
            ))
        return OpenVisit(self, file, framework)

    def migrate(self, visit_ref: str) -> str | None:
        """Move a visit to the installed version of its framework; returns the old version,
        or None when it was already current. Plugins say how item ids changed."""
        from assessor_tui.domain.edits import migration_changes

        opened = self.open(visit_ref)
        old = opened.visit.framework_version
        if old == opened.framework.version:
            return None
        mapping: dict[str, str | None] = {}
        for name, answer in self.host.call_each(
            "migrate_visit", visit=opened.visit, framework=opened.framework, from_version=old
        ):
            if answer is None:
                continue
            if not isinstance(answer, dict) or not all(
                isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in answer.items()
            ):
                self.host.returned_wrong(name, "migrate_visit", answer, "a mapping of item ids")
                continue
            mapping = answer
            break
        opened.file.apply(migration_changes(opened.editor, mapping))
        OpenVisit(self, opened.file, opened.framework).close()
        return old

    def visits(self) -> list[dict[str, Any]]:
        """Summaries for the visits list; any left stale by a crash are rebuilt first. A
        visit whose file cannot be read is listed as damaged (its last summary kept), so
        the list does not pass it off as usable; `assessor doctor` says what is wrong."""
        damaged = set()
        for visit_id in list(self.repo.stale()):
            try:
                opened = self.open(visit_id)
            except (StoreError, SessionError, ValueError):  # SessionError: its plugin is gone
                damaged.add(visit_id)
                continue
            opened.close()
        return [{**s, "damaged": True} if s["id"] in damaged else s
                for s in self.repo.summaries()]

    def archive(self, visit_ref: str, archived: bool = True) -> None:
        """Hide a visit from the visits list; it stays in the store."""
        opened = self.open(visit_ref)
        self.repo.put_summary(opened.file, {**opened.summary(), "archived": archived})

    # ------------------------------------------------------------ sync

    def sync_account(self) -> dict[str, Any] | None:
        """The server this store syncs with: URL, user, role, device token, pinned CA.
        Kept only in the encrypted index, never in a plain file."""
        account = self.repo.setting("sync")
        return dict(account) if isinstance(account, dict) and account.get("token") else None

    @property
    def moderator(self) -> bool:
        """Whether the sync account logged in as a moderator (the server decides in the
        end: it refuses anyone else)."""
        account = self.sync_account()
        return account is not None and account.get("role") == "moderator"

    def set_sync_account(self, account: dict[str, Any]) -> None:
        self.repo.set_setting("sync", dict(account))

    def read_only_visits(self) -> set[str]:
        return set(self.repo.setting("read_only_visits", []))

    def submit(self, visit_ref: str) -> OpenVisit:
        """Freeze a visit for the moderator; the next sync sends it."""
        opened = self.open(visit_ref)
        if opened.read_only:
            raise SessionError("this is a read-only copy of an earlier visit")
        opened.edit(lambda e: e.move_to("submitted"))
        opened.close()
        return opened

    # ------------------------------------------------------------ export / import

    def export(self, visit_ref: str) -> dict[str, Any]:
        from assessor_tui.domain.exchange import EXPORT_FORMAT, ExportFile

        opened = self.open(visit_ref)
        blobs = {
            e.blob_id: base64.b64encode(self.vault.get_blob(e.blob_id)).decode()
            for e in opened.visit.evidence
            if e.blob_id
        }
        return ExportFile(
            format=EXPORT_FORMAT,
            version=1,
            exported_at=datetime.now(UTC).isoformat(timespec="seconds"),
            visit=opened.visit.model_dump(mode="json"),
            records=sorted(opened.file.records.values(), key=lambda r: (r.created, r.id)),
            outbox=opened.file.outbox(),
            blobs=blobs,
        ).model_dump(mode="json")

    def import_visit(self, data: Any) -> str:
        from pydantic import ValidationError

        from assessor_tui.domain.exchange import ExportFile

        try:
            export = ExportFile.model_validate(data)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            raise SessionError(f"not an exported visit: {where}: {first['msg']}") from None
        headers = [r for r in export.records if r.type == "visit"]
        if len(headers) != 1:
            raise SessionError("not an exported visit: it must hold exactly one visit header")
        visit_id = headers[0].id
        strays = [r.id for r in export.records if r.visit_id != visit_id]
        strays += [c.id for c in export.outbox if c.visit_id != visit_id]
        if strays:
            raise SessionError(f"not an exported visit: {strays[0]} belongs to another visit")
        framework_id = str(headers[0].data.get("framework_id", ""))
        framework = self.host.framework(framework_id)
        if framework is None:
            version = str(headers[0].data.get("framework_version", "?"))
            raise SessionError(self.host.missing_plugin_message(framework_id, version))
        if self.repo.has(visit_id):
            raise VisitExists(visit_id)
        # Attachments keep their ids, so the evidence records and the change log that name
        # them stay exactly as exported (an id already here holds the same bytes, or the
        # import is refused before the visit is written).
        for blob_id, encoded in export.blobs.items():
            self.vault.put_blob(base64.b64decode(encoded, validate=True), blob_id=blob_id)
        file = self.repo.import_records(visit_id, export.records, export.outbox)
        OpenVisit(self, file, framework).save_summary()
        return visit_id


def visit_rows(summaries: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Summaries sorted for display: newest scheduled first, then by school; without the
    store's own bookkeeping (the file time a summary was made from)."""
    rows = [{k: v for k, v in s.items() if k not in _BOOKKEEPING} for s in summaries]
    return sorted(
        rows, key=lambda s: (s.get("scheduled") or "", s.get("school") or ""), reverse=True
    )


_BOOKKEEPING = frozenset({"file_mtime_ns"})
