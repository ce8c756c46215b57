"""A server restored from an older backup: the operator runs `assessor server new-epoch`,
every laptop's next sync is told to start again (reset), offers everything it holds,
and the server regains every edit the restore lost: nothing lost, nothing twice, no
conflict out of the replay."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url, select
from tests.sync.conftest import ServerProcess, run_assessor
from tests.sync.helpers import fill, laptop, login, outbox_size, snapshot, sync
from tests.tui.conftest import BUILT_INS

from assessor_tui.plugins.host import PluginHost, load_host
from assessor_tui.server import db
from assessor_tui.session import Session


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return load_host(entry_points=False, plugins=BUILT_INS, blocked=())


def back_up(server: ServerProcess, folder: Path) -> Callable[[], None]:
    """A copy of the server's database taken while it is stopped; returns the restore
    (which also stops the server, and leaves it stopped)."""
    url = make_url(server.db_url)
    server.stop()
    if url.get_backend_name() == "sqlite":
        live = Path(str(url.database))
        saved = folder / "backup"
        saved.mkdir()
        for path in live.parent.glob(live.name + "*"):  # the file, its WAL and index
            shutil.copy2(path, saved / path.name)

        def restore() -> None:
            server.stop()
            for path in live.parent.glob(live.name + "*"):
                path.unlink()
            for path in saved.iterdir():
                shutil.copy2(path, live.parent / path.name)
    else:
        import psycopg

        admin = (f"host={url.host} port={url.port} user={url.username} dbname=postgres")
        name = str(url.database)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}_backup" TEMPLATE "{name}"')

        def restore() -> None:
            server.stop()
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE "{name}"')
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{name}_backup"')
    server.start()
    return restore


def server_records(db_url: str) -> dict[str, dict[str, tuple[Any, bool]]]:
    """Every visit's records on the server, as `helpers.snapshot` gives a laptop's."""
    engine = db.make_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(db.records)).all()
    finally:
        engine.dispose()
    import json

    out: dict[str, dict[str, tuple[Any, bool]]] = {}
    for r in rows:
        out.setdefault(r.visit_id, {})[r.id] = (json.loads(r.data), bool(r.deleted))
    return out


def edit(session: Session, visit_id: str, note: str) -> None:
    opened = session.open(visit_id)
    opened.edit(lambda e: e.add_note(note), lambda e: e.set_level("partnerships-2", "met"))
    opened.close()


def test_a_restored_server_regains_every_edit_from_the_laptops(
    server: ServerProcess, tmp_path: Path, host: PluginHost
) -> None:
    codes = [server.admin("user", "add", "ann", "--role", "assessor")["code"],
             server.admin("user", "enrol", "ann")["code"]]
    a, b = laptop(tmp_path / "a", host), laptop(tmp_path / "b", host)
    login(a, server.url, "ann", codes[0])
    login(b, server.url, "ann", codes[1])
    fill(a, visits=2, notes=3)
    sync(a)
    sync(b)
    restore = back_up(server, tmp_path)

    # After the backup: edits the restore will lose, known to both laptops.
    first = sorted(snapshot(a))[0]
    edit(a, first, "after the backup")
    fill(a, visits=1, notes=2, school="Later")
    sync(a)
    sync(b)
    lost = server_records(server.db_url)

    restore()
    assert server_records(server.db_url) != lost  # the restore lost them
    assert run_assessor("server", "new-epoch", "--db", server.db_url).returncode == 0
    server.start()
    edit(b, first, "on b, after the restore")  # and one edit waiting in b's outbox

    first_back = sync(a)
    assert first_back.reset and first_back.rejected == 0 and first_back.conflicts == 0
    second_back = sync(b)
    assert second_back.reset and second_back.rejected == 0 and second_back.conflicts == 0
    sync(a)
    assert snapshot(a) == snapshot(b)
    assert server_records(server.db_url) == {
        visit: {rid: (data, deleted) for rid, (data, deleted) in records.items()}
        for visit, records in snapshot(a).items()
    }
    assert outbox_size(a) == outbox_size(b) == 0
    for session in (a, b):
        quiet = sync(session)
        assert (quiet.reset, quiet.pushed, quiet.pulled, quiet.conflicts) == (
            False, 0, 0, 0)
        for visit in snapshot(session):
            assert session.repo.open(visit).conflicts() == []
