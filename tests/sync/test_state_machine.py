"""Model-based sync test: several devices and one server, driven by hypothesis.

Each device is an encrypted store with a `Session` (fast KDF); the server is the real
FastAPI app over SQLite in a temporary folder, reached through a transport that runs
the ASGI app in-process and injects faults: lost requests, responses lost after the
server committed, duplicated deliveries, pushes held back and delivered later in any
order, 503s, and a client that crashes after the server answered, or between applying
a pulled page and saving its cursor, or just after saving it (its in-memory state is
dropped and the store reopened from disk). The server restarts on the same database,
and a laptop's app restarts.

Every device's clock reads one shared fake time, and device names are fixed, so the
stamps (and so every merge) depend only on the steps hypothesis chose.

After a final phase in which every device syncs twice over a clean network:

- every device and the server hold the same records (data, clocks, tombstones), and
  that state is what merging every edit ever made gives;
- every edit is present, or was knowingly overwritten (a later edit's base is its
  value), or the server reported it in a conflict; every conflict not settled by a
  later edit is listed on every device; nothing was refused;
- pushing everything again (the recorded requests, and every change under a new key)
  changes nothing on the server, and a further sync moves nothing.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select
from tests.sync.pgcluster import PostgresCluster
from tests.tui.conftest import BUILT_INS

from assessor_tui.domain.records import Change, Record, apply_change
from assessor_tui.plugins.host import PluginHost, load_host
from assessor_tui.server import db
from assessor_tui.server.app import create_app
from assessor_tui.server.service import Service
from assessor_tui.session import Session
from assessor_tui.store import FLOOR_KDF, Vault
from assessor_tui.sync.client import SyncClient
from assessor_tui.sync.engine import CURSOR_SETTING, SyncEngine
from assessor_tui.sync.protocol import MISSING, canonical

PASSPHRASE = "a long and secret passphrase"
URL = "http://127.0.0.1"
USER = "ann"
FRAMEWORK = "ice-mark"
CRITERIA = ["partnerships-1", "partnerships-2"]
LEVELS = ["not-met", "partly-met", "met", "not-seen", None]
RATIONALES = ["clear", "thin", "strong"]
TICKS = ["primary-schools", "secondary-school", "employers"]
FAULTS = [
    "ok",
    "drop_request",  # never reaches the server; the client retries at once
    "drop_response",  # the server commits, the answer is lost; the client retries
    "duplicate",  # the server receives it twice
    "hold",  # a push is held back (delivered later, maybe twice); the client retries
    "hold_abort",  # held back, and the sync gives up: a later sync retries
    "crash_after",  # the server answers, the client process dies before reading it
    "busy",  # 503 with Retry-After
]

_host: PluginHost | None = None



def sqlite_database(folder: Path) -> str:
    return f"sqlite:///{folder / 'server.db'}"


DATABASE: Callable[[Path], str] = sqlite_database
"""How each run gets a fresh, empty server database (SQLite unless a test says otherwise)."""


def host() -> PluginHost:
    global _host
    if _host is None:
        _host = load_host(entry_points=False, plugins=BUILT_INS, blocked=())
    return _host


class Crash(Exception):
    """The assessor's laptop died here: everything in memory is gone."""


class GaveUp(Exception):
    """The sync stopped (a network give-up); the session stays as it was."""


class FakeTime:
    """Milliseconds that move only when a step says so."""

    def __init__(self) -> None:
        self.ms = 1_700_000_000_000

    def __call__(self) -> int:
        return self.ms


# ---------------------------------------------------------------- the server


class Server:
    """The app over one database; `restart` builds a new engine, service and app."""

    def __init__(self, url: str, portal: Any) -> None:
        self.url = url
        self.portal = portal
        self.engine = db.make_engine(self.url)
        db.migrate(self.engine)
        self.service = Service(self.engine)
        self.app = create_app(self.service)
        self.restarts = 0

    def restart(self) -> None:
        self.engine.dispose()
        self.engine = db.make_engine(self.url)
        self.service = Service(self.engine)
        self.app = create_app(self.service)
        self.restarts += 1

    def close(self) -> None:
        self.engine.dispose()

    def deliver(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app)

        async def call() -> tuple[int, httpx.Headers, bytes]:
            request = httpx.Request(method, url, headers=headers, content=body)
            response = await transport.handle_async_request(request)
            return response.status_code, response.headers, await response.aread()

        status, out_headers, content = self.portal.call(call)
        return httpx.Response(status, headers=out_headers, content=content)

    def records(self, visit_id: str) -> dict[str, tuple[Any, ...]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(db.records).where(db.records.c.visit_id == visit_id)).all()
        return {
            r.id: (json.loads(r.data), json.loads(r.clocks), bool(r.deleted)) for r in rows
        }

    def log(self) -> list[tuple[int, dict[str, Any], list[dict[str, Any]]]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(db.changes).order_by(db.changes.c.seq)).all()
        return [(r.seq, json.loads(r.body), json.loads(r.conflicts)) for r in rows]

    def snapshot(self, visit_id: str) -> tuple[Any, ...]:
        with self.engine.connect() as conn:
            head = conn.execute(select(db.counter.c.value)).scalar_one()
        return head, self.records(visit_id), self.log()


class Wire(httpx.BaseTransport):
    """One device's network: takes the next scripted fault for each request."""

    def __init__(self, machine: SyncMachine, device: Device) -> None:
        self.machine, self.device = machine, device
        self.faults: deque[str] = deque()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        fault = self.faults.popleft() if self.faults else "ok"
        is_push = request.url.path.endswith("/sync/push")
        if is_push:
            self.device.sent.append(body)
        if fault == "drop_request" or (fault.startswith("hold") and not is_push):
            raise httpx.ConnectError("dropped before the server", request=request)
        if fault == "busy":
            return httpx.Response(
                503, json={"error": {"code": "busy", "message": "busy"}},
                headers={"Retry-After": "0"}, request=request,
            )
        parts = (request.method, str(request.url), dict(request.headers), body)
        if fault.startswith("hold"):
            self.machine.held.append(parts)
            if fault == "hold":
                raise httpx.ReadTimeout("no answer", request=request)
            raise GaveUp
        server = self.machine.server
        response = server.deliver(*parts)
        if fault == "duplicate":
            response = server.deliver(*parts)
        if fault == "drop_response":
            raise httpx.ReadError("connection lost after the server answered", request=request)
        if fault == "crash_after":
            raise Crash
        response.request = request
        return response


class Device:
    """A laptop: an encrypted store, a session and a token for the server."""

    def __init__(self, machine: SyncMachine, index: int, folder: Path) -> None:
        self.machine, self.index, self.folder = machine, index, folder
        self.name = f"dev{index}"
        vault, _ = Vault.init(folder, PASSPHRASE, kdf=FLOOR_KDF)
        self.session = self._attach(vault)
        self.wire = Wire(machine, self)
        self.sent: list[bytes] = []
        code = machine.server.service.enrol(USER).code
        self.token = machine.server.service.login(USER, code, self.name).token

    def _attach(self, vault: Vault) -> Session:
        session = Session(vault, host())
        session.repo.clock.device = self.name
        session.repo.clock.now_ms = self.machine.time
        return session

    def reopen(self) -> None:
        """After a crash: nothing survives but what is on disk."""
        self.session.close()
        self.session = self._attach(Vault.unlock(self.folder, PASSPHRASE))

    def client(self) -> SyncClient:
        http = httpx.Client(transport=self.wire, base_url=URL)
        return SyncClient(URL, self.token, http=http, budget=60, sleep=lambda _: None)

    def records(self, visit_id: str) -> dict[str, tuple[Any, ...]]:
        vf = self.session.repo.open(visit_id)
        return {r.id: (r.data, r.clocks, r.deleted) for r in vf.records.values()}

    def file(self, visit_id: str) -> Any:
        return self.session.repo.open(visit_id)


# ---------------------------------------------------------------- the machine


def same(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return a is b
    return canonical(a) == canonical(b)


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="assessor-sm-"))
        self._portal_cm = anyio.from_thread.start_blocking_portal()
        self.portal = self._portal_cm.__enter__()
        self.time = FakeTime()
        self.server = Server(DATABASE(self.root), self.portal)
        self.server.service.add_user(USER, "assessor")
        self.devices: list[Device] = []
        self.held: list[tuple[str, str, dict[str, str], bytes]] = []
        self.made: list[Change] = []
        self.visit_id = ""
        self.stats = {"crash": 0, "gave_up": 0, "cursor_crash": 0, "delivered": 0}

    # ------------------------------------------------------------ set-up

    @initialize(count=st.integers(3, 5))
    def create_devices_and_visit(self, count: int) -> None:
        self.devices = [Device(self, i, self.root / f"dev{i}") for i in range(count)]
        first = self.devices[0].session
        opened = first.new_visit(FRAMEWORK, school="Hillside Primary", urn="100001")
        self.visit_id = opened.file.visit_id
        self.made += opened.file.outbox()
        opened.close()
        for device in self.devices:
            self._sync(device, "run")
        for device in self.devices:
            assert self.visit_id in device.session.vault.visit_ids()

    # ------------------------------------------------------------ edits

    def _edit(self, device: Device, edit: Callable[[Any], Change]) -> None:
        opened = device.session.open(self.visit_id)
        try:
            self.made += opened.edit(edit)
        finally:
            opened.close()

    @rule(d=st.integers(0, 4), item=st.sampled_from(CRITERIA), level=st.sampled_from(LEVELS),
          advance=st.integers(0, 2))
    def set_level(self, d: int, item: str, level: str | None, advance: int) -> None:
        self.time.ms += advance
        self._edit(self.device(d), lambda e: e.set_level(item, level))

    @rule(d=st.integers(0, 4), item=st.sampled_from(CRITERIA),
          text=st.sampled_from(RATIONALES), advance=st.integers(0, 2))
    def set_rationale(self, d: int, item: str, text: str, advance: int) -> None:
        self.time.ms += advance
        self._edit(self.device(d), lambda e: e.set_rationale(item, text))

    @rule(d=st.integers(0, 4), entry=st.sampled_from(TICKS), checked=st.booleans(),
          advance=st.integers(0, 2))
    def tick(self, d: int, entry: str, checked: bool, advance: int) -> None:
        self.time.ms += advance
        self._edit(self.device(d), lambda e: e.tick("partnerships-1", entry, checked))

    @rule(d=st.integers(0, 4), text=st.sampled_from(["seen", "heard", "read"]),
          advance=st.integers(0, 2))
    def add_note(self, d: int, text: str, advance: int) -> None:
        self.time.ms += advance
        self._edit(self.device(d), lambda e: e.add_note(text, ["partnerships-1"]))

    @rule(d=st.integers(0, 4), pick=st.integers(0, 1000), advance=st.integers(0, 2))
    def delete_note(self, d: int, pick: int, advance: int) -> None:
        device = self.device(d)
        notes = sorted(
            r.id for r in device.file(self.visit_id).records.values()
            if r.type == "note" and not r.deleted
        )
        if not notes:
            return
        self.time.ms += advance
        note = notes[pick % len(notes)]
        self._edit(device, lambda e: e.delete(note))

    # ------------------------------------------------------------ syncs and faults

    def device(self, d: int) -> Device:
        return self.devices[d % len(self.devices)]

    def _sync(
        self, device: Device, mode: str, faults: Sequence[str] = (), crash_at_cursor: str = ""
    ) -> None:
        device.wire.faults = deque(faults)
        repo = device.session.repo
        if crash_at_cursor:
            save = repo.set_setting

            def crashing(name: str, value: Any) -> None:
                if name != CURSOR_SETTING:
                    save(name, value)
                    return
                self.stats["cursor_crash"] += 1
                if crash_at_cursor == "after":
                    save(name, value)  # dies just after saving it
                raise Crash

            repo.set_setting = crashing  # type: ignore[method-assign]
        client = device.client()
        try:
            engine = SyncEngine(device.session, client)
            {"run": engine.run, "push": engine.push, "pull": engine.pull}[mode]()
            assert engine.report.rejected == 0, engine.report.rejections
        except Crash:
            self.stats["crash"] += 1
            device.reopen()
        except GaveUp:
            self.stats["gave_up"] += 1
        finally:
            client.close()
            device.wire.faults.clear()
            if crash_at_cursor and "set_setting" in vars(repo):
                del repo.set_setting

    @rule(d=st.integers(0, 4), mode=st.sampled_from(["run", "run", "push", "pull"]),
          faults=st.lists(st.sampled_from(FAULTS), max_size=4))
    def sync(self, d: int, mode: str, faults: list[str]) -> None:
        self._sync(self.device(d), mode, faults)

    @rule(d=st.integers(0, 4), when=st.sampled_from(["before", "after"]),
          faults=st.lists(st.sampled_from(FAULTS), max_size=2))
    def crash_while_pulling(self, d: int, when: str, faults: list[str]) -> None:
        """The laptop dies as a pulled page's cursor is saved: just before (the page is
        applied, the cursor not) or just after (both must then be durable)."""
        self._sync(self.device(d), "run", faults, crash_at_cursor=when)

    @precondition(lambda self: bool(self.held))
    @rule(pick=st.integers(0, 1000), keep=st.booleans())
    def deliver_held(self, pick: int, keep: bool) -> None:
        """A held-back push reaches the server late, after whatever came since; kept,
        it may arrive yet again."""
        parts = self.held[pick % len(self.held)]
        if not keep:
            self.held.remove(parts)
        self._deliver(parts)

    def _deliver(self, parts: tuple[str, str, dict[str, str], bytes]) -> None:
        response = self.server.deliver(*parts)
        self.stats["delivered"] += 1
        assert response.status_code == 200, response.text
        assert all(r["status"] != "rejected" for r in response.json()["results"])

    @rule(what=st.sampled_from(["server", "device"]), d=st.integers(0, 4))
    def restart(self, what: str, d: int) -> None:
        """The server process restarts on the same database, or the app on a laptop."""
        if what == "server":
            self.server.restart()
        else:
            self.device(d).reopen()

    # ------------------------------------------------------------ invariants

    @invariant()
    def nothing_refused_and_no_duplicates_in_the_log(self) -> None:
        if not self.devices:
            return
        for device in self.devices:
            assert not device.file(self.visit_id).rejected()
        ids = [body["id"] for _, body, _ in self.server.log()]
        assert len(ids) == len(set(ids))

    def teardown(self) -> None:
        try:
            if self.devices:
                self.final_phase()
        finally:
            for device in self.devices:
                with contextlib.suppress(Exception):
                    device.session.close()
            self.server.close()
            self._portal_cm.__exit__(None, None, None)
            shutil.rmtree(self.root, ignore_errors=True)

    # ------------------------------------------------------------ the final phase

    def _events(self, reported: int, open_conflicts: int) -> None:
        """What the run covered (`pytest --hypothesis-show-statistics` shows it)."""
        seen = {
            "edits": len(self.made) - 1,
            "conflicting values": reported,
            "open conflicts": open_conflicts,
            "server restarts": self.server.restarts,
            **self.stats,
        }
        with contextlib.suppress(InvalidArgument):  # outside hypothesis
            for name, count in seen.items():
                event(f"{name}: {'0' if not count else '1-4' if count < 5 else '5+'}")

    def final_phase(self) -> None:
        while self.held:  # whatever the network still held arrives, late
            self._deliver(self.held.pop())
        for _ in range(2):
            for device in self.devices:
                self._sync(device, "run")
        want = self.check_converged()
        self.check_nothing_lost(want)
        self.check_pushing_again_changes_nothing()

    def check_converged(self) -> dict[str, tuple[Any, ...]]:
        """Every copy agrees, and agrees with merging every edit ever made."""
        visit = self.visit_id
        expected: dict[str, Record] = {}
        for change in sorted(self.made, key=lambda c: c.hlc):
            expected[change.record_id] = apply_change(expected.get(change.record_id), change)
        want = {r.id: (r.data, r.clocks, r.deleted) for r in expected.values()}
        server_records = self.server.records(visit)
        assert server_records == want
        for device in self.devices:
            vf = device.file(visit)
            assert not vf.tables["outbox"], f"{device.name} still has changes to push"
            assert not vf.rejected()
            assert device.records(visit) == want, device.name
        return want

    def check_nothing_lost(self, want: dict[str, tuple[Any, ...]]) -> None:
        """Every edit is present, knowingly overwritten (a later edit's base is its
        value), or named by a conflict; every conflict that no later edit settled is
        listed on every device."""
        log = self.server.log()
        reported: dict[tuple[str, str, str], str] = {}
        open_conflicts: set[str] = set()
        for _, body, conflicts in log:
            for c in conflicts:
                for side in ("yours", "theirs"):
                    key = (body["record_id"], c["field"], canonical(c[side]))
                    reported[key] = max(reported.get(key, ""), c[f"{side}_hlc"])
                clocks = want[body["record_id"]][1]
                if clocks.get(c["field"], "") <= max(c["yours_hlc"], c["theirs_hlc"]):
                    open_conflicts.add(f"{body['id']}:{c['field']}")
        for change in self.made:
            final = want[change.record_id][0]
            for name, value in change.fields.items():
                if same(final.get(name, MISSING), value):
                    continue
                seen = any(
                    later.record_id == change.record_id
                    and later.hlc > change.hlc
                    and same(later.base.get(name, MISSING), value)
                    for later in self.made
                )
                # An identical edit with a stamp as new stands for this one.
                named = reported.get((change.record_id, name, canonical(value)), "")
                assert seen or named >= change.hlc, (
                    f"edit {change.id} ({name}={value!r} at {change.hlc}) was lost: the "
                    f"value is {final.get(name, MISSING)!r} and no conflict names it"
                )
        for device in self.devices:
            listed = {d["id"] for d in device.file(self.visit_id).conflicts()}
            assert listed == open_conflicts, device.name
        self._events(len(reported), len(open_conflicts))

    def check_pushing_again_changes_nothing(self) -> None:
        """Every recorded request once more, then every change under a new key."""
        visit = self.visit_id
        before = self.server.snapshot(visit)
        for device in self.devices:
            for body in device.sent:
                response = self.server.deliver(
                    "POST", f"{URL}/api/v1/sync/push",
                    {"Authorization": f"Bearer {device.token}",
                     "Content-Type": "application/json"},
                    body,
                )
                assert response.status_code == 200, response.text
        every = [c.model_dump(mode="json") for c in sorted(self.made, key=lambda c: c.hlc)]
        for start in range(0, len(every), 500):
            batch = every[start:start + 500]
            response = self.server.deliver(
                "POST", f"{URL}/api/v1/sync/push",
                {"Authorization": f"Bearer {self.devices[0].token}",
                 "Content-Type": "application/json"},
                json.dumps({"idempotency_key": f"again-{start:08d}", "changes": batch}).encode(),
            )
            assert response.status_code == 200, response.text
            statuses = {r["status"] for r in response.json()["results"]}
            assert statuses == {"duplicate"}, response.json()
        assert self.server.snapshot(visit) == before
        for device in self.devices:
            client = device.client()
            try:
                report = SyncEngine(device.session, client).run()
            finally:
                client.close()
            assert (report.pushed, report.duplicates, report.pulled) == (0, 0, 0)
        assert self.server.snapshot(visit) == before


SyncMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=35,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


class TestSyncStateMachine(SyncMachine.TestCase):  # type: ignore[name-defined]
    pass


def test_sync_state_machine_on_postgresql(
    postgres: PostgresCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same machine against a real PostgreSQL server database, a fresh one per run."""
    monkeypatch.setattr(sys.modules[__name__], "DATABASE", lambda folder: postgres.new_database())
    run_state_machine_as_test(
        SyncMachine,
        settings=settings(
            max_examples=20,
            stateful_step_count=35,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


def test_an_older_edit_whose_base_still_matches_is_a_conflict_not_lost() -> None:
    """Found by the machine. Both laptops show rationale 'strong'; B changes it to
    'clear', then A saves 'strong' again (a newer stamp). A's change reaches the server
    first; B's is older and loses the merge, and its base still matches the value, so it
    used to be applied without a conflict: B's edit vanished everywhere, unreported."""
    machine = SyncMachine()
    try:
        machine.create_devices_and_visit(count=3)
        machine.set_rationale(0, "partnerships-1", "strong", 1)
        machine.sync(0, "run", [])
        machine.sync(1, "run", [])
        machine.set_rationale(1, "partnerships-1", "clear", 1)
        machine.set_rationale(0, "partnerships-1", "strong", 1)
        machine.sync(0, "run", [])
        machine.sync(1, "run", [])
        listed = machine.devices[1].file(machine.visit_id).conflicts()
        assert [(c["field"], c["yours"], c["theirs"]) for c in listed] == [
            ("rationale", "clear", "strong")
        ]
    finally:
        machine.teardown()
