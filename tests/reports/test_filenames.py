"""The file name the export dialog suggests is built from the school's name, which is free
text; it must be a name Windows, macOS and Linux all accept as an ordinary file."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from tests.tui.conftest import PASSPHRASE
from tests.tui.helpers import add_visit, app_for, open_only_visit, wait_for_screen
from textual.widgets import Input

from assessor_tui.plugins.host import PluginHost
from assessor_tui.reports.filenames import MAX_STEM, export_file_name, safe_file_name
from assessor_tui.session import Session
from assessor_tui.store import FLOOR_KDF, Vault

VISIT_ID = "0190a5e2-7c3d-7b1e-8f00-000000000001"
DEVICES = {"con", "prn", "aux", "nul", *(f"{p}{n}" for p in ("com", "lpt") for n in range(10))}


def acceptable_everywhere(name: str) -> bool:
    """What Windows (the strictest) accepts as an ordinary file name."""
    stem = name.split(".", 1)[0]
    return (
        bool(name)
        and not re.search(r'[<>:"/\\|?*\x00-\x1f\x7f]', name)
        and not name.endswith((".", " "))
        and stem.rstrip(" ").lower() not in DEVICES
        and unicodedata.normalize("NFKC", stem).lower() not in DEVICES
        and len(name) <= 255
    )


@pytest.mark.parametrize(("school", "expected"), [
    ("CON", "con-0190a5e2.pdf"),
    ("a:b", "a-b-0190a5e2.pdf"),
    ("name.", "name-0190a5e2.pdf"),
    ("Aux. ", "aux-0190a5e2.pdf"),
    ("St Mary's C of E: Juniors", "st-mary-s-c-of-e-juniors-0190a5e2.pdf"),
    ("École Sainte-Marie", "école-sainte-marie-0190a5e2.pdf"),
    ('<>:"/\\|?*', "visit-0190a5e2.pdf"),
    ("", "visit-0190a5e2.pdf"),
])
def test_default_export_names_from_hostile_school_names(school: str, expected: str) -> None:
    name = export_file_name(school, VISIT_ID, ".pdf")
    assert name == expected
    assert acceptable_everywhere(name)


@pytest.mark.parametrize("text", [
    "CON", "con", "nul", "LPT9", "COM¹", "ＣＯＮ", "prn.txt", "a:b", "name.", "name ",
    "tab\there", "bell\x07", "\x1b[2J", "..", " ", "x" * 300, "Ω" * 300, "a/b\\c",
])
def test_any_text_becomes_an_ordinary_file_name(text: str) -> None:
    name = safe_file_name(text, ".docx")
    assert acceptable_everywhere(name), name
    assert len(name) <= MAX_STEM + len(".docx")
    assert name == unicodedata.normalize("NFC", name) == name.lower()


def test_a_long_school_name_keeps_the_visit_id() -> None:
    """Two visits to one school must not get the same suggested name."""
    name = export_file_name("The " + "Very " * 40 + "Long Academy", VISIT_ID, ".pdf")
    assert name.endswith("-0190a5e2.pdf") and len(name) <= MAX_STEM + len(".pdf")


async def test_the_export_dialog_suggests_a_safe_name_in_the_home_folder(
    host: PluginHost, tmp_path: Path
) -> None:
    vault, _ = Vault.init(tmp_path / "store", PASSPHRASE, kdf=FLOOR_KDF)
    session = Session(vault, host)
    visit_id = add_visit(session, "ice-mark", "CON: Juniors / Annex.")
    app = app_for(host, tmp_path / "store", session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        await pilot.press("p")
        await wait_for_screen(pilot, "PreviewScreen")
        await pilot.press("e")
        await wait_for_screen(pilot, "FormScreen")
        suggested = Path(app.screen.query_one("#f-path", Input).value)
        await pilot.press("escape")
        await pilot.press("ctrl+q")
    assert suggested == Path.home() / f"con-juniors-annex-{visit_id[:8]}.pdf"
