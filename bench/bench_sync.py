"""Sync over loopback against a real `assessor server run` (SQLite): push then pull
10,000 changes, against inserting the same rows into SQLite directly; a no-op sync of
a store holding 1,000 visits."""

from __future__ import annotations

import gc
import json
import os
import socket
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

from bench.harness import median, ms, python


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(changes: int = 10_000, visits: int = 1_000) -> list[tuple[str, str, str]]:
    from assessor_tui.plugins.host import load_host
    from assessor_tui.server import db
    from assessor_tui.server.service import Service
    from assessor_tui.session import Session
    from assessor_tui.store import FLOOR_KDF, Vault
    from assessor_tui.sync.client import SyncClient
    from assessor_tui.sync.engine import SyncEngine

    folder = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    url = f"sqlite:///{folder / 'server.db'}"
    service = Service(db.make_engine(url))
    db.migrate(service.engine)
    codes = [service.add_user("ann", "assessor").code, service.enrol("ann").code,
             service.enrol("ann").code]
    port = _port()
    server = subprocess.Popen(
        [str(Path(python()).with_name("assessor")), "server", "run", "--port", str(port),
         "--db", url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        host = load_host()

        def laptop(name: str, code: str) -> Session:
            vault, _ = Vault.init(folder / name, "bench passphrase", kdf=FLOOR_KDF)
            session = Session(vault, host)
            with SyncClient(base) as client:
                token = client.login("ann", code).token
            session.set_sync_account({"url": base, "token": token})
            return session

        def sync(session: Session) -> float:
            gc.collect()  # each measure starts clean, not paying for the last one's garbage
            started = time.perf_counter()
            with SyncClient(base, session.sync_account()["token"]) as client:
                SyncEngine(session, client).run()
            return time.perf_counter() - started

        a, b = laptop("a", codes[0]), laptop("b", codes[1])
        per_visit = 1_000
        for v in range(changes // per_visit):
            opened = a.new_visit("ice-mark", school=f"School {v}")
            opened.edit(*[lambda e, n=n: e.add_note(f"note {n}") for n in range(per_visit - 1)])
            opened.close()
        rows = [json.dumps(c.model_dump(mode="json")) for v in a.vault.visit_ids()
                for c in a.repo.open(v).outbox()]
        push = sync(a)
        pull = sync(b)
        gc.collect()
        started = time.perf_counter()
        direct = sqlite3.connect(folder / "direct.db")
        direct.execute("PRAGMA journal_mode=WAL")
        direct.execute("PRAGMA synchronous=FULL")
        direct.execute("CREATE TABLE c (seq INTEGER PRIMARY KEY, body TEXT)")
        with direct:
            direct.executemany("INSERT INTO c (body) VALUES (?)", [(r,) for r in rows])
        direct.close()
        insert = time.perf_counter() - started
        schema_insert = _server_schema_insert(folder / "schema.db", rows)
        validate = _validate_once(rows)
        total = push + pull
        c = laptop("c", codes[2])
        for v in range(visits):
            c.new_visit("ice-mark", school=f"Quiet {v}").close()
        sync(c)
        noop = median([sync(c) for _ in range(5)])
        for session in (a, b, c):
            session.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return [
        (f"push {changes:,} changes over loopback (SQLite server)",
         f"{ms(push)} ({changes / push:,.0f}/s)", "-"),
        (f"pull {changes:,} changes into a second store", f"{ms(pull)} ({changes / pull:,.0f}/s)",
         "-"),
        (f"insert {changes:,} rows into SQLite directly, one process", ms(insert), "baseline"),
        ("ratio direct insert / (push + pull)", f"{insert / total:.3f}", "≥ 0.25"),
        ("floor: the same changes into the server's own tables (log and records, with "
         "their indexes), raw sqlite3, one transaction",
         f"{ms(schema_insert)} ({schema_insert / insert:.1f}× the direct insert)", "-"),
        ("floor: validating the changes once (pydantic, from JSON; the server and the "
         "laptop each do it)", f"{ms(validate)} ({validate / insert:.1f}× the direct insert)",
         "-"),
        (f"no-op sync of a store holding {visits:,} visits (median of 5)", ms(noop), "< 100 ms"),
    ]


def _server_schema_insert(path: Path, rows: list[str]) -> float:
    """What the server's database alone must do for a push: one log row and one record
    row per change, into its real tables and indexes, without SQLAlchemy, checks or
    merging. Set against the direct insert, it shows the floor the ratio goal meets."""
    from sqlalchemy import create_engine

    from assessor_tui.server import db

    engine = create_engine(f"sqlite:///{path}")
    db.metadata.create_all(engine)
    engine.dispose()
    changes = [json.loads(r) for r in rows]
    records = [(c["record_id"], c["visit_id"], c["type"], json.dumps(c["fields"]),
                json.dumps(dict.fromkeys(c["fields"], c["hlc"])), c["hlc"], c["hlc"],
                c["device"]) for c in changes]
    log = [(n, c["id"], c["visit_id"], c["record_id"], r)
           for n, (c, r) in enumerate(zip(changes, rows, strict=True), start=1)]
    gc.collect()
    started = time.perf_counter()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT OR REPLACE INTO records (id, visit_id, type, data, clocks, created, updated, "
        "device, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)", records)
    conn.executemany(
        "INSERT INTO changes (seq, id, visit_id, record_id, body, conflicts, user_id) "
        "VALUES (?, ?, ?, ?, ?, '[]', 1)", log)
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - started


def _validate_once(rows: list[str]) -> float:
    from pydantic import TypeAdapter

    from assessor_tui.sync.protocol import WireChange

    adapter = TypeAdapter(list[WireChange])
    body = ("[" + ",".join(rows) + "]").encode()
    adapter.validate_json(body)  # the validator is built on first use: not timed
    gc.collect()
    started = time.perf_counter()
    adapter.validate_json(body)
    return time.perf_counter() - started


if __name__ == "__main__":
    from bench.harness import print_rows

    os.environ.setdefault("ASSESSOR_SYNC_BUDGET", "60")
    print_rows("Sync", run())
