"""The store as a whole: layout, visits, attachments, leftovers, closing."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from tinydb import TinyDB

from assessor_tui.store import (
    FLOOR_KDF,
    BlobNotFound,
    EncryptedStorage,
    FileKind,
    StoreClosed,
    StoreError,
    StoreExists,
    Vault,
    file_id_for,
)

from .helpers import PASSPHRASE, VISIT_A, VISIT_B


def test_layout_of_a_store(vault: Vault, data_dir: Path) -> None:
    vault.index().insert({"visit": VISIT_A})
    vault.visit_db(VISIT_A).insert({"n": 1})
    blob = vault.put_blob(b"evidence")
    names = {p.relative_to(data_dir).as_posix() for p in data_dir.rglob("*")}
    assert names == {
        "store.key",
        "store.key.prev",
        "store.lock",
        "index.db",
        "visits",
        f"visits/{VISIT_A}.db",
        "blobs",
        f"blobs/{blob}.bin",
    }


def test_an_edit_is_on_disk_when_the_call_returns(vault: Vault, data_dir: Path) -> None:
    """No write-back cache: a second, independent reader sees the edit at once."""
    db = vault.visit_db(VISIT_A)
    db.insert({"note": "acknowledged"})
    independent = TinyDB(
        data_dir / "visits" / f"{VISIT_A}.db",
        sealer=vault._sealer,  # white-box: the same key, a separate storage
        kind=FileKind.VISIT,
        file_id=file_id_for(FileKind.VISIT, VISIT_A),
        storage=EncryptedStorage,
    )
    assert independent.all() == [{"note": "acknowledged"}]


def test_each_save_is_a_new_generation(vault: Vault, data_dir: Path) -> None:
    db = vault.visit_db(VISIT_A)
    path = data_dir / "visits" / f"{VISIT_A}.db"
    generations = []
    for n in range(3):
        db.insert({"n": n})
        generations.append(struct.unpack_from(">Q", path.read_bytes(), 44)[0])
    assert generations == [1, 2, 3]
    prev = (data_dir / "visits" / f"{VISIT_A}.db.prev").read_bytes()
    assert struct.unpack_from(">Q", prev, 44)[0] == 2


def test_visit_ids(vault: Vault) -> None:
    assert vault.visit_ids() == []
    vault.visit_db(VISIT_B).insert({"n": 1})
    vault.visit_db(VISIT_A.upper()).insert({"n": 1})  # the same visit, however it is spelt
    assert vault.visit_ids() == [VISIT_A, VISIT_B]
    assert vault.visit_db(VISIT_A.upper()) is vault.visit_db(VISIT_A)
    for bad in ("", "../index", "visit-1", "0190a5e2"):
        with pytest.raises(ValueError, match="not a visit id"):
            vault.visit_db(bad)


def test_close_visit_frees_it_and_a_new_handle_sees_everything(vault: Vault) -> None:
    old = vault.visit_db(VISIT_A)
    old.insert({"n": 1})
    vault.close_visit(VISIT_A)
    with pytest.raises(StoreClosed):
        old.all()
    assert vault.visit_db(VISIT_A) is not old
    assert vault.visit_db(VISIT_A).all() == [{"n": 1}]


def test_visits_survive_reopen(vault: Vault, data_dir: Path) -> None:
    vault.visit_db(VISIT_A).table("judgements").insert({"criterion": "1.1", "value": "met"})
    vault.close()
    with Vault.unlock(data_dir, PASSPHRASE) as again:
        assert again.visit_ids() == [VISIT_A]
        assert again.visit_db(VISIT_A).table("judgements").all() == [
            {"criterion": "1.1", "value": "met"}
        ]


def test_attachments(vault: Vault, data_dir: Path) -> None:
    first, second = vault.put_blob(b"\x00\xffpdf"), vault.put_blob(b"")
    assert vault.get_blob(first) == b"\x00\xffpdf"
    assert vault.get_blob(second) == b""
    assert vault.blob_ids() == sorted([first, second])
    for missing in ("0" * 32, "not-an-id", "../store"):
        with pytest.raises(BlobNotFound, match="is not in the store"):
            vault.get_blob(missing)


def test_device_id_is_made_once_and_kept(vault: Vault, data_dir: Path) -> None:
    device = vault.device_id
    assert vault.device_id == device
    vault.close()
    with Vault.unlock(data_dir, PASSPHRASE) as again:
        assert again.device_id == device


def test_leftover_temp_files_are_removed_at_open(vault: Vault, data_dir: Path) -> None:
    vault.visit_db(VISIT_A).insert({"n": 1})
    vault.close()
    leftovers = [
        data_dir / ".index.db.0123456789abcdef.tmp",
        data_dir / "visits" / f".{VISIT_A}.db.prev.0123456789abcdef.tmp",
        data_dir / "blobs" / ".feed.bin.fedcba9876543210.tmp",
    ]
    unrelated = [data_dir / "notes.tmp", data_dir / "frameworks" / ".x.0123456789abcdef.tmp"]
    for path in leftovers + unrelated:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"half a save")
    with Vault.unlock(data_dir, PASSPHRASE) as again:
        assert not any(path.exists() for path in leftovers)
        assert all(path.exists() for path in unrelated)
        assert again.visit_db(VISIT_A).all() == [{"n": 1}]


def test_a_missing_current_file_is_restored_from_the_previous_one(
    vault: Vault, data_dir: Path
) -> None:
    db = vault.visit_db(VISIT_A)
    db.insert({"n": 1})
    db.insert({"n": 2})
    vault.close()
    (data_dir / "visits" / f"{VISIT_A}.db").unlink()
    with Vault.unlock(data_dir, PASSPHRASE) as again:
        assert again.visit_db(VISIT_A).all() == [{"n": 1}]
        [report] = again.restorations
        assert report.reason == "missing" and report.restored
        assert (data_dir / "visits" / f"{VISIT_A}.db").exists()


def test_a_healthy_store_checks_clean(vault: Vault) -> None:
    vault.index().insert({"n": 1})
    vault.visit_db(VISIT_A).insert({"n": 1})
    vault.visit_db(VISIT_A).insert({"n": 2})
    vault.put_blob(b"x")
    assert vault.check() == []
    assert vault.restorations == ()


def test_init_leaves_other_contents_of_the_folder_alone(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    (data_dir / "frameworks").mkdir(parents=True)
    (data_dir / "frameworks" / "local.yaml").write_text("format: 1\n")
    Vault.init(data_dir, PASSPHRASE, kdf=FLOOR_KDF)[0].close()
    assert (data_dir / "frameworks" / "local.yaml").read_text() == "format: 1\n"


def test_init_refuses_a_folder_with_store_files_but_no_key(vault: Vault, data_dir: Path) -> None:
    vault.index().insert({"n": 1})
    vault.close()
    (data_dir / "store.key").unlink()
    (data_dir / "store.key.prev").unlink()
    with pytest.raises(StoreExists):
        Vault.init(data_dir, PASSPHRASE, kdf=FLOOR_KDF)


def test_a_closed_store_refuses_everything(vault: Vault) -> None:
    db = vault.visit_db(VISIT_A)
    db.insert({"n": 1})
    vault.close()
    vault.close()  # twice is fine
    assert vault.closed
    for action in (
        db.all,
        lambda: db.insert({"n": 2}),
        vault.index,
        lambda: vault.visit_db(VISIT_A),
        vault.visit_ids,
        lambda: vault.put_blob(b""),
        vault.check,
        lambda: vault.change_passphrase(PASSPHRASE, "new"),
    ):
        with pytest.raises(StoreClosed, match=r"^the store is locked; unlock it"):
            action()


def test_an_attachment_can_keep_the_id_it_was_exported_with(
    vault: Vault, data_dir: Path, tmp_path: Path
) -> None:
    """Importing a visit keeps its evidence's attachment ids: its records and change log
    name them. A given id is checked like a random one, and never overwrites."""
    exported = vault.put_blob(b"minutes of the board")
    other, _ = Vault.init(tmp_path / "other", PASSPHRASE, kdf=FLOOR_KDF)
    with other:
        assert other.put_blob(b"minutes of the board", blob_id=exported) == exported
        assert other.get_blob(exported) == b"minutes of the board"
        assert other.put_blob(b"minutes of the board", blob_id=exported) == exported  # again
        with pytest.raises(StoreError, match="already in the store, with other content"):
            other.put_blob(b"something else", blob_id=exported)
        assert other.get_blob(exported) == b"minutes of the board"
        for bad in ("../store.key", "AB" * 16, "0" * 31, ""):
            with pytest.raises(StoreError, match=r"^not an attachment id"):
                other.put_blob(b"x", blob_id=bad)
        assert other.blob_ids() == [exported]


def test_every_write_has_a_fresh_subkey_salt_and_nonce(vault: Vault, data_dir: Path) -> None:
    """Saving the very same content again never repeats a (key, nonce) pair: AES-GCM's one
    rule. Header bytes 60–75 are the subkey salt, 76–87 the nonce (docs/store-format.md)."""
    db = vault.visit_db(VISIT_A)
    path = data_dir / "visits" / f"{VISIT_A}.db"
    db.insert({"n": 1})
    seen = []
    for _ in range(20):
        db.update({"n": 1})  # the same documents each time
        seen.append(path.read_bytes())
    assert len({data[60:76] for data in seen}) == len(seen)
    assert len({data[76:88] for data in seen}) == len(seen)
    assert len({data[96:] for data in seen}) == len(seen)  # so no two ciphertexts match
