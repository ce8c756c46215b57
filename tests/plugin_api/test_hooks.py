"""One test per hook, each through a plugin of its own; and plugins that misbehave."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import assessor_tui
from assessor_tui.domain.findings import Finding
from assessor_tui.frameworks.loader import load_bytes
from assessor_tui.record.document import Heading, Paragraph
from assessor_tui.reports import RecordNotReady, ensure_ready, record_markdown
from tests.distributions import make_distribution
from tests.tui.helpers import type_text, wait_for, wait_for_screen

YAML = b"""\
format: 1
id: hooks-test
version: "1"
title: Hooks test framework
publisher: Tests
source: Tests
scales:
  - id: yn
    levels: [{id: "no", label: "No"}, {id: "yes", label: "Yes"}]
sections:
  - id: s
    title: Only section
    items:
      - {kind: criterion, id: c1, title: Criterion one, scale: yn}
"""
FRAMEWORK = load_bytes(YAML, "hooks-test.yaml")


class Provides:
    @assessor_tui.hookimpl
    def register_frameworks(self, register):
        register(FRAMEWORK)


def test_hook_register_frameworks(assessor_host) -> None:
    host = assessor_host(("provider", Provides()))
    assert host.framework("hooks-test") is FRAMEWORK
    assert host.frameworks["hooks-test"].owner == "provider"
    assert host.plugins["provider"].frameworks == ["hooks-test"]


def test_hook_evaluate_visit(assessor_host, assessor_visit) -> None:
    class Rule:
        @assessor_tui.hookimpl
        def evaluate_visit(self, visit, framework):
            if framework.id != "hooks-test":
                return None
            return [
                Finding(
                    "hooks-test.c1", f"c1 is {visit.level('c1') or 'not judged'}", "warning", "c1"
                )
            ]

    host = assessor_host(("provider", Provides()), ("rule", Rule()))
    visit = assessor_visit(host, "hooks-test")
    assert [f.message for f in visit.findings()] == ["c1 is not judged"]
    visit.edit(lambda e: e.set_level("c1", "yes"))
    assert [f.message for f in visit.findings()] == ["c1 is yes"]


def test_hook_migrate_visit(assessor_host, assessor_visit) -> None:
    calls = []

    class Migrates:
        @assessor_tui.hookimpl
        def migrate_visit(self, visit, framework, from_version):
            calls.append(from_version)
            return {}

    host = assessor_host(("provider", Provides()), ("migrates", Migrates()))
    visit = assessor_visit(host, "hooks-test")
    session = visit.session
    # an older version recorded on the visit header: the hook is asked, the visit moves
    visit.file.apply([visit.editor._change("visit", visit.visit.id, {"framework_version": "0"})])
    assert session.migrate(visit.visit.id) == "0"
    assert calls == ["0"]
    assert session.open(visit.visit.id).visit.framework_version == "1"


def test_hook_report_sections(assessor_host, assessor_visit) -> None:
    class Report:
        @assessor_tui.hookimpl
        def report_sections(self, visit, framework):
            if framework.id != "hooks-test":
                return None
            return [Heading("Our own section", 1), Paragraph(f"Visited {visit.school.name}")]

    host = assessor_host(("provider", Provides()), ("report", Report()))
    visit = assessor_visit(host, "hooks-test", school="Hill School")
    text = record_markdown(visit.visit, visit.framework, host)
    assert "Our own section" in text
    assert "Visited Hill School" in text


def test_hook_check_record(assessor_host, assessor_visit) -> None:
    class Check:
        @assessor_tui.hookimpl
        def check_record(self, visit, framework):
            if visit.level("c1") is None:
                return [Finding("hooks-test.c1", "c1 must be judged first", "problem", "c1")]
            return []

    host = assessor_host(("provider", Provides()), ("check", Check()))
    visit = assessor_visit(host, "hooks-test")
    with pytest.raises(RecordNotReady) as info:
        ensure_ready(visit.visit, visit.framework, host)
    assert "c1 must be judged first" in str(info.value)
    visit.edit(lambda e: e.set_level("c1", "no"))
    assert ensure_ready(visit.visit, visit.framework, host) == []


@pytest.mark.parametrize("returned", [42, ["a string"], [{"code": "x"}]])
def test_a_hook_returning_the_wrong_type_is_disabled(
    assessor_host, assessor_visit, returned
) -> None:
    class Wrong:
        @assessor_tui.hookimpl
        def evaluate_visit(self, visit, framework):
            return returned

    host = assessor_host(("provider", Provides()), ("wrong", Wrong()))
    visit = assessor_visit(host, "hooks-test")
    (warning,) = visit.findings()  # nothing of the wrong answer; the plugin named instead
    assert host.plugins["wrong"].status == "failed"
    assert host.plugins["wrong"].reason.startswith("hook evaluate_visit returned ")
    assert warning.message == (
        f"The wrong plugin failed and is disabled for this session: {host.plugins['wrong'].reason}"
    )
    assert host.plugins["provider"].status == "ok"


BROKEN = {
    "raises-at-import": "raise RuntimeError('cannot start')\n",
    "raises-in-register": """
        import assessor_tui
        @assessor_tui.hookimpl
        def register_frameworks(register):
            raise ValueError("no frameworks today")
        """,
    "raises-in-rule": """
        import assessor_tui
        @assessor_tui.hookimpl
        def evaluate_visit(visit, framework):
            raise KeyError("oops")
        """,
    "duplicate-id": """
        from pathlib import Path
        import assessor_tui
        @assessor_tui.hookimpl
        def register_frameworks(register):
            p = Path(__file__).with_name("dup.yaml")
            p.write_text(Path(__file__).with_name("ice.txt").read_text())
            register(p)
        """,
}


def test_misbehaving_plugins_leave_the_cli_working(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_distribution(site, "broken", BROKEN, version="1.0")
    root = Path(__file__).resolve().parents[2]
    (site / "ice.txt").write_text((root / "frameworks" / "ice-mark.yaml").read_text())
    env = {**os.environ, "PYTHONPATH": str(site)}
    assessor = str(Path(sys.executable).with_name("assessor"))
    listed = subprocess.run(
        [assessor, "frameworks", "list"], capture_output=True, text=True, env=env, check=True
    )
    assert "ice-mark" in listed.stdout and "ba-sef" in listed.stdout
    plugins = subprocess.run(
        [assessor, "plugins", "list"], capture_output=True, text=True, env=env, check=True
    ).stdout
    rows = {line.split()[0]: line for line in plugins.splitlines()[1:]}
    assert "failed: import failed: RuntimeError: cannot start" in rows["raises-at-import"]
    assert (
        "failed: hook register_frameworks raised ValueError: no frameworks today"
        in rows["raises-in-register"]
    )
    assert (
        "failed: hook register_frameworks raised ValueError: framework id 'ice-mark' "
        "is already provided by ice-mark" in rows["duplicate-id"]
    )
    assert rows["raises-in-rule"].split()[-1] == "ok"  # it fails only when it runs
    assert "Traceback" not in plugins


def test_hook_register_panels(assessor_host) -> None:
    import assessor_ba_sef

    host = assessor_host(("ba-sef", assessor_ba_sef))
    (panel,) = host.panels_for("ba-sef")
    assert (panel.title, panel.target, panel.owner) == (
        "B&A profile: ratings per strand",
        "assessor_ba_sef.tui:ProfilePanel",
        "ba-sef",
    )
    assert host.panels_for("ice-mark") == []
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys; from assessor_tui.plugins.host import load_host; "
         "load_host(); print('textual' in sys.modules, 'assessor_ba_sef.tui' in sys.modules)"],
        capture_output=True, text=True, check=True).stdout.split()
    assert loaded == ["False", "False"]  # registering a panel imports none of the app


async def test_a_plugin_panel_opens_from_the_palette(
    assessor_host, assessor_visit, assessor_pilot
) -> None:
    import assessor_ba_sef

    visit = assessor_visit(assessor_host(("ba-sef", assessor_ba_sef)), "ba-sef")
    visit.edit(
        lambda e: e.set_level("1.1", "established"), lambda e: e.set_level("1.2", "developing")
    )
    async with assessor_pilot(visit) as pilot:
        await pilot.press("ctrl+p")
        await wait_for_screen(pilot, "CommandPalette")
        await type_text(pilot, "Panel: B&A")
        hits = pilot.app.screen.query_one("CommandList")
        await wait_for(
            pilot,
            lambda: hits.option_count > 0
            and "Panel: B&A" in str(hits.get_option_at_index(0).prompt),
            what="the panel in the palette",
        )
        await pilot.press("enter")
        await wait_for_screen(pilot, "PluginPanelScreen")
        table = pilot.app.screen.query_one("#ba-sef-profile")
        await wait_for(pilot, lambda: table.row_count > 0, what="the profile's rows")
        first = table.get_row("1")
        assert first[0].startswith("1 Leadership and management")
        assert first[1:] == ["1", "0", "1", "0", "4"]  # developing, developed, established…


async def test_a_failing_panel_disables_its_plugin_not_the_app(
    assessor_host, assessor_visit, assessor_pilot
) -> None:
    class BadPanel:
        @assessor_tui.hookimpl
        def register_panels(self, register):
            register("hooks-test", "Broken", "no_such_module_xyz:Panel")

    host = assessor_host(("provider", Provides()), ("bad", BadPanel()))
    visit = assessor_visit(host, "hooks-test")
    async with assessor_pilot(visit) as pilot:
        pilot.app.screen.action_panel(0)
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "WorkspaceScreen"
        assert host.plugins["bad"].status == "failed"
        assert "No module named 'no_such_module_xyz'" in host.plugins["bad"].reason
