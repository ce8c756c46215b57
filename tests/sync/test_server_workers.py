"""`assessor server run --workers 4`: several real server processes behind one port,
sharing one database (PostgreSQL, and SQLite in WAL mode on a local disk).

Nine laptops (three users with three devices each) push and pull concurrently over
several rounds. Afterwards every device holds exactly its user's visits, each note once,
the same records as its siblings, and nothing of another user's; the server holds each
change once. /proc shows four worker processes, each of which served from the
database, and none left behind once the server stops.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url
from tests.sync.conftest import ServerProcess, healthy, run_assessor, wait_for
from tests.sync.helpers import laptop, login, server_stats, sync

from assessor_tui.plugins.host import load_host
from assessor_tui.server import db
from assessor_tui.server.service import Service
from assessor_tui.sync.client import ServerRefused, SyncClient

WORKERS = 4
USERS = ("ann", "bob", "cara")
DEVICES = 3
ROUNDS = 3
ITEMS = ("partnerships-1", "partnerships-2", "leadership-1")


# ---------------------------------------------------------------- /proc


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(entry.name))
    return out


def _cmdline(pid: int) -> str:
    try:
        return (Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")).decode()
    except OSError:
        return ""


def worker_pids(server: ServerProcess) -> list[int]:
    """uvicorn's worker processes: spawned children of `assessor server run` (its other
    child is multiprocessing's resource tracker)."""
    assert server.proc is not None
    return sorted(
        pid for pid in _children(server.proc.pid) if "multiprocessing.spawn" in _cmdline(pid)
    )


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _remote_ports(pid: int) -> dict[str, int]:
    """Socket inode → remote TCP port, as this process's network namespace sees them."""
    ports = {}
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            ports[fields[9]] = int(fields[2].rsplit(":", 1)[1], 16)
    return ports


def holds_database(pid: int, db_url: str) -> bool:
    """Whether a worker has opened the database, i.e. has served a request that used it
    (each worker builds its own engine, which connects on first use)."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        database = str(Path(str(url.database)).resolve())
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == database:
                    return True
            except OSError:
                continue
        return False
    ports = _remote_ports(pid)
    return any(ports.get(inode) == url.port for inode in _socket_inodes(pid))


# ---------------------------------------------------------------- the laptops


def _laptop_run(
    folder: Path, url: str, user: str, device: int, code: str, barrier: threading.Barrier
) -> dict[str, Any]:
    """Log in, then each round add a note and a judgement to this device's own visit
    and sync; once every laptop has pushed everything, sync once more to catch up."""
    session = laptop(folder, load_host())
    try:
        login(session, url, user, code)
        tag = f"{user}/{device}"
        visit_id = ""
        reports = []
        for r in range(ROUNDS):
            if r == 0:
                opened = session.new_visit(
                    "ice-mark", school=f"School of {tag}", urn=f"{100001 + device}"
                )
                visit_id = opened.file.visit_id
                opened.edit(lambda e: e.start(), lambda e: e.add_note(f"{tag} round 0"))
            else:
                opened = session.open(visit_id)
                opened.edit(
                    lambda e, r=r: e.add_note(f"{tag} round {r}", [ITEMS[r % len(ITEMS)]]),
                    lambda e, r=r: e.set_level(ITEMS[r % len(ITEMS)], "met"),
                )
            opened.close()
            reports.append(sync(session))
        barrier.wait(timeout=300)
        reports.append(sync(session))
        return {
            "user": user,
            "device": device,
            "visit_id": visit_id,
            "token": session.sync_account()["token"],  # type: ignore[index]
            "snapshot": _snapshot(session),
            "reports": reports,
        }
    finally:
        session.close()


def _snapshot(session: Any) -> dict[str, dict[str, tuple[str, Any, bool]]]:
    """Every visit's records: type, data, tombstone (what must agree across devices)."""
    out = {}
    for visit_id in session.vault.visit_ids():
        vf = session.repo.open(visit_id)
        out[visit_id] = {r.id: (r.type, r.data, r.deleted) for r in vf.records.values()}
    return out


def _notes(records: dict[str, tuple[str, Any, bool]]) -> list[str]:
    return sorted(data["text"] for type_, data, _ in records.values() if type_ == "note")


def test_workers_serve_one_database_from_several_processes(
    db_url: str, server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    engine = db.make_engine(db_url)
    db.migrate(engine)
    service = Service(engine)
    codes: dict[tuple[str, int], str] = {}
    for user in USERS:
        codes[(user, 0)] = service.add_user(user, "assessor").code
        for device in range(1, DEVICES):
            codes[(user, device)] = service.enrol(user).code
    engine.dispose()

    server = server_factory(db_url, workers=WORKERS)
    workers = worker_pids(server)
    assert len(workers) == WORKERS, (workers, server.read_log())
    assert f"{WORKERS} processes" in server.read_log()

    barrier = threading.Barrier(len(codes))
    with ThreadPoolExecutor(max_workers=len(codes)) as pool:
        futures = [
            pool.submit(_laptop_run, tmp_path / f"{user}-{device}", server.url, user,
                        device, code, barrier)
            for (user, device), code in codes.items()
        ]
        results = [f.result(timeout=600) for f in futures]

    # No refusals, no conflicts (each device edits only its own visit).
    for result in results:
        for report in result["reports"]:
            assert (report.rejected, report.conflicts) == (0, 0), report

    # Every device holds exactly its user's visits, each note once, identical records.
    own_visits = {
        user: {r["visit_id"] for r in results if r["user"] == user} for user in USERS
    }
    assert all(len(v) == DEVICES for v in own_visits.values())
    for result in results:
        user, snap = result["user"], result["snapshot"]
        assert set(snap) == own_visits[user], (user, result["device"])
        siblings = [r for r in results if r["user"] == user]
        for other in siblings:
            tag = f"{user}/{other['device']}"
            assert _notes(snap[other["visit_id"]]) == sorted(
                f"{tag} round {r}" for r in range(ROUNDS)
            )
            assert snap[other["visit_id"]] == other["snapshot"][other["visit_id"]]

    # The server holds each visit and each change once: what one device pushed
    # (a header, a start, then a note each round and a judgement from round 1).
    stats = server_stats(db_url)
    assert stats["visits"] == len(codes)
    per_visit = 1 + 1 + ROUNDS + (ROUNDS - 1)
    assert stats["changes"] == len(codes) * per_visit
    pushed = sum(rep.pushed for r in results for rep in r["reports"])
    assert pushed == stats["changes"]

    # A user cannot read another's visit, whichever worker answers.
    ann = next(r for r in results if r["user"] == "ann")
    bobs_visit = next(iter(own_visits["bob"]))
    for _ in range(WORKERS * 2):  # a fresh connection each time, perhaps another worker
        with SyncClient(server.url, ann["token"], budget=10) as client:
            with pytest.raises(ServerRefused) as refused:
                client.visit(bobs_visit)
            assert refused.value.status == 404
            assert client.visit(ann["visit_id"]).summary.id == ann["visit_id"]

    # Every worker served: each holds its own connection to the shared database (the
    # supervisor, which only migrated, holds none). Each sync opened a new connection,
    # which whichever worker won the accept race took; a few more fresh-connection
    # requests settle the rare run where one worker lost every race.
    assert server.proc is not None
    assert not holds_database(server.proc.pid, db_url)
    served = [pid for pid in workers if holds_database(pid, db_url)]
    for _ in range(50):
        if served == workers:
            break
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda _: _whoami(server.url, ann["token"]), range(16)))
        served = [pid for pid in workers if holds_database(pid, db_url)]
    assert served == workers, f"only workers {served} of {workers} used the database"
    assert worker_pids(server) == workers  # none crashed and was replaced

    server.stop()
    wait_for(lambda: not any(alive(pid) for pid in workers))
    log = server.read_log()  # a request that failed and was retried would show here
    assert "Traceback" not in log and "request failed" not in log, log[-3000:]


def _whoami(url: str, token: str) -> None:
    with SyncClient(url, token, budget=10) as client:
        client.me()


def test_workers_must_be_a_sensible_count(tmp_path: Path) -> None:
    for bad in ("0", "-2", "1000"):
        result = run_assessor(
            "server", "run", "--port", "1", "--workers", bad,
            "--db", f"sqlite:///{tmp_path / 'server.db'}",
        )
        assert result.returncode != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "--workers" in lines[0], result.stderr


def test_workers_end_with_a_killed_supervisor(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    """SIGKILL gives uvicorn's supervisor no chance to stop its workers; they must not
    serve on orphaned (holding the port, so a restarted server could not bind it)."""
    server = server_factory(f"sqlite:///{tmp_path / 'server.db'}", workers=2)
    workers = worker_pids(server)
    assert len(workers) == 2
    assert healthy(server.url)
    server.kill()
    wait_for(lambda: not any(alive(pid) for pid in workers))
    assert not healthy(server.url)
