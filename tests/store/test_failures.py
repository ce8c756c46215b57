"""A save that fails at any step (full disk, I/O error) says so clearly and changes nothing."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assessor_tui.store import FLOOR_KDF, SaveFailed, StoreError, Vault, WrongPassphrase

from .helpers import PASSPHRASE, VISIT_A, files_under

ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _is_folder(fd: int) -> bool:
    return stat.S_ISDIR(os.fstat(fd).st_mode)


def _fail_on(real: Callable[..., Any], when: Callable[..., bool], error: OSError) -> Callable:
    def patched(*args: Any) -> Any:
        if when(*args):
            raise error
        return real(*args)

    return patched


def _nth_call(n: int) -> Callable[..., bool]:
    calls = iter(range(1, 1_000))
    return lambda *args: next(calls) == n


def _partial_then_fail() -> Callable[..., Any]:
    """os.write that writes a few bytes once, then reports a full disk."""
    real, state = os.write, {"calls": 0}

    def patched(fd: int, data: Any) -> int:
        state["calls"] += 1
        if state["calls"] == 1:
            return real(fd, bytes(data[:10]))
        raise ENOSPC

    return patched


STEPS: dict[str, Callable[[], tuple[str, Callable[..., Any]]]] = {
    "write": lambda: ("write", _fail_on(os.write, lambda *a: True, ENOSPC)),
    "partial write": lambda: ("write", _partial_then_fail()),
    "file fsync": lambda: ("fsync", _fail_on(os.fsync, lambda fd: not _is_folder(fd), ENOSPC)),
    "file fsync EIO": lambda: (
        "fsync",
        _fail_on(os.fsync, lambda fd: not _is_folder(fd), OSError(errno.EIO, "I/O error")),
    ),
    "keep previous": lambda: ("replace", _fail_on(os.replace, _nth_call(1), ENOSPC)),
    "replace": lambda: ("replace", _fail_on(os.replace, _nth_call(2), ENOSPC)),
    "folder fsync": lambda: ("fsync", _fail_on(os.fsync, _is_folder, ENOSPC)),
}


def _temp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.parametrize("step", STEPS)
def test_failed_save_keeps_the_previous_state(
    step: str, vault: Vault, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = vault.visit_db(VISIT_A)
    db.insert({"note": "first"})
    db.insert({"note": "second"})
    before = files_under(data_dir)
    name, patched = STEPS[step]()
    monkeypatch.setattr(os, name, patched)

    with pytest.raises(SaveFailed) as caught:
        db.insert({"note": "lost to a full disk"})

    monkeypatch.undo()
    message = str(caught.value)
    assert message.startswith(f"could not save visits/{VISIT_A}.db: ")
    assert message.endswith("; your previous copy is intact")
    assert "\n" not in message
    if "EIO" not in step:
        assert "no space left on device" in message and caught.value.disk_full
    assert _temp_files(data_dir) == []
    assert db.all() == [{"note": "first"}, {"note": "second"}]
    current = f"visits/{VISIT_A}.db"
    assert files_under(data_dir)[current] == before[current]
    vault.close()
    with Vault.unlock(data_dir, PASSPHRASE) as again:
        assert again.visit_db(VISIT_A).all() == [{"note": "first"}, {"note": "second"}]
        again.visit_db(VISIT_A).insert({"note": "third"})  # saving works again
        assert len(again.visit_db(VISIT_A)) == 3
        assert again.restorations == ()


def test_first_save_failing_leaves_no_file(
    vault: Vault, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "fsync", _fail_on(os.fsync, _is_folder, ENOSPC))
    with pytest.raises(SaveFailed):
        vault.visit_db(VISIT_A).insert({"note": "x"})
    monkeypatch.undo()
    assert not (data_dir / "visits" / f"{VISIT_A}.db").exists()
    assert vault.visit_db(VISIT_A).all() == []
    assert vault.visit_ids() == []


def test_file_systems_without_hard_links_still_keep_the_previous_copy(
    vault: Vault, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = vault.visit_db(VISIT_A)
    db.insert({"n": 1})
    monkeypatch.setattr(os, "link", _fail_on(os.link, lambda *a: True, OSError(errno.EPERM, "")))
    db.insert({"n": 2})
    monkeypatch.undo()
    assert db.all() == [{"n": 1}, {"n": 2}]
    prev = data_dir / "visits" / f"{VISIT_A}.db.prev"
    assert prev.exists() and prev.stat().st_ino != (prev.with_suffix("")).stat().st_ino


def test_full_disk_while_storing_an_attachment(
    vault: Vault, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "write", _fail_on(os.write, lambda *a: True, ENOSPC))
    with pytest.raises(SaveFailed, match=r"^could not save blobs/.*: no space left on device"):
        vault.put_blob(b"photo of the attendance policy")
    monkeypatch.undo()
    assert vault.blob_ids() == []
    assert list((data_dir / "blobs").iterdir()) == []


@pytest.mark.parametrize("step", ["write", "replace", "folder fsync"])
def test_failed_passphrase_change_keeps_the_old_passphrase(
    step: str, vault: Vault, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, patched = STEPS[step]()
    monkeypatch.setattr(os, name, patched)
    with pytest.raises(SaveFailed, match=r"^could not save store\.key: "):
        vault.change_passphrase(PASSPHRASE, "a new passphrase")
    monkeypatch.undo()
    vault.close()
    with pytest.raises(WrongPassphrase):
        Vault.unlock(data_dir, "a new passphrase")
    Vault.unlock(data_dir, PASSPHRASE).close()


@pytest.mark.parametrize(
    ("step", "ending"),
    [
        ("write", "could not save store.key: no space left on device; nothing was written"),
        ("folder fsync", ": no space left on device"),  # creating the folders
    ],
)
def test_failed_init_says_why_and_can_be_retried(
    step: str, ending: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, patched = STEPS[step]()
    monkeypatch.setattr(os, name, patched)
    with pytest.raises(StoreError) as caught:
        Vault.init(data_dir, PASSPHRASE, kdf=FLOOR_KDF)
    monkeypatch.undo()
    assert str(caught.value).endswith(ending)
    assert not (data_dir / "store.key").exists()
    vault, _ = Vault.init(data_dir, PASSPHRASE, kdf=FLOOR_KDF)
    vault.close()
    Vault.unlock(data_dir, PASSPHRASE).close()
