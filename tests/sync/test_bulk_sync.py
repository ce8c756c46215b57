"""Large syncs: a pull page spanning many visits writes each visit file once, a crash
before its cursor is saved re-pulls the page harmlessly (and rewrites nothing), the
pushing device does not re-apply its own changes, and pages stop at a byte budget."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from tests.sync.conftest import ServerProcess
from tests.sync.faults import FaultyProxy
from tests.sync.helpers import fill, laptop, login, snapshot, sync
from tests.tui.conftest import BUILT_INS

from assessor_tui.domain.ids import new_id
from assessor_tui.plugins.host import PluginHost
from assessor_tui.server import service as service_module
from assessor_tui.server.service import Caller, Service
from assessor_tui.store.repository import Repository, VisitFile
from assessor_tui.store.storage import EncryptedStorage
from assessor_tui.sync.client import Unreachable
from assessor_tui.sync.engine import CURSOR_SETTING
from assessor_tui.sync.protocol import PushRequest, WireChange


class Crash(Exception):
    """The laptop dies."""


@pytest.fixture(scope="module")
def host() -> PluginHost:
    from assessor_tui.plugins.host import load_host

    return load_host(entry_points=False, plugins=BUILT_INS, blocked=())


@pytest.fixture
def visit_writes(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Durable writes of visit files, by file."""
    writes: Counter[str] = Counter()
    original = EncryptedStorage.write

    def counting(self: EncryptedStorage, data: Any) -> None:
        if self.label.startswith("visits"):
            writes[self.label] += 1
        original(self, data)

    monkeypatch.setattr(EncryptedStorage, "write", counting)
    return writes


def _two_laptops(server: ServerProcess, tmp_path: Path, host: PluginHost) -> tuple[Any, Any]:
    codes = [server.admin("user", "add", "ann", "--role", "assessor")["code"],
             server.admin("user", "enrol", "ann")["code"]]
    a, b = laptop(tmp_path / "a", host), laptop(tmp_path / "b", host)
    login(a, server.url, "ann", codes[0])
    login(b, server.url, "ann", codes[1])
    return a, b


def test_a_page_of_many_visits_writes_each_once_and_re_pulling_it_changes_nothing(
    server: ServerProcess, tmp_path: Path, host: PluginHost, visit_writes: Counter[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b = _two_laptops(server, tmp_path, host)
    total = fill(a, visits=6, notes=20)
    sync(a)

    saved = Repository.set_setting

    def dies_saving_the_cursor(self: Repository, name: str, value: Any) -> None:
        if name == CURSOR_SETTING:
            raise Crash
        saved(self, name, value)

    monkeypatch.setattr(Repository, "set_setting", dies_saving_the_cursor)
    visit_writes.clear()
    with pytest.raises(Crash):
        sync(b)
    # One page held all six visits: each file was written once, before the cursor.
    assert len(visit_writes) == 6 and set(visit_writes.values()) == {1}
    assert snapshot(b) == snapshot(a)

    monkeypatch.setattr(Repository, "set_setting", saved)
    visit_writes.clear()
    again = sync(b)
    assert again.pulled == total  # the page came again, from the old cursor
    assert again.new_visits == 0
    assert not visit_writes  # and changed nothing, so no file was rewritten
    assert snapshot(b) == snapshot(a)
    assert sync(b).pulled == 0
    assert len(b.repo.summaries()) == 6


def test_the_pushing_laptop_does_not_apply_its_own_changes_again(
    server: ServerProcess, tmp_path: Path, host: PluginHost, visit_writes: Counter[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b = _two_laptops(server, tmp_path, host)
    total = fill(a, visits=4, notes=30)
    before = snapshot(a)
    applied: list[int] = []
    original = VisitFile.apply_pulled

    def counting(self: VisitFile, changes: Any, conflicts: Any = ()) -> Any:
        changes = list(changes)
        applied.append(len(changes))
        return original(self, changes, conflicts)

    monkeypatch.setattr(VisitFile, "apply_pulled", counting)
    visit_writes.clear()
    report = sync(a)
    # Nothing else entered the log meanwhile: the push's answer moves the cursor past
    # these changes, so they are not even fetched back.
    assert report.pushed == total and report.pulled == 0
    assert applied == []
    # One batch: each visit's file is written once, to settle its outbox.
    assert len(visit_writes) == 4 and set(visit_writes.values()) == {1}
    assert snapshot(a) == before
    assert all(s.get("pending_changes") == 0 for s in a.repo.summaries())
    # Another laptop's edit lands first: the pull then fetches it and the pusher's own
    # change; the other's is applied, the own one skipped, not merged a second time.
    visit_id = a.vault.visit_ids()[0]
    sync(b)
    opened = b.open(visit_id)
    opened.edit(lambda e: e.add_note("from b"))
    opened.close()
    sync(b)
    opened = a.open(visit_id)
    opened.edit(lambda e: e.add_note("from a"))
    opened.close()
    applied.clear()
    report = sync(a)
    assert (report.pushed, report.pulled) == (1, 2)
    assert applied == [1]
    sync(b)
    assert snapshot(a) == snapshot(b)


def test_pull_pages_stop_at_the_byte_budget(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service_module, "MAX_PAGE_BYTES", 3000)
    service.add_user("ann", "assessor")
    caller = Caller(user_id=1, name="ann", role="assessor", device_id="d1")
    visit_id, device = new_id(), "dev1"

    def stamp(n: int) -> str:
        return f"{1700000000000 + n:013d}-0000-{device}"

    changes = [WireChange(
        id=new_id(), visit_id=visit_id, record_id=visit_id, type="visit",
        fields={"framework_id": "ice-mark", "status": "planned", "school_name": "S"},
        hlc=stamp(0), device=device,
    )]
    sizes = [300] * 40 + [10_000] + [300] * 5  # one note alone is over the budget
    changes += [WireChange(
        id=new_id(), visit_id=visit_id, record_id=new_id(), type="note",
        fields={"text": "x" * size}, hlc=stamp(n + 1), device=device,
    ) for n, size in enumerate(sizes)]
    response = service.push(caller, PushRequest(idempotency_key=new_id(), changes=changes))
    assert {r.status for r in response.results} == {"applied"}

    seen: list[str] = []
    cursor, pages = None, 0
    while True:
        page = service.pull(caller, cursor, limit=1000)
        pages += 1
        assert page.changes, "every page makes progress"
        size = sum(len(c.model_dump_json()) for c in page.changes)
        assert size <= 3000 + 30 * len(page.changes) or len(page.changes) == 1
        seen += [c.id for c in page.changes]
        cursor = page.cursor
        if not page.more:
            break
    assert seen == [c.id for c in changes]  # all, in order, once
    assert pages > 10
    assert service.pull(caller, cursor).changes == []


def test_a_conflict_whose_answer_was_lost_still_reaches_the_laptop_that_pushed_it(
    server: ServerProcess, tmp_path: Path, host: PluginHost,
) -> None:
    a, b = _two_laptops(server, tmp_path, host)
    fill(a, visits=1, notes=0)
    sync(a)
    sync(b)
    visit_id = a.vault.visit_ids()[0]
    theirs = b.open(visit_id)
    theirs.edit(lambda e: e.set_level("partnerships-1", "not-met"))
    theirs.close()
    sync(b)
    mine = a.open(visit_id)
    mine.edit(lambda e: e.set_level("partnerships-1", "not-seen"))
    mine.close()
    proxy = FaultyProxy(server.url, ["drop_response"] * 100)  # applied, answer never seen
    try:
        with pytest.raises(Unreachable):
            sync(a, proxy.url, budget=0.5)
    finally:
        proxy.close()
    mine = a.open(visit_id)
    mine.edit(lambda e: e.add_note("a new batch, so a new key"))
    mine.close()
    report = sync(a)
    assert report.duplicates == 1 and report.pushed == 1
    # The duplicate's answer names no conflict; the pulled copy of the change does.
    assert [c["field"] for c in a.open(visit_id).conflicts()] == ["level"]
    sync(b)
    assert [c["field"] for c in b.open(visit_id).conflicts()] == ["level"]
