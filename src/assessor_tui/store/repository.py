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
from typing import Any

from tinydb import Query

from assessor_tui.domain.clock import HybridClock
from assessor_tui.domain.records import Change, Record, apply_change

from .errors import StoreError
from .storage import EncryptedStorage
from .vault import Vault, canonical_visit_id

RECORDS, OUTBOX = "records", "outbox"
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

    @classmethod
    def load(cls, visit_id: str, storage: EncryptedStorage) -> VisitFile:
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
        return [
            Change.model_validate(d)
            for _, d in sorted(self.tables[OUTBOX].items(), key=lambda kv: int(kv[0]))
        ]

    @staticmethod
    def _next_id(table: dict[str, Any]) -> str:
        return str(max((int(k) for k in table), default=0) + 1)

    def apply(self, changes: Iterable[Change], *, log: bool = True) -> list[Record]:
        """Apply changes and make them durable in one write; on failure nothing changes."""
        changes = list(changes)
        before_tables = {RECORDS: dict(self.tables[RECORDS]), OUTBOX: dict(self.tables[OUTBOX])}
        before_records, before_ids = dict(self.records), dict(self._doc_ids)
        touched: list[Record] = []
        try:
            for change in changes:
                if change.visit_id != self.visit_id:
                    raise ValueError(f"change {change.id} is for another visit")
                record = apply_change(self.records.get(change.record_id), change)
                doc_id = self._doc_ids.get(record.id) or self._next_id(self.tables[RECORDS])
                self._doc_ids[record.id] = doc_id
                self.records[record.id] = record
                self.tables[RECORDS][doc_id] = record.model_dump(mode="json")
                if log:
                    self.tables[OUTBOX][self._next_id(self.tables[OUTBOX])] = change.model_dump(
                        mode="json"
                    )
                touched.append(record)
            self.storage.write(self.tables)
        except BaseException:
            self.tables.update(before_tables)
            self.records, self._doc_ids = before_records, before_ids
            raise
        return touched


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

    # ------------------------------------------------------------ the index

    def put_summary(self, vf: VisitFile, summary: dict[str, Any]) -> None:
        doc = copy.deepcopy(summary)
        doc["id"] = vf.visit_id
        doc["file_mtime_ns"] = _mtime_ns(self._path(vf.visit_id))
        self.vault.index().table(SUMMARIES).upsert(doc, Query().id == vf.visit_id)
        stamp = vf.latest_stamp()
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
