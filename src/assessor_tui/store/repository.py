"""Visits on top of the vault: each visit's records and change log, and the index.

One visit is one encrypted file holding two TinyDB tables: ``records`` (the
current state of each record) and ``outbox`` (every change not yet synced).
An edit updates both in ONE durable write, so the record and its change-log
entry can never disagree, and costs the size of one visit, never of all.

The index holds a summary per visit for the visits list. It is refreshed when
a visit is created, when its header changes and when it is closed; a summary
older than its visit file (a crash in between) is rebuilt on listing.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tinydb import Query

from assessor_tui.domain.clock import HybridClock

from .errors import StoreError
from .storage import EncryptedStorage
from .vault import Vault, canonical_visit_id

if TYPE_CHECKING:  # imported where a visit file is read: the index needs no record models
    from assessor_tui.domain.records import Change, Record

RECORDS, OUTBOX = "records", "outbox"
CONFLICTS, REJECTED = "conflicts", "rejected"
SUMMARIES, SETTINGS = "visits", "settings"


class VisitNotFound(StoreError):
    def __init__(self, visit_id: str) -> None:
        super().__init__(f"no visit '{visit_id}' in this store")


class VisitExists(StoreError):
    def __init__(self, visit_id: str) -> None:
        super().__init__(f"visit '{visit_id}' is already in this store")


@dataclass
class VisitFile:
    """One visit's records and outbox, held in memory exactly as they are on disk."""

    visit_id: str
    storage: EncryptedStorage
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    records: dict[str, Record] = field(default_factory=dict)
    _doc_ids: dict[str, str] = field(default_factory=dict)
    saves: int = 0
    """Durable writes made through this object (a write that would change nothing is
    skipped, so a caller can tell whether, say, a re-pulled page changed the visit)."""

    @classmethod
    def load(cls, visit_id: str, storage: EncryptedStorage) -> VisitFile:
        from assessor_tui.domain.records import Record

        tables = storage.read() or {}
        tables.setdefault(RECORDS, {})
        tables.setdefault(OUTBOX, {})
        vf = cls(visit_id, storage, tables)
        for doc_id, doc in tables[RECORDS].items():
            record = Record.model_validate(doc)
            vf.records[record.id] = record
            vf._doc_ids[record.id] = doc_id
        return vf

    @property
    def exists(self) -> bool:
        return self.visit_id in self.records

    def latest_stamp(self) -> str:
        return max((r.updated for r in self.records.values()), default="")

    def outbox(self) -> list[Change]:
        from assessor_tui.domain.records import Change

        return [
            Change.model_validate(d)
            for _, d in sorted(self.tables[OUTBOX].items(), key=lambda kv: int(kv[0]))
        ]

    @staticmethod
    def _next_id(table: dict[str, Any]) -> str:
        return str(max((int(k) for k in table), default=0) + 1)

    def apply(self, changes: Iterable[Change], *, log: bool = True) -> list[Record]:
        """Apply changes and make them durable in one write; on failure nothing changes.

        The same write as a sync's, so a local edit of a conflicted field settles it too.
        """
        return self._sync_write(changes, log=log)

    # ------------------------------------------------------------ sync

    def conflicts(self) -> list[dict[str, Any]]:
        """Concurrent edits of one field kept for the assessor to resolve (both values)."""
        return [dict(d) for _, d in sorted(self.tables.get(CONFLICTS, {}).items())]

    def rejected(self) -> list[dict[str, Any]]:
        """Changes the server refused, with its reason: kept, never dropped silently."""
        return [dict(d) for _, d in sorted(self.tables.get(REJECTED, {}).items())]

    def _sync_write(
        self,
        changes: Iterable[Change] = (),
        *,
        log: bool = False,
        acked: Iterable[str] = (),
        conflicts: Iterable[dict[str, Any]] = (),
        rejected: Iterable[dict[str, Any]] = (),
        resolved: Iterable[str] = (),
    ) -> list[Record]:
        """Apply, acknowledge, keep conflicts and refusals: one durable write, or nothing.

        Each record touched is serialised once, however many changes it took, and new
        document ids are counted on from the largest (not searched for per change). When
        the result equals what is on disk (a page pulled again) nothing is written.
        """
        from assessor_tui.domain.records import apply_change

        before_tables = {k: dict(v) for k, v in self.tables.items()}
        before_records, before_ids = dict(self.records), dict(self._doc_ids)
        touched: list[Record] = []
        try:
            self.tables.setdefault(CONFLICTS, {})
            self.tables.setdefault(REJECTED, {})
            next_record = next_logged = 0
            changed: dict[str, str] = {}  # record id -> doc id, records that differ now
            for change in changes:
                if change.visit_id != self.visit_id:
                    raise ValueError(f"change {change.id} is for another visit")
                old = self.records.get(change.record_id)
                record = apply_change(old, change)
                if record != old:
                    doc_id = self._doc_ids.get(record.id)
                    if doc_id is None:
                        next_record = next_record or int(self._next_id(self.tables[RECORDS]))
                        doc_id, next_record = str(next_record), next_record + 1
                        self._doc_ids[record.id] = doc_id
                    self.records[record.id] = record
                    changed[record.id] = doc_id
                if log:
                    next_logged = next_logged or int(self._next_id(self.tables[OUTBOX]))
                    self.tables[OUTBOX][str(next_logged)] = change.model_dump(mode="json")
                    next_logged += 1
                touched.append(record)
            for record_id, doc_id in changed.items():
                self.tables[RECORDS][doc_id] = self.records[record_id].model_dump(mode="json")
            gone = set(acked)
            if gone:
                self.tables[OUTBOX] = {
                    k: d for k, d in self.tables[OUTBOX].items() if d.get("id") not in gone
                }
            for doc in rejected:
                self.tables[REJECTED][str(doc["id"])] = doc
            for doc in conflicts:
                self.tables[CONFLICTS][str(doc["id"])] = doc
            for conflict_id in resolved:
                self.tables[CONFLICTS].pop(conflict_id, None)
            self._drop_superseded_conflicts()
            if self.tables != before_tables:
                self.storage.write(self.tables)
                self.saves += 1
        except BaseException:
            self.tables.clear()
            self.tables.update(before_tables)
            self.records, self._doc_ids = before_records, before_ids
            raise
        return touched

    def _drop_superseded_conflicts(self) -> None:
        """A conflict lives while its field's newest stamp is one of its two edits; any
        later edit of the field (a resolution, here or on another device) settles it."""
        table = self.tables[CONFLICTS]
        for key, doc in list(table.items()):
            record = self.records.get(doc.get("record_id", ""))
            newest = max(doc.get("yours_hlc", ""), doc.get("theirs_hlc", ""))
            if record is not None and record.clocks.get(doc.get("field", ""), "") > newest:
                del table[key]

    def apply_pulled(
        self, changes: Iterable[Change], conflicts: Iterable[dict[str, Any]] = ()
    ) -> list[Record]:
        """Changes from the server: merged, not logged (they are synced already)."""
        return self._sync_write(changes, log=False, conflicts=conflicts)

    def settle(
        self,
        acked: Iterable[str],
        conflicts: Iterable[dict[str, Any]] = (),
        rejected: Iterable[dict[str, Any]] = (),
    ) -> None:
        """After the server's durable answer: acknowledged and refused changes leave the
        outbox, conflicts and refusals are kept for the assessor, in one durable write."""
        refused = list(rejected)
        self._sync_write(
            acked=[*acked, *(d["id"] for d in refused)], conflicts=conflicts, rejected=refused
        )

    def resolve(self, conflict_id: str, change: Change) -> Record:
        """The assessor's choice for a conflicted field, logged for sync like any edit."""
        if conflict_id not in self.tables.get(CONFLICTS, {}):
            raise StoreError(f"no conflict '{conflict_id}' in this visit")
        return self._sync_write([change], log=True, resolved=[conflict_id])[0]


class Repository:
    """The assessor's visits in an unlocked vault."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.clock = HybridClock(vault.device_id.replace("-", "")[:16])
        last = self._setting("last_stamp")
        if isinstance(last, str) and last:
            self.clock.observe(last)

    # ------------------------------------------------------------ settings

    def _setting(self, name: str) -> Any:
        docs = self.vault.index().table(SETTINGS).search(Query().name == name)
        return docs[0]["value"] if docs else None

    def set_setting(self, name: str, value: Any) -> None:
        self.vault.index().table(SETTINGS).upsert(
            {"name": name, "value": value}, Query().name == name
        )

    def setting(self, name: str, default: Any = None) -> Any:
        value = self._setting(name)
        return default if value is None else value

    # ------------------------------------------------------------ visits

    def _storage(self, visit_id: str) -> EncryptedStorage:
        storage = self.vault.visit_db(visit_id).storage
        assert isinstance(storage, EncryptedStorage)
        return storage

    def _path(self, visit_id: str) -> str:
        return os.path.join(self.vault.data_dir, "visits", f"{visit_id}.db")

    def has(self, visit_id: str) -> bool:
        try:
            return canonical_visit_id(visit_id) in self.vault.visit_ids()
        except ValueError:
            return False

    def create(self, change: Change, summary: dict[str, Any]) -> VisitFile:
        if self.has(change.visit_id):
            raise VisitExists(change.visit_id)
        vf = VisitFile.load(change.visit_id, self._storage(change.visit_id))
        vf.apply([change])
        self.put_summary(vf, summary)
        return vf

    def open(self, visit_id: str) -> VisitFile:
        try:
            vid = canonical_visit_id(visit_id)
        except ValueError:
            raise VisitNotFound(visit_id) from None
        vf = VisitFile.load(vid, self._storage(vid))
        if not vf.exists:
            raise VisitNotFound(visit_id)
        stamp = vf.latest_stamp()
        if stamp:
            self.clock.observe(stamp)
        return vf

    def import_records(
        self, visit_id: str, records: Iterable[Record], outbox: Iterable[Change]
    ) -> VisitFile:
        """Write a visit exactly as exported: records with their clocks, and its change log."""
        vid = canonical_visit_id(visit_id)
        if self.has(vid):
            raise VisitExists(vid)
        vf = VisitFile.load(vid, self._storage(vid))
        vf.tables[RECORDS] = {
            str(n): r.model_dump(mode="json") for n, r in enumerate(records, start=1)
        }
        vf.tables[OUTBOX] = {
            str(n): c.model_dump(mode="json") for n, c in enumerate(outbox, start=1)
        }
        vf.storage.write(vf.tables)
        return VisitFile.load(vid, vf.storage)

    def close(self, visit_id: str) -> None:
        self.vault.close_visit(visit_id)

    def open_or_new(self, visit_id: str) -> VisitFile:
        """A visit's file for changes pulled from the server, which may bring new visits."""
        vid = canonical_visit_id(visit_id)
        vf = VisitFile.load(vid, self._storage(vid))
        stamp = vf.latest_stamp()
        if stamp:
            self.clock.observe(stamp)
        return vf

    def note_sync(self, vf: VisitFile) -> None:
        """Refresh a visit's sync counts in its summary without rebuilding the rest."""
        docs = self.vault.index().table(SUMMARIES).search(Query().id == vf.visit_id)
        doc = dict(docs[0]) if docs else {}
        doc.update(
            pending_changes=len(vf.tables[OUTBOX]),
            conflicts=len(vf.tables.get(CONFLICTS, {})),
            rejected=len(vf.tables.get(REJECTED, {})),
        )
        if docs:
            doc["file_mtime_ns"] = _mtime_ns(self._path(vf.visit_id))
            doc["id"] = vf.visit_id
            self.vault.index().table(SUMMARIES).upsert(doc, Query().id == vf.visit_id)
        stamp = vf.latest_stamp()
        if stamp and stamp > (self._setting("last_stamp") or ""):
            self.set_setting("last_stamp", stamp)

    # ------------------------------------------------------------ the index

    def put_summary(self, vf: VisitFile, summary: dict[str, Any]) -> None:
        doc = copy.deepcopy(summary)
        doc["id"] = vf.visit_id
        doc["file_mtime_ns"] = _mtime_ns(self._path(vf.visit_id))
        self.vault.index().table(SUMMARIES).upsert(doc, Query().id == vf.visit_id)
        stamp = vf.latest_stamp()
        if stamp and stamp > (self._setting("last_stamp") or ""):
            self.set_setting("last_stamp", stamp)

    def put_summaries(
        self, items: Iterable[tuple[VisitFile, dict[str, Any]]], *, existing_only: bool = False
    ) -> None:
        """Several visits' summaries in one index write, not one each (a sync refreshes
        every visit it wrote at the end). Fields are merged into an existing summary, as
        `put_summary` does; ``existing_only`` updates only visits that have one, as
        `note_sync` does."""
        docs: dict[str, dict[str, Any]] = {}
        stamp = ""
        for vf, summary in items:
            doc = copy.deepcopy(summary)
            doc["id"] = vf.visit_id
            doc["file_mtime_ns"] = _mtime_ns(self._path(vf.visit_id))
            docs[vf.visit_id] = doc
            stamp = max(stamp, vf.latest_stamp())
        if not docs:
            return
        table = self.vault.index().table(SUMMARIES)
        matches = table.search(Query().id.one_of(list(docs)))
        if matches:
            table.update(lambda d: d.update(docs[d["id"]]), doc_ids=[d.doc_id for d in matches])
        found = {d["id"] for d in matches}
        missing = [doc for vid, doc in docs.items() if vid not in found]
        if missing and not existing_only:
            table.insert_multiple(missing)
        if stamp and stamp > (self._setting("last_stamp") or ""):
            self.set_setting("last_stamp", stamp)

    def summaries(self) -> list[dict[str, Any]]:
        """Every visit's summary, in creation order (UUIDv7 order)."""
        docs = {d["id"]: dict(d) for d in self.vault.index().table(SUMMARIES).all()}
        return [docs.get(vid, {"id": vid}) for vid in self.vault.visit_ids()]

    def stale(self) -> Iterator[str]:
        """Visits whose file changed after their summary was written (or that have none)."""
        docs = {d["id"]: d for d in self.vault.index().table(SUMMARIES).all()}
        for vid in self.vault.visit_ids():
            doc = docs.get(vid)
            if doc is None or doc.get("file_mtime_ns") != _mtime_ns(self._path(vid)):
                yield vid


def _mtime_ns(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return None
