"""A save that fails mid-visit loses nothing typed: the edit stays staged, the file on disk
keeps the previous state, and the next save succeeds once the cause is gone."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assessor_tui.domain.checks import EditRefused
from assessor_tui.plugins.host import load_host
from assessor_tui.session import Session
from assessor_tui.store import FLOOR_KDF, SaveFailed, Vault
from tests.domain.typed_framework import TYPED_YAML
from tests.session.conftest import PASSPHRASE


def _disk_full(*args: Any) -> Any:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_keeps_the_edit_staged_until_it_can_be_saved(
    make_session: Callable[[str], Session], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    session = make_session("store")
    opened = session.new_visit("ba-sef", school="Hill School")
    opened.edit(lambda e: e.add_note("saved before the disk filled", ["1.1"]))
    path = tmp_path / "store" / "visits" / f"{opened.visit.id}.db"
    before = path.read_bytes()

    monkeypatch.setattr(os, "write", _disk_full)
    with pytest.raises(SaveFailed) as caught:
        opened.edit(lambda e: e.add_note("typed while the disk was full", ["1.1"]))
    monkeypatch.undo()

    assert str(caught.value) == (
        f"could not save visits/{opened.visit.id}.db: no space left on device; "
        "your previous copy is intact"
    )
    assert path.read_bytes() == before
    assert opened.unsaved == 1  # still staged, and shown
    assert [n.text for n in opened.visit.notes][-1] == "typed while the disk was full"
    assert opened.flush() == 1  # space again: the same edit is saved
    visit_id = opened.visit.id
    opened.close()
    session.close()
    with Session(Vault.unlock(tmp_path / "store", PASSPHRASE), session.host) as again:
        notes = [n.text for n in again.open(visit_id).visit.notes]
    assert notes == ["saved before the disk filled", "typed while the disk was full"]


def test_a_number_no_file_can_hold_is_refused_not_saved_as_empty(tmp_path: Path) -> None:
    """'inf' in a number column used to be accepted and shown, then saved as an empty
    cell (JSON has no infinity): what the assessor saw was not what was kept."""
    frameworks = tmp_path / "frameworks"
    frameworks.mkdir()
    (frameworks / "typed-test.yaml").write_text(TYPED_YAML)
    host = load_host(entry_points=False, frameworks_dir=frameworks, blocked=())
    vault, _ = Vault.init(tmp_path / "store", PASSPHRASE, kdf=FLOOR_KDF)
    with Session(vault, host) as session:
        opened = session.new_visit("typed-test", school="Hill School")
        for value in ("inf", "nan", "1e999"):
            with pytest.raises(EditRefused, match=f"^Pupils must be a number, not '{value}'$"):
                opened.edit(lambda e, v=value: e.set_cell("t1", "r1", "pupils", v))
        opened.edit(lambda e: e.set_cell("t1", "r1", "pupils", "27"))
        opened.edit(lambda e: e.add_note("after the refusals"))
        assert opened.unsaved == 0
        visit_id = opened.visit.id
        opened.close()
    with Session(Vault.unlock(tmp_path / "store", PASSPHRASE), host) as again:
        visit = again.open(visit_id).visit
    assert [r.cells for r in visit.rows] == [{"pupils": "27"}]
    assert [n.text for n in visit.notes] == ["after the refusals"]
