"""The durable save's Windows and macOS branches, run here with the OS calls watched or
substituted: no CI machine runs either system, so these tests and `mypy --platform` are
the guard (docs/store-format.md §5.5)."""

from __future__ import annotations

import os
import stat
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assessor_tui.store import durable
from assessor_tui.store.durable import DurableFile
from assessor_tui.store.errors import SaveFailed


@dataclass
class Watched:
    """What the save asked of the OS, in order, and what each temp file held when it was
    renamed into place."""

    events: list[tuple[str, object]] = field(default_factory=list)
    paths: dict[int, Path] = field(default_factory=dict)
    renamed: list[tuple[Path, Path, bytes]] = field(default_factory=list)

    def opened(self) -> list[Path]:
        return [path for kind, path in self.events if kind == "open" and isinstance(path, Path)]

    def index(self, event: tuple[str, object]) -> int:
        return self.events.index(event)


@pytest.fixture
def watched(monkeypatch: pytest.MonkeyPatch) -> Watched:
    """os.open, os.fsync, os.close and os.replace recorded, each still doing its work."""
    seen = Watched()
    real_open, real_fsync, real_close, real_replace = os.open, os.fsync, os.close, os.replace

    def open_(path: os.PathLike[str] | str, flags: int, mode: int = 0o777) -> int:
        fd = real_open(path, flags, mode)
        seen.paths[fd] = Path(path)
        seen.events.append(("open", Path(path)))
        return fd

    def fsync(fd: int) -> None:
        seen.events.append(("fsync", seen.paths.get(fd)))
        real_fsync(fd)

    def close(fd: int) -> None:
        seen.events.append(("close", seen.paths.pop(fd, None)))
        real_close(fd)

    def replace(source: os.PathLike[str] | str, target: os.PathLike[str] | str) -> None:
        seen.renamed.append((Path(source), Path(target), Path(source).read_bytes()))
        seen.events.append(("replace", (Path(source), Path(target))))
        real_replace(source, target)

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "close", close)
    monkeypatch.setattr(os, "replace", replace)
    return seen


def on_windows(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """sys.platform reads "win32"; the pauses between tries of a replace are recorded,
    not slept."""
    pauses: list[float] = []
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(durable.time, "sleep", pauses.append)
    return pauses


def test_windows_save_renames_a_fully_synced_temp_file_and_never_opens_the_folder(
    tmp_path: Path, watched: Watched, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = DurableFile(tmp_path / "visit.db", "visit")
    target.save(b"first")
    watched.events.clear()
    watched.renamed.clear()
    on_windows(monkeypatch)
    target.save(b"second save")

    assert target.path.read_bytes() == b"second save"
    assert target.prev_path.read_bytes() == b"first"  # the previous generation is kept
    [(source, content)] = [(s, c) for s, t, c in watched.renamed if t == target.path]
    assert content == b"second save"  # every byte was there before the rename
    renamed = watched.index(("replace", (source, target.path)))
    # the temp file was fsynced and closed before it was renamed over the visit
    assert watched.index(("fsync", source)) < watched.index(("close", source)) < renamed
    # Windows refuses to open a folder as a file: the save must not try
    assert tmp_path not in watched.opened()
    assert not any(path.is_dir() for path in watched.opened())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["visit.db", "visit.db.prev"]


def test_windows_first_save_and_folder_creation_open_no_folder(
    tmp_path: Path, watched: Watched, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_windows(monkeypatch)
    folder = tmp_path / "data" / "visits"
    durable.make_folder(folder)
    DurableFile(folder / "index.db", "index").save(b"index")

    assert (folder / "index.db").read_bytes() == b"index"
    assert all(path.suffix in (".tmp", ".db") for path in watched.opened())
    assert not any(path.is_dir() for path in watched.opened())


def test_windows_retries_a_replace_a_scanner_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A virus scanner holding the new file open makes MoveFileEx fail with a sharing
    violation for a moment; the save waits it out instead of failing the assessor's edit."""
    target = DurableFile(tmp_path / "visit.db", "visit")
    target.save(b"first")
    pauses = on_windows(monkeypatch)
    real_replace = os.replace
    refusals = [PermissionError(13, "The process cannot access the file")] * 2

    def busy_then_free(source: os.PathLike[str] | str, dest: os.PathLike[str] | str) -> None:
        if Path(dest) == target.path and refusals:
            raise refusals.pop()
        real_replace(source, dest)

    monkeypatch.setattr(os, "replace", busy_then_free)
    target.save(b"second")
    assert target.path.read_bytes() == b"second"
    assert len(pauses) == 2 and sum(pauses) < 1.0


def test_windows_gives_up_on_a_replace_that_stays_blocked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = DurableFile(tmp_path / "visit.db", "visit")
    target.save(b"first")
    pauses = on_windows(monkeypatch)
    real_replace = os.replace

    def always_busy(source: os.PathLike[str] | str, dest: os.PathLike[str] | str) -> None:
        if Path(dest) == target.path:
            raise PermissionError(13, "The process cannot access the file")
        real_replace(source, dest)

    monkeypatch.setattr(os, "replace", always_busy)
    with pytest.raises(SaveFailed) as failed:
        target.save(b"second")
    assert "your previous copy is intact" in str(failed.value)
    assert target.path.read_bytes() == b"first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["visit.db", "visit.db.prev"]
    assert 1.0 > sum(pauses) > 0.5  # about a second of trying, then a clear failure


def test_elsewhere_a_refused_replace_fails_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = DurableFile(tmp_path / "visit.db", "visit")
    target.save(b"first")
    pauses: list[float] = []
    monkeypatch.setattr(durable.time, "sleep", pauses.append)

    def refused(source: os.PathLike[str] | str, dest: os.PathLike[str] | str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refused)
    with pytest.raises(SaveFailed):
        target.save(b"second")
    assert pauses == []
    assert target.path.read_bytes() == b"first"


def test_macos_syncs_files_and_folder_with_full_fsync(
    tmp_path: Path, watched: Watched, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain fsync on macOS stops at the drive's cache: F_FULLFSYNC goes through it."""
    full: list[Path | None] = []
    fake_fcntl = types.ModuleType("fcntl")
    fake_fcntl.F_FULLFSYNC = 51  # type: ignore[attr-defined]

    def fcntl_(fd: int, command: int) -> int:
        assert command == 51
        full.append(watched.paths.get(fd))
        return 0

    fake_fcntl.fcntl = fcntl_  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fcntl", fake_fcntl)
    monkeypatch.setattr(sys, "platform", "darwin")
    target = DurableFile(tmp_path / "visit.db", "visit")
    target.save(b"first")

    assert [kind for kind, _ in watched.events if kind == "fsync"] == []
    temp = next(s for s, t, _ in watched.renamed if t == target.path)
    assert full == [temp, tmp_path]  # the data, then the name in its folder


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_files_and_folders_are_private_on_posix(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    durable.make_folder(folder)
    DurableFile(folder / "visit.db", "visit").save(b"x")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "visit.db").stat().st_mode) == 0o600


@pytest.mark.parametrize("platform_error", [
    IsADirectoryError(21, "Is a directory"),  # Linux, macOS
    PermissionError(13, "Permission denied"),  # Windows, for the same folder
])
def test_a_folder_in_a_files_place_is_damage_on_every_platform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform_error: OSError
) -> None:
    """Read as damage, so the previous copy is used, whatever words the OS has for it."""
    target = DurableFile(tmp_path / "visit.db", "visit")
    target.save(b"first")
    target.save(b"second")
    target.path.unlink()
    target.path.mkdir()
    real_read = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path.is_dir():
            raise platform_error
        return real_read(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    loaded = target.load(lambda data: data)
    assert loaded is not None and loaded.value == b"first"
    assert loaded.restored is not None and "is a folder" in loaded.restored.reason
