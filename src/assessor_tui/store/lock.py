"""One writer per store: an exclusive OS lock on store.lock in the data folder.

POSIX (Linux, macOS) takes ``flock`` on the whole file; Windows takes
``msvcrt.locking`` (LockFile) on one byte far past the end of the file. Both
locks belong to the open file, so the OS drops them when the holder exits,
however it exits (kill -9, TerminateProcess, a crash): there is never a stale
lock to clean up by hand. Windows locks are mandatory, so the byte locked is
not one of the pid's: another process can still read who holds the store.
The pid is written into the file only to make the StoreLocked message helpful.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from pathlib import Path

from assessor_tui.files import BINARY

from .errors import StoreLocked

__all__ = ["LOCK_NAME", "WINDOWS_LOCK_OFFSET", "StoreLock"]

LOCK_NAME = "store.lock"
WINDOWS_LOCK_OFFSET = 1 << 30
"""The byte Windows locks: far past the pid text, inside a signed 32-bit offset."""
_PID_BYTES = 32


class StoreLock:
    """Held from unlock to close; ``acquire`` raises StoreLocked if another process has it."""

    def __init__(self, fd: int, path: Path) -> None:
        self._fd: int | None = fd
        self.path = path

    @classmethod
    def acquire(cls, data_dir: Path) -> StoreLock:
        path = data_dir / LOCK_NAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT | BINARY, 0o600)
        try:
            taken = _try_lock(fd)
        except BaseException:
            os.close(fd)
            raise
        if not taken:
            pid = _read_pid(fd)
            os.close(fd)
            raise StoreLocked(data_dir, pid)
        with contextlib.suppress(OSError):
            _write_pid(fd)
        return cls(fd, path)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Let another process open the store; safe to call twice."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                _unlock(fd)
            os.close(fd)  # closing the file releases the lock too; the stale pid is harmless


def _try_lock(fd: int) -> bool:
    """Take the lock without waiting: False if another open file holds it."""
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as error:
            if error.errno in (errno.EACCES, errno.EDEADLK):  # "locking violation"
                return False
            raise
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    """Windows asks holders to unlock before closing (the OS frees a closed file's locks
    "when resources allow"); POSIX frees a flock at close, at once."""
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _write_pid(fd: int) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, f"{os.getpid()}\n".encode())


def _read_pid(fd: int) -> int | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, _PID_BYTES).decode("ascii").strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None
