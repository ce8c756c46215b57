"""The user's keymap file: binding ids to keys, or one clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessor_tui import paths
from assessor_tui.cli.app_cmd import load_keymap
from assessor_tui.cli.output import CommandError


@pytest.fixture
def keymap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keymap.toml"
    monkeypatch.setattr(paths, "keymap_file", lambda: path)
    return path


def test_no_file_is_no_rebinding(keymap: Path) -> None:
    assert load_keymap() == {}


@pytest.mark.parametrize(
    "text",
    ['"workspace.note" = "n"\n', '[keys]\n"workspace.note" = "n"\n'],
    ids=["top-level", "keys-table"],
)
def test_binding_ids_to_keys(keymap: Path, text: str) -> None:
    keymap.write_text(text, encoding="utf-8")
    assert load_keymap() == {"workspace.note": "n"}


@pytest.mark.parametrize(
    "text",
    ['keys = "n"\n', "keys = [1, 2]\n", '"workspace.note" = 1\n', "[keys]\nnote = true\n"],
    ids=["keys-text", "keys-list", "number", "boolean"],
)
def test_anything_else_is_one_clear_error(keymap: Path, text: str) -> None:
    keymap.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match="must map binding ids to keys"):
        load_keymap()
