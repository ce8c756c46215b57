"""The first screen: installed frameworks and the outline of the highlighted one."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Static

from assessor_tui.plugins.host import PluginHost, load_host
from assessor_tui.tui.app import make_app
from tests.tui.conftest import BUILT_INS


def outline_text(app) -> str:
    return str(app.screen.query_one("#outline-text", Static).render())


async def test_lists_every_framework_and_follows_the_cursor(host: PluginHost) -> None:
    app = make_app(host=host)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one(DataTable)
        ids = [str(k.value) for k in table.rows]
        assert ids == sorted(host.frameworks)
        assert "Self-evaluation framework for B&A partnerships" in outline_text(app)
        await pilot.press("j", "j")
        assert "A six-point planning framework" in outline_text(app)
        await pilot.press("k")
        assert "Schools and communities" in outline_text(app)
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_invalid_user_framework_is_shown_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("format: 7\n")
    host = load_host(entry_points=False, plugins=BUILT_INS, blocked=(), frameworks_dir=tmp_path)
    app = make_app(host=host)
    async with app.run_test() as pilot:
        problems = str(app.screen.query_one("#problems", Static).render())
        assert "Skipped bad.yaml:1: format: unknown format version 7" in problems
        assert app.screen.query_one(DataTable).row_count == 5
        await pilot.press("ctrl+q")


class TestFrameworksSnapshots:
    """The frameworks screen as a user sees it."""

    def test_80x24(self, snap_compare, host: PluginHost) -> None:
        """Smallest supported terminal: the table and the start of the outline."""
        assert snap_compare(make_app(host=host), terminal_size=(80, 24))

    def test_120x40_after_moving(self, snap_compare, host: PluginHost) -> None:
        """Large terminal, cursor moved to the ICE Mark."""

        async def run_before(pilot) -> None:
            await pilot.press("j", "j", "j")

        assert snap_compare(make_app(host=host), terminal_size=(120, 40), run_before=run_before)
