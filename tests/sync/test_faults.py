"""Lost requests, lost responses after the commit, duplicated and delayed deliveries,
and a server killed mid-sync: nothing is lost and nothing is applied twice."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.sync.conftest import ServerProcess, wait_for
from tests.sync.faults import FaultyProxy
from tests.sync.helpers import fill, laptop, login, outbox_size, server_stats, snapshot, sync
from tests.tui.conftest import BUILT_INS

from assessor_tui.plugins.host import PluginHost
from assessor_tui.server.app import COMMIT_DELAY_ENV
from assessor_tui.sync import engine
from assessor_tui.sync.client import SyncClient, Unreachable

FAULTS = ["drop_request", "drop_response", "duplicate", "delay"]


@pytest.fixture(scope="module")
def host() -> PluginHost:
    from assessor_tui.plugins.host import load_host

    return load_host(entry_points=False, plugins=BUILT_INS, blocked=())


def test_a_faulty_network_loses_and_duplicates_nothing(
    server: ServerProcess, tmp_path: Path, host: PluginHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small batches and pages, so the scripted faults fall on many requests.
    monkeypatch.setattr(engine, "MAX_BATCH_CHANGES", 500)
    monkeypatch.setattr(engine, "PULL_PAGE", 500)
    rng = random.Random(5)
    script = [rng.choice([*FAULTS, "ok", "ok"]) for _ in range(60)]
    proxy = FaultyProxy(server.url, ["drop_response", "duplicate", "drop_request", *script])
    try:
        codes = [server.admin("user", "add", "ann", "--role", "assessor")["code"],
                 server.admin("user", "enrol", "ann")["code"]]
        a, b = laptop(tmp_path / "a", host), laptop(tmp_path / "b", host)
        login(a, server.url, "ann", codes[0])
        login(b, server.url, "ann", codes[1])
        total = fill(a, visits=3, notes=400)  # more than one batch
        report = sync(a, proxy.url)
        assert report.rejected == 0 and report.conflicts == 0
        assert report.pushed + report.duplicates == total
        assert outbox_size(a) == 0
        assert server_stats(server.db_url)["changes"] == total  # each exactly once
        assert sync(b, proxy.url).pulled >= total
        assert snapshot(b) == snapshot(a)
        again = sync(a, proxy.url)
        assert (again.pushed, again.duplicates) == (0, 0)
        assert server_stats(server.db_url)["changes"] == total
        faults = {fault for _, _, fault in proxy.log}
        assert {"drop_request", "drop_response", "duplicate"} <= faults
    finally:
        proxy.close()


def test_server_killed_mid_batch_then_restarted(
    db_url: str, server_factory: Callable[..., ServerProcess], tmp_path: Path,
    host: PluginHost,
) -> None:
    """The server commits the first batch and holds the second open before its commit
    (everything written), and is killed (SIGKILL) while it waits there: that batch leaves
    no trace, and after a restart the sync goes on to push every change exactly once."""
    server = server_factory(db_url, env={COMMIT_DELAY_ENV: "0,600"})  # held until killed
    code = server.admin("user", "add", "ann", "--role", "assessor")["code"]
    proxy = FaultyProxy(server.url)
    a = laptop(tmp_path / "a", host)
    login(a, server.url, "ann", code)
    total = fill(a, visits=4, notes=600)  # two batches
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(sync(a, proxy.url, budget=600))  # a bound: it waits for the restart
        except Exception as exc:  # reported by the assertion below
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    wait_for(lambda: "push held" in server.read_log(), timeout=120)  # the second batch
    first_batch = server_stats(server.db_url)["changes"]
    assert 0 < first_batch < total
    server.kill()
    assert server_stats(server.db_url)["changes"] == first_batch  # nothing half-applied
    server.env = {}
    server.start()
    worker.join(timeout=120)
    assert outcome and not isinstance(outcome[0], Exception), outcome
    assert outbox_size(a) == 0
    assert server_stats(server.db_url)["changes"] == total
    proxy.close()


def test_gives_up_after_a_bounded_time_with_a_clear_message(
    store_factory: Callable[[str], object],
) -> None:
    from tests.sync.conftest import free_port

    waits: list[float] = []
    client = SyncClient(f"http://127.0.0.1:{free_port()}", "token", budget=1.0,
                        sleep=_waiting(waits))
    with pytest.raises(Unreachable, match="Nothing was lost"):
        client.pull(None)
    assert sum(waits) <= 1.0, waits  # the waits between attempts stay within the budget


def _waiting(waits: list[float]) -> Callable[[float], None]:
    """A real sleep that also records how long the client chose to wait."""

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    return sleep


def _recording_client(url: str, token: str | None, budget: float) -> tuple[SyncClient,
                                                                          list[float]]:
    waits: list[float] = []
    return SyncClient(url, token, budget=budget, sleep=waits.append), waits


def test_retry_after_is_honoured_and_backoff_grows(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    """How long the client waits between attempts (SQLite only: the client's behaviour
    does not depend on the server's database). A busy server's Retry-After, as seconds
    or as a date, is waited exactly; without one the waits grow; a wait longer than the
    time left gives up at once and says so."""
    server = server_factory(f"sqlite:///{tmp_path / 'server.db'}")
    code = server.admin("user", "add", "ann", "--role", "assessor")["code"]
    with SyncClient(server.url) as client:
        token = client.login("ann", code).token
    proxy = FaultyProxy(server.url, ["busy:3", "busy:1", "busy-date:5"])
    try:
        client, waits = _recording_client(proxy.url, token, budget=60)
        assert client.me().user == "ann"
        assert waits[:2] == [3.0, 1.0] and 3.0 <= waits[2] <= 5.0, waits

        proxy.faults.extend(["fail", "fail", "fail", "fail"])
        waits.clear()
        assert client.me().user == "ann"
        assert len(waits) == 4
        for attempt, wait in enumerate(waits, start=1):
            full = 0.25 * 2**attempt
            assert full / 2 <= wait <= full, waits

        proxy.faults.append("busy:600")
        waits.clear()
        with pytest.raises(Unreachable, match="asked to wait 600 s") as refused:
            client.me()
        assert waits == []  # gave up at once rather than wait past its budget
        assert "Nothing was lost" in str(refused.value)
    finally:
        proxy.close()


def test_a_login_fails_fast_and_is_never_retried_once_the_server_answered(
    server_factory: Callable[..., ServerProcess], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Someone is waiting at the prompt: an unreachable server is told within the login's
    own budget, not the sync's (a wrong URL, not `assessor sync` advice), and a
    rate-limited login is the server's own answer at once, not a minute of retries."""
    from tests.sync.conftest import free_port

    from assessor_tui.sync import client as client_module
    from assessor_tui.sync.client import ServerRefused

    monkeypatch.setattr(client_module, "LOGIN_BUDGET", 1.0)
    waits: list[float] = []
    with pytest.raises(Unreachable, match="check the URL") as unreachable, SyncClient(
        f"http://127.0.0.1:{free_port()}", budget=120, sleep=_waiting(waits)
    ) as client:
        client.login("ann", "CODE")
    assert sum(waits) <= 1.0, waits  # the login's own budget, not the sync's 120 s
    assert "assessor sync" not in str(unreachable.value)

    server = server_factory(f"sqlite:///{tmp_path / 'server.db'}")
    server.admin("user", "add", "ann", "--role", "assessor")
    client, waits = _recording_client(server.url, None, budget=120)
    statuses = []
    for _ in range(11):
        with pytest.raises(ServerRefused) as refused:
            client.login("ann", "WRONG-CODE")
        statuses.append(refused.value.status)
    assert statuses == [401] * 10 + [429] and waits == []
    assert "too many attempts" in str(refused.value)
