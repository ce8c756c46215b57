"""One process at a time: a second one is told the store is open elsewhere. The Windows
branch runs here with msvcrt substituted (no CI machine runs Windows)."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from assessor_tui.store import StoreLocked, Vault
from assessor_tui.store.lock import LOCK_NAME, WINDOWS_LOCK_OFFSET, StoreLock

from .helpers import PASSPHRASE, PYTHON, subprocess_env

OPEN_AND_REPORT = """
import sys
from assessor_tui.store import StoreError, Vault
try:
    vault = Vault.unlock(sys.argv[1], sys.argv[2])
except StoreError as error:
    print(type(error).__name__, error, sep=": ")
    sys.exit(3)
print("opened")
if sys.argv[3:] == ["hold"]:
    sys.stdout.flush()
    sys.stdin.read()  # keep the store open until the test says so
"""


def _second_process(data_dir: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PYTHON, "-c", OPEN_AND_REPORT, str(data_dir), PASSPHRASE, *extra],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )


def test_a_second_process_gets_store_locked(vault: Vault, data_dir: Path) -> None:
    out, err = _second_process(data_dir).communicate(timeout=30)
    assert err == ""
    assert out.strip() == (
        f"StoreLocked: the store in {data_dir} is open in another assessor process "
        f"(process {os.getpid()}); close it there first"
    )
    vault.close()
    out, _ = _second_process(data_dir).communicate(timeout=30)
    assert out.strip() == "opened"


def test_a_killed_holder_leaves_no_stale_lock(vault: Vault, data_dir: Path) -> None:
    vault.close()
    holder = _second_process(data_dir, "hold")
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "opened\n"
        with pytest.raises(StoreLocked) as caught:
            Vault.unlock(data_dir, PASSPHRASE)
        assert caught.value.pid == holder.pid
    finally:
        holder.kill()
        holder.communicate(timeout=30)
    Vault.unlock(data_dir, PASSPHRASE).close()


def test_the_same_process_cannot_open_a_store_twice(vault: Vault, data_dir: Path) -> None:
    with pytest.raises(StoreLocked):
        Vault.unlock(data_dir, PASSPHRASE)
    vault.visit_db("0190a5e2-7c3d-7b1e-8f00-000000000001").insert({"still": "works"})


# ---------------------------------------------------------------- the lock itself

HOLD_LOCK = """
import sys
from pathlib import Path
from assessor_tui.store.lock import StoreLock
lock = StoreLock.acquire(Path(sys.argv[1]))
print("held", flush=True)
sys.stdin.read()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_lock_holder_killed_outright_frees_the_store(tmp_path: Path) -> None:
    """Through StoreLock alone: a second process is refused and told the holder's pid;
    SIGKILL (no cleanup runs) frees the lock, and no file needs deleting."""
    holder = subprocess.Popen([PYTHON, "-c", HOLD_LOCK, str(tmp_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=subprocess_env())
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(StoreLocked) as refused:
            StoreLock.acquire(tmp_path)
        assert refused.value.pid == holder.pid
        os.kill(holder.pid, signal.SIGKILL)
        assert holder.wait(timeout=30) == -signal.SIGKILL
    finally:
        holder.kill()
        holder.communicate(timeout=30)
    lock = StoreLock.acquire(tmp_path)
    assert lock.held and (tmp_path / LOCK_NAME).read_text() == f"{os.getpid()}\n"
    lock.release()


class FakeMsvcrt(types.ModuleType):
    """msvcrt.locking as Windows does it: byte ranges locked per open file, refused to every
    other open file (EACCES), for locking and for reading alike (Windows locks are mandatory).
    """

    LK_UNLCK, LK_LOCK, LK_NBLCK, LK_RLCK, LK_NBRLCK = 0, 1, 2, 3, 4

    def __init__(self) -> None:
        super().__init__("msvcrt")
        self.locked: dict[int, int] = {}  # offset → the descriptor holding it
        self.calls: list[tuple[int, int, int]] = []
        self.fail_with: OSError | None = None

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        offset = os.lseek(fd, 0, os.SEEK_CUR)
        self.calls.append((mode, offset, nbytes))
        if self.fail_with is not None:
            raise self.fail_with
        span = range(offset, offset + nbytes)
        if mode == self.LK_UNLCK:
            for byte in span:
                del self.locked[byte]
            return
        if any(self.locked.get(byte, fd) != fd for byte in span):
            raise PermissionError(errno.EACCES, "Permission denied")
        self.locked.update(dict.fromkeys(span, fd))

    def checked_read(self, real_read: Callable[[int, int], bytes]) -> Callable[[int, int], bytes]:
        def read(fd: int, size: int) -> bytes:
            start = os.lseek(fd, 0, os.SEEK_CUR)
            if any(self.locked.get(b, fd) != fd for b in range(start, start + size)):
                raise PermissionError(errno.EACCES, "locked by another process")
            return real_read(fd, size)

        return read


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> FakeMsvcrt:
    fake = FakeMsvcrt()
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    monkeypatch.setattr(os, "read", fake.checked_read(os.read))
    monkeypatch.setattr(sys, "platform", "win32")
    return fake


def test_windows_lock_refuses_a_second_opener_and_names_the_holder(
    tmp_path: Path, windows: FakeMsvcrt
) -> None:
    first = StoreLock.acquire(tmp_path)
    assert windows.calls == [(windows.LK_NBLCK, WINDOWS_LOCK_OFFSET, 1)]
    assert (tmp_path / LOCK_NAME).read_text() == f"{os.getpid()}\n"
    with pytest.raises(StoreLocked) as refused:
        StoreLock.acquire(tmp_path)  # another open of the file, as another process makes
    assert refused.value.pid == os.getpid()  # the pid is readable past the locked byte

    first.release()
    assert windows.calls[-1] == (windows.LK_UNLCK, WINDOWS_LOCK_OFFSET, 1)  # before close
    assert windows.locked == {}
    StoreLock.acquire(tmp_path).release()


def test_windows_lock_errors_other_than_a_conflict_are_not_blamed_on_a_holder(
    tmp_path: Path, windows: FakeMsvcrt
) -> None:
    windows.fail_with = OSError(errno.EBADF, "Bad file descriptor")
    with pytest.raises(OSError) as failed:
        StoreLock.acquire(tmp_path)
    assert not isinstance(failed.value, StoreLocked) and failed.value.errno == errno.EBADF
