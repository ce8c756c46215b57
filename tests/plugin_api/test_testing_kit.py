"""The test kit's fixtures, used as a plugin author uses them."""

from __future__ import annotations

from pathlib import Path

import pytest

import assessor_ba_sef
import assessor_ice_mark
import assessor_tui
from assessor_tui.frameworks.errors import FrameworkInvalid

ROOT = Path(__file__).resolve().parents[2]


def test_framework_fixture_loads_and_reports(assessor_framework, tmp_path: Path) -> None:
    assert assessor_framework(ROOT / "frameworks" / "ba-sef.yaml").id == "ba-sef"
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\nid: x\n")
    with pytest.raises(FrameworkInvalid) as info:
        assessor_framework(bad)
    assert "version: missing" in str(info.value)


def test_host_fixture_holds_only_the_plugins_named(assessor_host) -> None:
    host = assessor_host(("ice-mark", assessor_ice_mark))
    assert list(host.frameworks) == ["ice-mark"]
    assert set(host.plugins) == {"ice-mark"}


def test_visit_fixture_edits_a_real_store(assessor_host, assessor_visit) -> None:
    visit = assessor_visit(assessor_host(("ba-sef", assessor_ba_sef)), "ba-sef")
    visit.edit(lambda e: e.set_level("2.4", "developing"))
    assert any(f.code == "ba-sef.focus-missing" for f in visit.findings())
    reopened = visit.session.open(visit.visit.id)
    assert reopened.visit.level("2.4") == "developing"


async def test_pilot_fixture_drives_the_workspace(
    assessor_host, assessor_visit, assessor_pilot
) -> None:
    visit = assessor_visit(assessor_host(("ba-sef", assessor_ba_sef)), "ba-sef")
    async with assessor_pilot(visit, item="1.3") as pilot:
        assert type(pilot.app.screen).__name__ == "WorkspaceScreen"
        await pilot.press("4")
    assert visit.session.open(visit.visit.id).visit.level("1.3") == "enhancing"


async def test_pilot_fixture_opens_a_panel_by_title(
    assessor_host, assessor_visit, assessor_pilot
) -> None:
    from assessor_ba_sef.tui import ProfilePanel

    visit = assessor_visit(assessor_host(("ba-sef", assessor_ba_sef)), "ba-sef")
    visit.edit(lambda e: e.set_level("1.1", "established"))
    async with assessor_pilot(visit, panel="B&A profile: ratings per strand") as pilot:
        assert pilot.app.screen.query_one(ProfilePanel).get_row("1")[1:] == [
            "0", "0", "1", "0", "5"  # one established, five not rated
        ]


async def test_pilot_fixture_says_why_a_panel_did_not_open(
    assessor_host, assessor_visit, assessor_pilot
) -> None:
    class Broken:
        @assessor_tui.hookimpl
        def register_panels(self, register):
            register("ba-sef", "Broken", "no_such_module_xyz:Panel")

    host = assessor_host(("ba-sef", assessor_ba_sef), ("broken", Broken()))
    visit = assessor_visit(host, "ba-sef")
    with pytest.raises(pytest.fail.Exception) as missing:
        async with assessor_pilot(visit, panel="Profile"):
            pass
    assert str(missing.value) == (
        "no panel 'Profile' for ba-sef; its panels: "
        "['Broken', 'B&A profile: ratings per strand']"
    )
    with pytest.raises(pytest.fail.Exception) as failed:
        async with assessor_pilot(visit, panel="Broken"):
            pass
    assert str(failed.value) == (
        "panel 'Broken' did not open: panel 'Broken' failed: "
        "ModuleNotFoundError: No module named 'no_such_module_xyz'"
    )
