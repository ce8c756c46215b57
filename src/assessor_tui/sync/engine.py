"""The client side of a sync: drain the outbox, then pull pages until caught up.

Nothing is marked synced before the server's answer: a pushed change leaves
the outbox only once the server has committed its batch and said so, in one
durable write of the visit file. A pulled page is applied to the visit files
first and the cursor saved after, so a crash in between re-pulls the page,
which changes nothing the second time (merging is idempotent). A later sync
resumes where this one stopped. A push whose answer shows that nothing else
entered the log since this device's cursor moves the cursor past its own
changes, so they are not pulled back.
"""

from __future__ import annotations

import contextlib
import gc
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from assessor_tui.domain.records import DELETED, Change, Op
from assessor_tui.sync.client import SyncClient
from assessor_tui.sync.protocol import (
    MAX_BATCH_BYTES,
    MAX_BATCH_CHANGES,
    PULL_PAGE,
    FieldConflict,
    PulledChange,
    PushRequest,
    WireChange,
    batch_key,
)

if TYPE_CHECKING:
    from assessor_tui.session import Session
    from assessor_tui.store.repository import VisitFile

SYNC_SETTING = "sync"
CURSOR_SETTING = "sync_cursor"
READ_ONLY_SETTING = "read_only_visits"
RESYNC_SETTING = "sync_resync_needed"
RESYNC_NAMESPACE = uuid.UUID("0b6f3d55-8a4e-4d0c-9f4b-6f0f2f8c6a11")

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``; total is 0 when unknown (pulling)."""


@dataclass
class SyncReport:
    pushed: int = 0
    duplicates: int = 0
    conflicts: int = 0
    """Conflicts this sync found: in its pushes' answers, and in pulled changes (another
    device's edit that collided with one from here, or two others')."""
    rejected: int = 0
    pulled: int = 0
    new_visits: int = 0
    reset: bool = False
    rejections: list[dict[str, Any]] = field(default_factory=list)
    open_conflicts: int | None = None
    """Conflicts waiting in the store after the sync, whenever they arrived (counted at
    the end of `SyncEngine.run`)."""

    @property
    def next_step(self) -> str:
        waiting = self.conflicts if self.open_conflicts is None else self.open_conflicts
        if waiting:
            return (f"resolve the {waiting} conflict{'s' if waiting > 1 else ''} listed by "
                    "`assessor visits show ID`")
        if self.rejected:
            return "the server refused some changes; `assessor visits show ID` lists why"
        return "nothing to do: everything is synced"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "next_step": self.next_step}


def conflict_doc(
    change: Change | PulledChange, c: FieldConflict, device: str | None = None
) -> dict[str, Any]:
    """A conflict as the store keeps it, told from ``device``'s side.

    The server words a conflict from the side of the change that met it: ``yours`` is
    that change's value, ``theirs`` the value it found. On another device the sides
    swap when the value found was that device's own edit (its stamp names the device),
    so "keep yours" always keeps this device's value.
    """
    yours, theirs = (c.yours, c.yours_hlc), (c.theirs, c.theirs_hlc)
    if device and change.device != device and _stamp_device(c.theirs_hlc) == device:
        yours, theirs = theirs, yours
    return {
        "id": f"{change.id}:{c.field}",
        "change_id": change.id,
        "record_id": change.record_id,
        "record_type": change.type,
        "field": c.field,
        "base": c.base,
        "yours": yours[0],
        "theirs": theirs[0],
        "yours_hlc": yours[1],
        "theirs_hlc": theirs[1],
    }


def _stamp_device(stamp: str) -> str:
    """The device part of a hybrid-clock stamp (``ms-counter-device``)."""
    return stamp.split("-", 2)[2] if stamp.count("-") >= 2 else ""


class SyncEngine:
    """One sync of one store with one server."""

    def __init__(
        self, session: Session, client: SyncClient, progress: Progress | None = None
    ) -> None:
        self.session = session
        self.repo = session.repo
        self.client = client
        self.progress = progress or (lambda phase, done, total: None)
        self.report = SyncReport()
        self._rebuild: set[str] = set()
        self._acknowledged: set[str] = set()
        """Ids of the changes this run's pushes applied (status applied or conflict): the
        answer carried every conflict the server keeps with them."""
        self._position: str | None = None
        """The pull cursor as the pushes move it on (see `_push_batch`)."""
        self._touched: dict[str, tuple[VisitFile, bool]] = {}
        """Visits written since the summaries were last refreshed, and whether their
        records changed (else only their sync counts did)."""

    def run(self) -> SyncReport:
        with _gc_paused():
            self.push()
            self.pull()
            if self.repo.setting(RESYNC_SETTING):
                self.push_everything()
                self.repo.set_setting(RESYNC_SETTING, False)
                self.pull()
        self.report.open_conflicts = sum(
            int(s.get("conflicts") or 0) for s in self.repo.summaries()
        )
        return self.report

    # ------------------------------------------------------------ push

    def _pending_files(self) -> Iterator[VisitFile]:
        summaries = self.repo.summaries()
        candidates = {s["id"] for s in summaries if s.get("pending_changes")}
        self._rebuild = set(self.repo.stale())
        candidates |= self._rebuild
        for visit_id in sorted(candidates):
            try:
                vf = self.repo.open(visit_id)
            except (ValueError, KeyError, LookupError):
                continue
            if vf.tables["outbox"]:
                yield vf

    def push(self) -> None:
        files = list(self._pending_files())
        pending = [(vf, change) for vf in files for change in vf.outbox()]
        try:
            self._push_changes(pending, resync=False)
        finally:
            self._refresh_touched()

    def _push_changes(self, pending: list[tuple[VisitFile, Change]], *, resync: bool) -> None:
        total, done = len(pending), 0
        self._position = start = self._cursor()
        self.progress("push", 0, total)
        batch: list[tuple[VisitFile, Change, WireChange]] = []
        size = 0
        try:
            for vf, change in pending:
                wire = WireChange.model_validate(change, from_attributes=True)
                # Bytes as sent (UTF-8), plus a separator: the server's limit is in bytes.
                encoded = len(wire.model_dump_json().encode()) + 8
                if batch and (
                    len(batch) >= MAX_BATCH_CHANGES or size + encoded > MAX_BATCH_BYTES
                ):
                    self._push_batch(batch, resync)
                    done += len(batch)
                    self.progress("push", done, total)
                    batch, size = [], 0
                batch.append((vf, change, wire))
                size += encoded
            if batch:
                self._push_batch(batch, resync)
                done += len(batch)
                self.progress("push", done, total)
        finally:
            if self._position != start:
                self._save_cursor(self._position)

    def _push_batch(self, batch: list[tuple[VisitFile, Change, WireChange]], resync: bool) -> None:
        wire = [w for _, _, w in batch]
        request = PushRequest(
            idempotency_key=("r" if resync else "b") + batch_key([c.id for c in wire]),
            changes=wire,
            resync=resync,
        )
        response = self.client.push(request)
        # Nothing but this batch's changes lies between the two cursors, and they are
        # in this device's files already: no need to pull them back.
        if response.cursor_after is not None and response.cursor_before == self._position:
            self._position = response.cursor_after
        by_id = {change.id: (vf, change) for vf, change, _ in batch}
        settled: dict[str, tuple[VisitFile, list[str], list[dict[str, Any]], list[dict[str, Any]]]]
        settled = {}
        for result in response.results:
            if result.id not in by_id:
                continue
            vf, change = by_id[result.id]
            entry = settled.setdefault(vf.visit_id, (vf, [], [], []))
            if result.status == "rejected":
                entry[3].append(
                    {**change.model_dump(mode="json"), "reason": result.reason or "refused"}
                )
                self.report.rejected += 1
                self.report.rejections.append(
                    {"visit_id": change.visit_id, "change_id": change.id, "reason": result.reason}
                )
                continue
            entry[1].append(change.id)
            if result.status != "duplicate":  # a duplicate's answer omits its conflicts
                self._acknowledged.add(result.id)
            if result.status == "duplicate":
                self.report.duplicates += 1
            else:
                self.report.pushed += 1
            for conflict in result.conflicts:
                entry[2].append(conflict_doc(change, conflict))
                self.report.conflicts += 1
        for vf, acked, conflicts, rejected in settled.values():
            if not resync:
                vf.settle(acked, conflicts, rejected)
            elif conflicts:
                vf.settle([], conflicts, [])
            # A stale summary is rebuilt; a current one needs only its counts updated.
            self._touch(vf, records_changed=vf.visit_id in self._rebuild)

    def push_everything(self) -> None:
        """After a server restore: offer every record again; merging by stamp drops
        nothing and duplicates nothing, so the server regains what it lost."""
        pending: list[tuple[VisitFile, Change]] = []
        for visit_id in self.session.vault.visit_ids():
            try:
                vf = self.repo.open(visit_id)
            except (ValueError, KeyError, LookupError):
                continue
            records = sorted(vf.records.values(), key=lambda r: (r.type != "visit", r.created))
            for record in records:
                pending += [(vf, c) for c in _replay(record)]
        pending.sort(key=lambda p: (p[1].visit_id, p[1].type != "visit", p[1].hlc))
        try:
            self._push_changes(pending, resync=True)
        finally:
            self._refresh_touched()

    # ------------------------------------------------------------ pull

    def _cursor(self) -> str | None:
        saved = self.repo.setting(CURSOR_SETTING)
        if isinstance(saved, dict) and saved.get("url") == self.client.url:
            return saved.get("cursor")
        return None

    def _save_cursor(self, cursor: str | None) -> None:
        self.repo.set_setting(CURSOR_SETTING, {"url": self.client.url, "cursor": cursor})

    def pull(self) -> None:
        try:
            self._pull_pages()
        finally:
            self._refresh_touched()

    def _pull_pages(self) -> None:
        cursor = self._cursor()
        read_only = set(self.repo.setting(READ_ONLY_SETTING, []))
        saved_read_only = sorted(read_only)
        while True:
            page = self.client.pull(cursor, PULL_PAGE)
            if page.reset and cursor is not None:
                self.report.reset = True
                self.repo.set_setting(RESYNC_SETTING, True)
            # The changes this run's pushes applied come back in the log. They are in
            # this device's files already (a change is applied there before it is
            # queued) and their conflicts came with the push's answer, so applying them
            # again would change nothing: skip them. (Not duplicates: applied earlier,
            # their answer has no conflicts, and the pulled copy brings them.)
            by_visit: dict[str, list[PulledChange]] = {}
            for change in page.changes:
                if change.id not in self._acknowledged:
                    by_visit.setdefault(change.visit_id, []).append(change)
            for visit_id, changes in by_visit.items():
                self._apply(visit_id, changes)
            for info in page.visits:
                if info.access == "read":
                    read_only.add(info.id)
                else:
                    read_only.discard(info.id)
            if page.visits and sorted(read_only) != saved_read_only:
                saved_read_only = sorted(read_only)
                self.repo.set_setting(READ_ONLY_SETTING, saved_read_only)
            # Only now, with every visit of the page durable, may the cursor move.
            self._save_cursor(page.cursor)
            cursor = page.cursor
            self.report.pulled += len(page.changes)
            self.progress("pull", self.report.pulled, 0)
            if not page.more:
                return

    def _apply(self, visit_id: str, changes: list[PulledChange]) -> None:
        """One page's changes to one visit: one durable write of its file (none when the
        page changes nothing, e.g. this device's own changes coming back)."""
        vf = self.repo.open_or_new(visit_id)
        is_new = not vf.exists
        # Straight from the validated attributes: dumping with ``exclude`` first cost
        # four times as much.
        plain = [Change.model_validate(c, from_attributes=True) for c in changes]
        me = self.repo.clock.device
        conflicts = [conflict_doc(c, fc, me) for c in changes for fc in c.conflicts]
        saves = vf.saves
        known = {d["id"] for d in vf.conflicts()} if conflicts else set()
        vf.apply_pulled(plain, conflicts)
        if conflicts:
            # New to this device and not already settled by a later edit.
            self.report.conflicts += len({d["id"] for d in vf.conflicts()} - known)
        self.repo.clock.observe(max(change.hlc for change in plain))
        if is_new and vf.exists:
            self.report.new_visits += 1
        if vf.exists and vf.saves != saves:
            self._touch(vf, records_changed=True)

    def _touch(self, vf: VisitFile, *, records_changed: bool) -> None:
        earlier = self._touched.get(vf.visit_id)
        self._touched[vf.visit_id] = (vf, records_changed or bool(earlier and earlier[1]))

    def _refresh_touched(self) -> None:
        """Refresh the summary of each visit written, once, at the end of a push or a
        pull and in one index write, not after every batch or page: a summary is a
        cache, and one older than its visit file (a crash before this runs) is rebuilt
        when the visits are listed. A visit whose framework is not installed keeps a
        partial summary (its sync counts) until it is."""
        touched, self._touched = self._touched, {}
        full: list[tuple[VisitFile, dict[str, Any]]] = []
        counts: list[tuple[VisitFile, dict[str, Any]]] = []
        for vf, records_changed in touched.values():
            sync_counts = {
                "pending_changes": len(vf.tables["outbox"]),
                "conflicts": len(vf.conflicts()),
                "rejected": len(vf.rejected()),
            }
            summary = self._summary(vf) if records_changed else None
            if summary is not None:
                full.append((vf, {**summary, **sync_counts}))
            else:
                counts.append((vf, sync_counts))
        self.repo.put_summaries(full)
        self.repo.put_summaries(counts, existing_only=True)

    def _summary(self, vf: VisitFile) -> dict[str, Any] | None:
        """The visits list's summary of ``vf``; None without its framework."""
        from assessor_tui.session import OpenVisit

        header = vf.records.get(vf.visit_id)
        framework = (
            self.session.host.framework(str(header.data.get("framework_id", "")))
            if header is not None
            else None
        )
        if framework is None:
            return None
        # A summary is a cache: the sync goes on, and `visits list` rebuilds it.
        with contextlib.suppress(ValueError, KeyError, TypeError, AttributeError):
            return OpenVisit(self.session, vf, framework).summary()
        return None


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a sync runs. It allocates hundreds of thousands
    of short-lived objects (parsed changes, records), all freed by reference counting,
    but the collector is triggered by allocation counts and rescanned every live object
    each time: a third of a 10,000-change sync. It runs again as usual afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _replay(record: Any) -> list[Change]:
    """A record's current state as changes, one per stamp, ids fixed by content."""
    groups: dict[str, dict[str, Any]] = {}
    for name, stamp in record.clocks.items():
        if name != DELETED:
            groups.setdefault(stamp, {})[name] = record.data.get(name)
    out = []
    for stamp, fields in sorted(groups.items()):
        out.append(_replayed(record, stamp, fields, "put"))
    if record.deleted and DELETED in record.clocks:
        out.append(_replayed(record, record.clocks[DELETED], {}, "delete"))
    return out


def _replayed(record: Any, stamp: str, fields: dict[str, Any], op: Op) -> Change:
    return Change(
        id=str(uuid.uuid5(RESYNC_NAMESPACE, f"{record.id}/{stamp}/{op}")),
        visit_id=record.visit_id,
        record_id=record.id,
        type=record.type,
        op=op,
        fields=fields,
        base={},
        hlc=stamp,
        device=stamp.split("-", 2)[2],
    )
