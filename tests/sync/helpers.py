"""In-process clients for the heavier sync tests: a session per laptop, the real HTTP
client and engine, against real server processes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.sync.conftest import PASSPHRASE

from assessor_tui.plugins.host import PluginHost
from assessor_tui.server import db
from assessor_tui.server.service import Service
from assessor_tui.session import Session
from assessor_tui.store import FLOOR_KDF, Vault
from assessor_tui.sync.client import SyncClient
from assessor_tui.sync.engine import SyncEngine, SyncReport


def fast_sleep(seconds: float) -> None:
    time.sleep(min(seconds, 0.05))


def laptop(folder: Path, host: PluginHost) -> Session:
    vault, _ = Vault.init(folder, PASSPHRASE, kdf=FLOOR_KDF)
    return Session(vault, host)


def login(session: Session, url: str, user: str, code: str) -> None:
    with SyncClient(url) as client:
        result = client.login(user, code, "test")
    session.set_sync_account({"url": url, "user": user, "role": result.role,
                              "device_id": result.device_id, "token": result.token})


def sync(session: Session, url: str | None = None, budget: float = 60) -> SyncReport:
    account = session.sync_account()
    assert account is not None
    with SyncClient(url or account["url"], account["token"], budget=budget,
                    sleep=fast_sleep) as client:
        if url:
            session.set_sync_account({**account, "url": url})
        try:
            return SyncEngine(session, client).run()
        finally:
            session.set_sync_account(account)


def fill(session: Session, visits: int, notes: int, school: str = "Hillside") -> int:
    """Visits with notes and judgements; returns how many changes were logged."""
    total = 0
    for v in range(visits):
        opened = session.new_visit("ice-mark", school=f"{school} {v}", urn=f"{v:06d}")
        total += 1
        edits: list[Any] = [lambda e: e.start()]
        edits += [lambda e, n=n: e.add_note(f"note {n}") for n in range(notes)]
        edits += [lambda e: e.set_level("partnerships-1", "met")]
        total += len(opened.edit(*edits))
        opened.close()
    return total


def snapshot(session: Session) -> dict[str, dict[str, tuple[Any, bool]]]:
    """Every visit's records as data + tombstone (what must agree across copies)."""
    out = {}
    for visit_id in session.vault.visit_ids():
        vf = session.repo.open(visit_id)
        out[visit_id] = {r.id: (r.data, r.deleted) for r in vf.records.values()}
    return out


def outbox_size(session: Session) -> int:
    return sum(len(session.repo.open(v).tables["outbox"]) for v in session.vault.visit_ids())


def server_stats(db_url: str) -> dict[str, int]:
    engine = db.make_engine(db_url)
    try:
        return Service(engine).stats()
    finally:
        engine.dispose()
