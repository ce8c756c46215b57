"""A plugin that fails during a visit is named where the assessor looks: the write-up's
findings, the submit dialog (a record it can no longer check is not finalised), and the
message of a visit that will not reopen. Driven through the app with Pilot, and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import assessor_ice_mark
import assessor_tui
from assessor_tui.plugins.host import PluginHost, load_host
from assessor_tui.session import OpenVisit, Session, SessionError
from assessor_tui.testing import PASSPHRASE
from assessor_tui.tui.app import AssessorApp, make_app
from tests.distributions import make_distribution
from tests.notifications import told
from tests.plugin_api.test_hooks import Provides
from tests.tui.helpers import screen_text, wait_for, wait_for_screen

ASSESSOR = str(Path(sys.executable).with_name("assessor"))


class FaultyRule:
    @assessor_tui.hookimpl
    def evaluate_visit(self, visit, framework):
        raise KeyError("partnerships-9")


class FaultyCheck:
    @assessor_tui.hookimpl
    def check_record(self, visit, framework):
        raise RuntimeError("no checking today")


def messages(app: AssessorApp) -> list[str]:
    return told(app)


def started(visit: OpenVisit) -> OpenVisit:
    visit.edit(lambda e: e.start())
    return visit


async def test_a_rule_failing_during_the_visit_is_named_in_the_write_up(
    assessor_host, assessor_visit, assessor_pilot
) -> None:
    host = assessor_host(("ice-mark", assessor_ice_mark), ("faulty", FaultyRule()))
    visit = assessor_visit(host, "ice-mark")
    async with assessor_pilot(visit) as pilot:
        await pilot.press("w")
        await wait_for_screen(pilot, "WriteUpScreen")
        findings = screen_text(pilot.app, "#findings").splitlines()
        assert findings[-1] == (
            "! The faulty plugin failed and is disabled for this session: "
            "hook evaluate_visit raised KeyError: 'partnerships-9'"
        )
        assert host.plugins["ice-mark"].status == "ok"  # its own rules still run
        assert len(findings) > 1


class WrongSections:
    @assessor_tui.hookimpl
    def report_sections(self, visit, framework):
        return ["## Our section"]  # Markdown, not report blocks


async def test_sections_that_are_not_blocks_disable_the_plugin_by_name(
    assessor_host, assessor_visit, assessor_pilot
) -> None:
    host = assessor_host(("ice-mark", assessor_ice_mark), ("shaper", WrongSections()))
    visit = assessor_visit(host, "ice-mark")
    async with assessor_pilot(visit) as pilot:
        await pilot.press("p")
        await wait_for_screen(pilot, "PreviewScreen")
        await pilot.press("escape")
        await wait_for_screen(pilot, "WorkspaceScreen")
        await pilot.press("w")
        await wait_for_screen(pilot, "WriteUpScreen")
        assert screen_text(pilot.app, "#findings").splitlines()[-1] == (
            "! The shaper plugin failed and is disabled for this session: "
            "hook report_sections returned str, not a report block"
        )
    assert host.plugins["shaper"].status == "failed"  # so `assessor plugins list` says so


class QuittingPanel:
    """A panel whose plugin calls sys.exit() while building it."""

    def __init__(self, visit, framework) -> None:
        sys.exit("bye")


class OffersQuittingPanel:
    @assessor_tui.hookimpl
    def register_panels(self, register):
        register("ice-mark", "Quits", f"{__name__}:QuittingPanel")


async def test_a_panel_calling_sys_exit_disables_its_plugin_and_the_app_goes_on(
    assessor_host, assessor_visit, assessor_pilot
) -> None:
    host = assessor_host(("ice-mark", assessor_ice_mark), ("quitter", OffersQuittingPanel()))
    visit = assessor_visit(host, "ice-mark")
    with pytest.raises(pytest.fail.Exception) as failed:
        async with assessor_pilot(visit, panel="Quits"):
            pass
    assert str(failed.value) == "panel 'Quits' did not open: panel 'Quits' failed: SystemExit: bye"
    assert host.failure_findings()[0].message.startswith("The quitter plugin failed")


async def test_a_failing_quality_check_keeps_the_visit_from_being_submitted(
    assessor_host, assessor_visit, assessor_pilot
) -> None:
    host = assessor_host(("ice-mark", assessor_ice_mark), ("checker", FaultyCheck()))
    visit = started(assessor_visit(host, "ice-mark"))
    async with assessor_pilot(visit) as pilot:
        app = pilot.app
        await pilot.press("U")
        await wait_for_screen(pilot, "SubmitScreen")
        assert screen_text(app, "#submit-quality") == (
            "✗ problem: the checker plugin failed and is disabled for this session, so it "
            "cannot check this record: hook check_record raised RuntimeError: no checking today"
        )
        assert "The checker plugin failed" in screen_text(app, "#submit-findings")
        assert "marked ✗ first" in screen_text(app, "#submit-verdict")
        assert not app.screen.query("#yes")
        await pilot.press("y")
        await wait_for(pilot, lambda: any("Not submitted" in m for m in messages(app)),
                       what="the refusal")
    assert visit.session.open(visit.visit.id).visit.status == "in_progress"


class ProvidesThenFails(Provides):
    @assessor_tui.hookimpl
    def register_panels(self, register):
        raise RuntimeError("licence expired")


WHY = "this visit needs plugin 'provider' (framework 'hooks-test' version 1)"
REOPENED: dict[str, tuple[Callable[[], PluginHost], str]] = {
    "failed": (
        lambda: load_host(entry_points=False, blocked=(),
                          plugins=[("provider", ProvidesThenFails())]),
        f"{WHY}, which failed: hook register_panels raised RuntimeError: licence expired",
    ),
    "disabled": (
        lambda: load_host(entry_points=False, blocked={"provider"},
                          plugins=[("provider", Provides())]),
        "this visit needs framework 'hooks-test' version 1, which no installed plugin "
        "provides: install the plugin that provides 'hooks-test' (usually named "
        "'hooks-test'); it may be one of the plugins that did not load: provider "
        "(disabled: blocked by ASSESSOR_DISABLE_PLUGINS)",
    ),
    "disabled, named as its framework": (
        lambda: load_host(entry_points=False, blocked={"hooks-test"},
                          plugins=[("hooks-test", Provides())]),
        "this visit needs plugin 'hooks-test' (framework 'hooks-test' version 1), which is "
        "disabled: blocked by ASSESSOR_DISABLE_PLUGINS",
    ),
    "not installed": (
        lambda: load_host(entry_points=False, blocked=(), plugins=[]),
        "this visit needs framework 'hooks-test' version 1, which no installed plugin "
        "provides: install the plugin that provides 'hooks-test' (usually named 'hooks-test')",
    ),
}


@pytest.mark.parametrize("case", list(REOPENED))
async def test_a_visit_that_cannot_reopen_says_why(
    assessor_host, assessor_visit, case: str
) -> None:
    visit = assessor_visit(assessor_host(("provider", Provides())), "hooks-test")
    visit.close()
    make_host, expected = REOPENED[case]
    host = make_host()
    session = Session(visit.session.vault, host)  # the next run of the app, on this store
    with pytest.raises(SessionError) as refused:
        session.open(visit.visit.id)
    assert str(refused.value) == expected
    app = make_app(host=host, data_dir=session.vault.data_dir, session=session)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_screen(pilot, "VisitsScreen")
        await pilot.press("enter")
        await wait_for(pilot, lambda: messages(app), what="the message")
        assert messages(app) == [expected]
        assert type(app.screen).__name__ == "VisitsScreen"


def test_a_failing_quality_check_refuses_submit_and_final_export_in_one_line(
    assessor_host, assessor_visit, tmp_path: Path
) -> None:
    """The CLI loads the failing plugin from its entry point, as an installed one is."""
    visit = started(assessor_visit(assessor_host(("ice-mark", assessor_ice_mark)), "ice-mark"))
    visit.close()
    site = tmp_path / "site"
    make_distribution(site, "checker", {"checker": """\
        import assessor_tui

        @assessor_tui.hookimpl
        def check_record(visit, framework):
            raise RuntimeError("no checking today")
        """}, version="1.0")
    env = {**os.environ, "PYTHONPATH": str(site), "ASSESSOR_PASSPHRASE": PASSPHRASE,
           "ASSESSOR_DATA_DIR": str(visit.session.vault.data_dir)}
    visit.session.close()
    why = ("the record cannot be finalised yet (1 problem): the checker plugin failed and is "
           "disabled for this session, so it cannot check this record: hook check_record "
           "raised RuntimeError: no checking today")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([ASSESSOR, *args], capture_output=True, text=True, env=env,
                              stdin=subprocess.DEVNULL, timeout=60)

    submitted = run("visits", "submit", visit.visit.id)
    assert (submitted.returncode, submitted.stderr) == (1, f"assessor: not submitted: {why}\n")
    out = tmp_path / "final.md"
    exported = run("visits", "export", visit.visit.id, "--format", "md", "--final",
                   "-o", str(out))
    assert (exported.returncode, exported.stderr) == (1, f"assessor: {why}\n")
    assert not out.exists()
    shown = run("visits", "show", visit.visit.id, "--json")
    assert json.loads(shown.stdout)["visit"]["status"] == "in_progress"
