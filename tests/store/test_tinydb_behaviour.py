"""TinyDB's own behaviour, run over its MemoryStorage and over EncryptedStorage alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tinydb import Query, TinyDB, where
from tinydb.storages import MemoryStorage
from tinydb.table import Document

from assessor_tui.store import EncryptedStorage, FileKind, Sealer, file_id_for

Reopen = Callable[[], TinyDB]


@pytest.fixture(params=["memory", "encrypted"])
def opener(request: pytest.FixtureRequest, tmp_path: Path, sealer: Sealer) -> Reopen:
    """A function that opens the same database again, as a restarted app would."""
    if request.param == "memory":
        memory = MemoryStorage()
        return lambda: TinyDB(storage=lambda: memory)
    path = tmp_path / "visit.db"
    file_id = file_id_for(FileKind.VISIT, "v")
    return lambda: TinyDB(
        path, sealer=sealer, kind=FileKind.VISIT, file_id=file_id, storage=EncryptedStorage
    )


@pytest.fixture
def db(opener: Reopen) -> Iterator[TinyDB]:
    database = opener()
    yield database
    database.close()


def test_insert_and_get(db: TinyDB) -> None:
    first = db.insert({"criterion": "1.1", "level": "developing"})
    second = db.insert({"criterion": "1.2", "level": "enhancing"})
    assert (first, second) == (1, 2)
    assert db.get(doc_id=2) == {"criterion": "1.2", "level": "enhancing"}
    assert len(db) == 2


def test_insert_multiple_and_search(db: TinyDB) -> None:
    db.insert_multiple({"n": n, "even": n % 2 == 0} for n in range(10))
    q = Query()
    assert [doc["n"] for doc in db.search(q.even == True)] == [0, 2, 4, 6, 8]  # noqa: E712
    assert db.count(q.n > 6) == 3
    assert db.contains(q.n == 9)
    assert not db.contains(q.n == 10)


def test_update(db: TinyDB) -> None:
    db.insert_multiple([{"id": "a", "met": False}, {"id": "b", "met": False}])
    changed = db.update({"met": True}, where("id") == "b")
    assert changed == [2]
    assert db.get(where("id") == "b")["met"] is True
    assert db.get(where("id") == "a")["met"] is False


def test_remove(db: TinyDB) -> None:
    db.insert_multiple([{"n": 1}, {"n": 2}, {"n": 3}])
    assert db.remove(where("n") >= 2) == [2, 3]
    assert db.all() == [{"n": 1}]
    db.truncate()
    assert db.all() == []


def test_upsert(db: TinyDB) -> None:
    db.upsert({"key": "theme", "value": "dark"}, where("key") == "theme")
    db.upsert({"key": "theme", "value": "light"}, where("key") == "theme")
    db.upsert(Document({"key": "x", "value": 1}, doc_id=7))
    assert db.search(where("key") == "theme") == [{"key": "theme", "value": "light"}]
    assert db.get(doc_id=7) == {"key": "x", "value": 1}
    assert len(db) == 2


def test_tables_are_separate(db: TinyDB) -> None:
    notes, judgements = db.table("notes"), db.table("judgements")
    notes.insert({"text": "Head teacher described the partnership"})
    judgements.insert({"criterion": "2.3", "value": "met"})
    assert db.tables() == {"notes", "judgements"}
    assert notes.all() == [{"text": "Head teacher described the partnership"}]
    assert judgements.all() == [{"criterion": "2.3", "value": "met"}]
    db.drop_table("notes")
    assert db.tables() == {"judgements"}


def test_everything_persists_across_reopen(db: TinyDB, opener: Reopen) -> None:
    db.insert({"n": 1})
    db.table("notes").insert({"text": "é ü — 𝄞"})
    db.update({"n": 2}, where("n") == 1)
    db.close()
    again = opener()
    assert again.all() == [{"n": 2}]
    assert again.table("notes").all() == [{"text": "é ü — 𝄞"}]
    assert again.insert({"n": 3}) == 2  # ids continue after reopen
    again.close()


def test_drop_tables_then_reopen(db: TinyDB, opener: Reopen) -> None:
    db.insert({"n": 1})
    db.drop_tables()
    db.close()
    again = opener()
    assert again.all() == []
    assert again.tables() == set()
    again.close()


def test_an_unwritten_encrypted_database_makes_no_file(tmp_path: Path, sealer: Sealer) -> None:
    path = tmp_path / "never.db"
    db = TinyDB(
        path, sealer=sealer, kind=FileKind.INDEX, file_id=b"\0" * 16, storage=EncryptedStorage
    )
    assert db.all() == []
    assert not path.exists()
