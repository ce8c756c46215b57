"""Lost requests, lost responses after the commit, duplicated and delayed deliveries,
and a server killed mid-sync: nothing is lost and nothing is applied twice."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.sync.conftest import ServerProcess
from tests.sync.faults import FaultyProxy
from tests.sync.helpers import fill, laptop, login, outbox_size, server_stats, snapshot, sync
from tests.tui.conftest import BUILT_INS

from assessor_tui.plugins.host import PluginHost
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


def test_server_killed_mid_sync_then_restarted(
    server: ServerProcess, tmp_path: Path, host: PluginHost
) -> None:
    code = server.admin("user", "add", "ann", "--role", "assessor")["code"]
    proxy = FaultyProxy(server.url)
    a = laptop(tmp_path / "a", host)
    login(a, server.url, "ann", code)
    total = fill(a, visits=4, notes=600)
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(sync(a, proxy.url, budget=90))
        except Exception as exc:  # reported by the assertion below
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 60
    while sum(1 for m, p, _ in proxy.log if p.endswith("/push")) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    server.kill()  # kill -9, possibly mid-transaction
    time.sleep(0.5)
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

    client = SyncClient(f"http://127.0.0.1:{free_port()}", "token", budget=1.0)
    started = time.monotonic()
    with pytest.raises(Unreachable, match="Nothing was lost"):
        client.pull(None)
    assert time.monotonic() - started < 5
