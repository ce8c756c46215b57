"""Crash-safe saves with a previous generation, and reads that fall back to it.

The invariant: at every instant, a kill (or, with the fsyncs, a power cut)
leaves the last acknowledged content readable, from ``name`` or, if that is
torn or damaged, from ``name.prev``. A save is::

    1. write .name.<random>.tmp (mode 0600) and fsync it
    2. hard-link name → .name.prev.<random>.tmp, rename that over name.prev
       (the previous generation; a copy where the file system has no links)
    3. rename the temp file over name (atomic)
    4. fsync the folder; only now does save() return

"fsync" is F_FULLFSYNC on macOS and FlushFileBuffers on Windows, which has no
folder fsync (step 4 is skipped there; docs/store-format.md §5.5).

``name`` exists at every instant after the first save. If any step fails the
temp files are removed, ``name`` still holds the previous save (step 4 rolls
step 3 back from name.prev), and SaveFailed is raised. This module knows
nothing of encryption: callers pass a ``parse`` function that raises
FormatError for bytes that fail their checks.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from assessor_tui.files import BINARY

from .errors import DamagedFile, FormatError, SaveFailed, StoreError, describe_os_error

__all__ = [
    "DAMAGED_SUFFIX",
    "PREV_SUFFIX",
    "DurableFile",
    "Loaded",
    "fsync_folder",
    "make_folder",
    "remove_temp_files",
]

T = TypeVar("T")

PREV_SUFFIX = ".prev"
DAMAGED_SUFFIX = ".damaged"
_TEMP = re.compile(r"\..+\.[0-9a-f]{16}\.tmp")
_FILE_MODE = 0o600
_FOLDER_MODE = 0o700
_WINDOWS_REPLACE_PAUSES = (0.01, 0.05, 0.1, 0.25, 0.5)
"""Seconds between tries of a replace that a virus scanner or indexer briefly blocks."""


def _temp_path(path: Path, role: str = "") -> Path:
    return path.with_name(f".{path.name}{role}.{secrets.token_hex(8)}.tmp")


def _fsync(fd: int) -> None:
    """fsync, made a real barrier on macOS (plain fsync there stops at the drive cache)."""
    if sys.platform == "darwin":
        import fcntl

        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
            return
    os.fsync(fd)


def fsync_folder(folder: Path) -> None:
    """Make the names in a folder (creates, renames) durable.

    Not on Windows: it refuses to open a folder as a file, and NTFS journals every
    rename itself (docs/store-format.md §5.5 says what that does and does not promise).
    """
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        _fsync(fd)
    finally:
        os.close(fd)


def make_folder(folder: Path) -> None:
    """Create a private folder (0700) if missing, durably."""
    if folder.is_dir():
        return
    folder.mkdir(mode=_FOLDER_MODE, parents=True, exist_ok=True)
    fsync_folder(folder.parent)


def _write_synced(path: Path, data: bytes) -> None:
    """Create ``path`` (must not exist) with mode 0600, write all of ``data``, fsync."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | BINARY, _FILE_MODE)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        _fsync(fd)
    finally:
        os.close(fd)


def _replace(source: Path, target: Path) -> None:
    """``os.replace``: atomic on every platform (MoveFileEx with MOVEFILE_REPLACE_EXISTING
    on Windows). Windows refuses it while another program has either file open without
    delete sharing, as virus scanners and indexers briefly do with a new file, so
    there it is tried again for about a second before the save fails."""
    if sys.platform == "win32":
        for pause in _WINDOWS_REPLACE_PAUSES:
            try:
                os.replace(source, target)
                return
            except PermissionError:
                time.sleep(pause)
    os.replace(source, target)


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def remove_temp_files(folder: Path) -> list[Path]:
    """Delete temp files a killed save left behind (call only while holding the lock)."""
    removed = []
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(folder):
            if entry.is_file(follow_symlinks=False) and _TEMP.fullmatch(entry.name):
                _unlink_quietly(Path(entry.path))
                removed.append(Path(entry.path))
    return removed


@dataclass(frozen=True)
class Loaded(Generic[T]):
    """What a load returned, and the DamagedFile report if it came from name.prev."""

    value: T
    restored: DamagedFile | None = None


class DurableFile:
    """One file saved with the protocol above; ``label`` names it in messages."""

    def __init__(self, path: Path, label: str) -> None:
        self.path = path
        self.label = label
        self.prev_path = path.with_name(path.name + PREV_SUFFIX)
        self.damaged_path = path.with_name(path.name + DAMAGED_SUFFIX)

    def __repr__(self) -> str:
        return f"DurableFile({self.label!r})"

    def exists(self) -> bool:
        """True once a save has happened (the current or the previous copy is there)."""
        return self.path.exists() or self.prev_path.exists()

    # -- reading ---------------------------------------------------------------------------

    def _read(self, path: Path) -> bytes | None:
        """The file's bytes, None if absent; a read error is damage, a refusal is not."""
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            raise FormatError("is a folder, not a file") from None
        except OSError as error:
            if error.errno == errno.EIO:
                raise FormatError("read error (input/output error)") from None
            if path.is_dir():  # Windows says "permission denied" for a folder
                raise FormatError("is a folder, not a file") from None
            raise StoreError(f"could not read {self.label}: {describe_os_error(error)}") from None

    def _parse(self, path: Path, parse: Callable[[bytes], T]) -> tuple[bytes, T] | None:
        data = self._read(path)
        return None if data is None else (data, parse(data))

    def load(self, parse: Callable[[bytes], T]) -> Loaded[T] | None:
        """The current content, or the previous generation (restored) if current is bad.

        None if the file was never saved. DamagedFile(restored=False) if neither
        copy passes ``parse``; then nothing on disk is touched.
        """
        missing = False
        try:
            current = self._parse(self.path, parse)
        except FormatError as error:
            reason = error.reason
        else:
            if current is not None:
                return Loaded(current[1])
            missing, reason = True, "missing"
        try:
            previous = self._parse(self.prev_path, parse)
        except FormatError as error:
            raise DamagedFile(
                self.label, restored=False, reason=f"{reason}; previous copy: {error.reason}"
            ) from None
        if previous is None:
            if missing:
                return None  # never saved
            raise DamagedFile(self.label, restored=False, reason=f"{reason}; no previous copy")
        self._restore(previous[0], keep_damaged=not missing)
        return Loaded(previous[1], restored=DamagedFile(self.label, restored=True, reason=reason))

    def _restore(self, good: bytes, keep_damaged: bool) -> None:
        """Put a copy of the previous generation back as the current file.

        The damaged file is kept as name.damaged (its blocks may still be
        recoverable by hand). Best effort: if this fails, name.prev is still good
        and the next load restores again.
        """
        temp = _temp_path(self.path)
        try:
            if keep_damaged:
                _replace(self.path, self.damaged_path)
            _write_synced(temp, good)
            _replace(temp, self.path)
            fsync_folder(self.path.parent)
        except OSError:
            _unlink_quietly(temp)

    def check_previous(self, parse: Callable[[bytes], object]) -> str | None:
        """Why name.prev fails ``parse``, or None if it is good or absent."""
        try:
            self._parse(self.prev_path, parse)
        except FormatError as error:
            return error.reason
        return None

    # -- writing ---------------------------------------------------------------------------

    def save(self, data: bytes) -> None:
        """Durably replace the content; the old content becomes name.prev."""
        temp = _temp_path(self.path)
        prev_temp = _temp_path(self.path, PREV_SUFFIX)
        had_current = self.path.exists()
        try:
            _write_synced(temp, data)
            if had_current:
                self._keep_previous(prev_temp)
            _replace(temp, self.path)
            try:
                fsync_folder(self.path.parent)
            except OSError:
                self._roll_back(had_current)
                raise
        except OSError as error:
            raise SaveFailed(self.label, error, had_previous=had_current) from error
        finally:
            _unlink_quietly(temp)
            _unlink_quietly(prev_temp)

    def save_both(self, data: bytes, rollback: bytes | None) -> None:
        """Make both the current and the previous copy ``data`` (two separate files).

        For store.key: a second copy against damage, and after a passphrase
        change no copy on disk still opens with the old passphrase. If the final
        folder fsync fails, ``rollback`` (the old content; None: no file) is put back.
        """
        temp = _temp_path(self.path)
        prev_temp = _temp_path(self.path, PREV_SUFFIX)
        try:
            _write_synced(temp, data)
            _write_synced(prev_temp, data)
            _replace(prev_temp, self.prev_path)
            _replace(temp, self.path)
            try:
                fsync_folder(self.path.parent)
            except OSError:
                self._put_back(rollback)
                raise
        except OSError as error:
            raise SaveFailed(self.label, error, had_previous=rollback is not None) from error
        finally:
            _unlink_quietly(temp)
            _unlink_quietly(prev_temp)

    def _put_back(self, content: bytes | None) -> None:
        """Best effort: both copies hold ``content`` again (None: remove both)."""
        for target in (self.path, self.prev_path):
            back = _temp_path(target)
            try:
                if content is None:
                    target.unlink()
                else:
                    _write_synced(back, content)
                    _replace(back, target)
            except OSError:
                _unlink_quietly(back)

    def _keep_previous(self, prev_temp: Path) -> None:
        """name.prev := the current file (a hard link; a synced copy if links fail)."""
        try:
            os.link(self.path, prev_temp)
        except OSError:
            _write_synced(prev_temp, self.path.read_bytes())
        _replace(prev_temp, self.prev_path)

    def _roll_back(self, had_current: bool) -> None:
        """Undo step 3 after a failed folder fsync, so a failed save changes nothing."""
        with contextlib.suppress(OSError):
            if not had_current:
                self.path.unlink()
                return
            back = _temp_path(self.path)
            try:
                os.link(self.prev_path, back)
                _replace(back, self.path)
            finally:
                _unlink_quietly(back)
