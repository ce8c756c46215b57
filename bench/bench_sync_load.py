"""Fifty laptops syncing at once against a real `assessor server run`: SQLite with one
server process, then PostgreSQL with `--workers 4`.

Ten assessors with five devices each; every device is its own encrypted store holding
three visits of notes and judgements, logged in with its own token (taken from the
server's data layer, as `assessor login` would: fifty HTTP logins from one address
would only measure the login rate limit). After one untimed sync that pushes those
visits and pulls the sibling devices' copies, each device in each of five rounds adds
two notes, a judgement and a rationale to one of its visits, then all fifty sync at
the same moment; every sync (push, then pull until caught up) is timed on the client.

Errors counted: any exception from a sync, any HTTP answer of 400 or more and any
transport failure (the client retries 5xx, 429 and dropped connections silently, so
they are counted where they happen), and every change the server rejected or reported
as a conflict (no two devices edit the same record here). At the end every device must
hold exactly its assessor's fifteen visits.

The clients run as threads in CLIENT_PROCESSES processes (the client is synchronous
httpx; one process of fifty threads would hold the GIL for the encryption and merging
on the laptop side and measure itself). On a two-core machine the clients, the server
and PostgreSQL share the same two cores, so these latencies are for a loaded machine;
the CPU rows say who spent what.

PostgreSQL runs in a throwaway cluster (``tests/sync/pgcluster.py``, shared with the
tests) with fsync on, as SQLite runs with ``synchronous=FULL``; without PostgreSQL
binaries that half is not run, and the table says so.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.harness import ms, percentile, python

CLIENTS = 50
USERS = 10
ROUNDS = 5
VISITS = 3
CLIENT_PROCESSES = 2
PG_WORKERS = 4
ITEMS = ("partnerships-1", "partnerships-2", "partnerships-4", "leadership-1",
         "leadership-2", "leadership-3")
LEVELS = ("met", "partly-met", "not-met")


# ---------------------------------------------------------------- the laptops (child side)


def _client_process(
    index: int,
    devices: list[dict[str, Any]],
    base: str,
    rounds: int,
    barrier: Any,
    results: Any,
) -> None:
    """Run this process's share of the laptops as threads; put one dict on `results`."""
    try:
        results.put(_clients(index, devices, base, rounds, barrier))
    except BaseException as exc:
        barrier.abort()
        results.put({"index": index, "fatal": f"{type(exc).__name__}: {exc}"})
        raise


def _clients(
    index: int, devices: list[dict[str, Any]], base: str, rounds: int, barrier: Any
) -> dict[str, Any]:
    import httpx

    from assessor_tui.plugins.host import load_host
    from assessor_tui.session import Session
    from assessor_tui.store import FLOOR_KDF, Vault
    from assessor_tui.sync.client import SyncClient
    from assessor_tui.sync.engine import SyncEngine

    host = load_host()
    lock = threading.Lock()
    errors: list[str] = []
    requests: dict[str, list[float]] = {"push": [], "pull": []}

    class Counting(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            started = time.perf_counter()
            try:
                response = super().handle_request(request)
                response.read()
            except httpx.TransportError as exc:
                with lock:
                    errors.append(f"{request.url.path}: {type(exc).__name__}: {exc}")
                raise
            elapsed = time.perf_counter() - started
            with lock:
                if response.status_code >= 400:
                    errors.append(f"{request.url.path}: HTTP {response.status_code}")
                kind = request.url.path.rsplit("/", 1)[-1]
                if kind in requests:
                    requests[kind].append(elapsed)
            return response

    def make(device: dict[str, Any]) -> Session:
        vault, _ = Vault.init(Path(device["folder"]), "bench passphrase", kdf=FLOOR_KDF)
        session = Session(vault, host)
        session.set_sync_account({"url": base, "user": device["user"], "role": "assessor",
                                  "device_id": device["device_id"], "token": device["token"]})
        for v in range(VISITS):
            opened = session.new_visit("ice-mark", school=f"{device['name']} school {v}",
                                       urn=f"{100000 + device['n'] * VISITS + v}")
            edits: list[Callable[[Any], Any]] = [lambda e: e.start()]
            edits += [lambda e, k=k: e.add_note(f"observation {k} at {device['name']}",
                                                [ITEMS[k % len(ITEMS)]]) for k in range(8)]
            edits += [lambda e, k=k: e.set_level(ITEMS[k], LEVELS[k % 3]) for k in range(4)]
            edits += [lambda e, k=k: e.set_rationale(ITEMS[k], f"seen in lessons {k}")
                      for k in range(2)]
            opened.edit(*edits)
            opened.close()
        return session

    def sync(session: Session) -> tuple[float, Any]:
        account = session.sync_account() or {}
        http = httpx.Client(base_url=base, transport=Counting(),
                            timeout=httpx.Timeout(30.0, connect=5.0))
        started = time.perf_counter()
        with SyncClient(base, account["token"], http=http, budget=60) as client:
            report = SyncEngine(session, client).run()
        return time.perf_counter() - started, report

    def edit(session: Session, device: dict[str, Any], r: int) -> None:
        opened = session.open(device["own"][r % VISITS])
        item = ITEMS[r % len(ITEMS)]
        opened.edit(
            lambda e: e.add_note(f"round {r}: spoke to the head about {item}", [item],
                                 source="interview", with_whom="headteacher"),
            lambda e: e.add_note(f"round {r}: looked at the partnership log"),
            lambda e: e.set_level(item, LEVELS[r % 3]),
            lambda e: e.set_rationale(item, f"round {r}: evidence seen and discussed"),
        )
        opened.close()

    def guarded(fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except Exception as exc:  # every failure is counted, none hidden
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")
            return None

    latencies: list[float] = []
    pushed = pulled = 0
    cpu0 = time.process_time()
    with ThreadPoolExecutor(max_workers=len(devices)) as pool:
        sessions = list(pool.map(make, devices))
        for device, session in zip(devices, sessions, strict=True):
            device["own"] = sorted(session.vault.visit_ids())
        barrier.wait(timeout=600)
        list(pool.map(lambda s: guarded(lambda: sync(s)), sessions))  # untimed first sync
        setup_cpu = time.process_time() - cpu0
        for kind in requests:
            requests[kind].clear()
        for r in range(rounds):
            for device, session in zip(devices, sessions, strict=True):
                edit(session, device, r)
            barrier.wait(timeout=600)
            for outcome in pool.map(lambda s: guarded(lambda: sync(s)), sessions):
                if outcome is None:
                    continue
                seconds, report = outcome
                latencies.append(seconds)
                pushed += report.pushed
                pulled += report.pulled
                if report.rejected or report.conflicts:
                    with lock:
                        errors.append(f"{report.rejected} rejected, {report.conflicts} conflicts")
        rounds_cpu = time.process_time() - cpu0 - setup_cpu
        barrier.wait(timeout=600)
        list(pool.map(lambda s: guarded(lambda: sync(s)), sessions))  # catch up, untimed
        holdings = {d["name"]: sorted(s.vault.visit_ids()) for d, s in zip(devices, sessions,
                                                                          strict=True)}
        owned = {d["name"]: d["own"] for d in devices}
        for session in sessions:
            session.close()
    return {"index": index, "latencies": latencies, "errors": errors,
            "requests": requests, "pushed": pushed, "pulled": pulled,
            "holdings": holdings, "owned": owned, "cpu": rounds_cpu}


# ---------------------------------------------------------------- server side (parent)


def _descendants_cpu(root: int) -> float:
    """User + system CPU seconds of a process and every live descendant."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += cpu.get(pid, 0.0)
        todo += [child for child, parent in parents.items() if parent == pid]
    return total


def _serve(url: str, folder: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    from bench.bench_sync import _port

    port = _port()
    argv = [str(Path(python()).with_name("assessor")), "server", "run", "--port", str(port),
            "--db", url]
    if workers > 1:
        argv += ["--workers", str(workers)]
    log = open(folder / "server.log", "ab")  # noqa: SIM115 - closed with the process
    server = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                              env={**os.environ, "ASSESSOR_SERVER_DIR": str(folder)})
    log.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited: {(folder / 'server.log').read_text()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("the server did not start within 60 s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def load(
    url: str,
    *,
    workers: int = 1,
    clients: int = CLIENTS,
    users: int = USERS,
    rounds: int = ROUNDS,
    processes: int = CLIENT_PROCESSES,
    postgres_pid: int | None = None,
) -> dict[str, Any]:
    """One run against one database: start the server, sync, stop it; the figures."""
    from assessor_tui.server import db
    from assessor_tui.server.service import Service

    folder = Path(tempfile.mkdtemp(prefix="bench-sync-load-"))
    try:
        engine = db.make_engine(url)
        db.migrate(engine)
        service = Service(engine)
        devices = []
        for n in range(clients):
            user = f"assessor{n % users:02d}"
            code = (service.add_user(user, "assessor") if n < users else service.enrol(user)).code
            login = service.login(user, code, f"laptop {n}")
            devices.append({"n": n, "name": f"{user}-{n // users}", "user": user,
                            "token": login.token, "device_id": login.device_id,
                            "folder": str(folder / f"store-{n}")})
        engine.dispose()
        server, base = _serve(url, folder, workers)
        try:
            ctx = multiprocessing.get_context("spawn")
            barrier = ctx.Barrier(processes + 1)  # and this process, to time the rounds
            results = ctx.Queue()
            shares = [devices[i::processes] for i in range(processes)]
            children = [ctx.Process(target=_client_process,
                                    args=(i, share, base, rounds, barrier, results))
                        for i, share in enumerate(shares)]
            for child in children:
                child.start()
            wall = server_cpu = pg_cpu = 0.0
            try:
                barrier.wait(timeout=600)  # the stores are ready
                barrier.wait(timeout=600)  # first sync done, the edits of round 1 made
                server_cpu0 = _descendants_cpu(server.pid)
                pg_cpu0 = _descendants_cpu(postgres_pid) if postgres_pid else 0.0
                started = time.perf_counter()
                for _ in range(rounds):
                    barrier.wait(timeout=600)
                wall = time.perf_counter() - started
                server_cpu = _descendants_cpu(server.pid) - server_cpu0
                pg_cpu = (_descendants_cpu(postgres_pid) - pg_cpu0) if postgres_pid else 0.0
            except threading.BrokenBarrierError:
                pass  # a client process failed; it says why on `results`
            outcomes = []
            for _ in children:
                try:
                    outcomes.append(results.get(timeout=600))
                except queue.Empty:
                    raise RuntimeError("a client process did not report within 600 s") from None
            for child in children:
                child.join(timeout=30)
            failed = [c.exitcode for c in children if c.exitcode != 0]
        finally:
            _stop(server)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    errors = [o["fatal"] for o in outcomes if "fatal" in o]
    outcomes = [o for o in outcomes if "fatal" not in o]
    errors += [e for o in outcomes for e in o["errors"]]
    errors += [f"client process exited with {code}" for code in failed]
    if len(outcomes) != processes:
        errors.append(f"{processes - len(outcomes)} client processes did not report")
    holdings = {k: v for o in outcomes for k, v in o["holdings"].items()}
    owned = {k: v for o in outcomes for k, v in o["owned"].items()}
    by_user: dict[str, set[str]] = {}
    for d in devices:
        by_user.setdefault(d["user"], set()).update(owned.get(d["name"], []))
    diverged = sum(1 for d in devices
                   if set(holdings.get(d["name"], [])) != by_user[d["user"]])
    return {
        "latencies": [x for o in outcomes for x in o["latencies"]],
        "push": [x for o in outcomes for x in o["requests"]["push"]],
        "pull": [x for o in outcomes for x in o["requests"]["pull"]],
        "errors": errors,
        "diverged": diverged,
        "pushed": sum(o["pushed"] for o in outcomes),
        "pulled": sum(o["pulled"] for o in outcomes),
        "client_cpu": sum(o["cpu"] for o in outcomes),
        "server_cpu": server_cpu,
        "pg_cpu": pg_cpu,
        "wall": wall,
    }


def _rows(label: str, r: dict[str, Any], clients: int) -> list[tuple[str, str, str]]:
    lat = r["latencies"]
    rows = []
    if lat:
        rows.append((f"{label}: sync latency p50 / p99 / max ({len(lat)} syncs, {clients} at once)",
                     f"{ms(percentile(lat, 50))} / {ms(percentile(lat, 99))} / {ms(max(lat))}",
                     "-"))
    for kind in ("push", "pull"):
        if r[kind]:
            rows.append((f"{label}: one {kind} request p50 / p99 ({len(r[kind])} requests)",
                         f"{ms(percentile(r[kind], 50))} / {ms(percentile(r[kind], 99))}", "-"))
    rows.append((f"{label}: changes pushed / pulled in the timed rounds",
                 f"{r['pushed']:,} / {r['pulled']:,}", "-"))
    cpu = f"clients {r['client_cpu']:.1f} s, server {r['server_cpu']:.1f} s"
    if r["pg_cpu"]:
        cpu += f", PostgreSQL {r['pg_cpu']:.1f} s"
    rate = f", {len(lat) / r['wall']:.1f} syncs/s" if lat and r["wall"] else ""
    rows.append((f"{label}: CPU in the timed rounds ({r['wall']:.1f} s wall{rate})", cpu, "-"))
    first = f" (first: {r['errors'][0][:120]})" if r["errors"] else ""
    rows.append((f"{label}: errors", f"{len(r['errors'])}{first}", "0"))
    rows.append((f"{label}: devices not holding exactly their assessor's visits afterwards",
                 str(r["diverged"]), "0"))
    return rows


def run(
    clients: int = CLIENTS, users: int = USERS, rounds: int = ROUNDS,
    processes: int = CLIENT_PROCESSES,
) -> list[tuple[str, str, str]]:
    from tests.sync.pgcluster import PostgresCluster, PostgresUnavailable

    kwargs = {"clients": clients, "users": users, "rounds": rounds, "processes": processes}
    sqlite_folder = Path(tempfile.mkdtemp(prefix="bench-sync-load-db-"))
    try:
        sqlite = load(f"sqlite:///{sqlite_folder / 'server.db'}", **kwargs)  # type: ignore[arg-type]
    finally:
        shutil.rmtree(sqlite_folder, ignore_errors=True)
    rows = _rows("SQLite, 1 process", sqlite, clients)
    label = f"PostgreSQL, {PG_WORKERS} processes"
    try:
        cluster = PostgresCluster(durable=True)
    except PostgresUnavailable as exc:
        print(f"PostgreSQL half NOT RUN: {exc}", file=sys.stderr)
        return [*rows, (label, f"not run: {exc}"[:200], "-")]
    try:
        postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
        pg = load(cluster.new_database(), workers=PG_WORKERS, postgres_pid=postmaster,
                  **kwargs)  # type: ignore[arg-type]
    finally:
        cluster.stop()
    return [*rows, *_rows(label, pg, clients)]


if __name__ == "__main__":
    from bench.harness import print_rows

    print_rows(f"Sync under load ({CLIENTS} clients at once, {ROUNDS} rounds)", run())
