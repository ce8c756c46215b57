"""The test kit's fixtures, used as a plugin author uses them."""

from __future__ import annotations

from pathlib import Path

import pytest

import assessor_ba_sef
import assessor_ice_mark
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
