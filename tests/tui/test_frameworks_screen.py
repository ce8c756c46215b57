"""The first screen: installed frameworks and the outline of the highlighted one."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Static

from assessor_tui.plugins.host import PluginHost, load_host
from assessor_tui.session import Session
from assessor_tui.store import FLOOR_KDF, Vault
from assessor_tui.tui.app import AssessorApp, make_app
from tests.tui.conftest import BUILT_INS, PASSPHRASE
from tests.tui.helpers import wait_for_screen


def frameworks_app(host: PluginHost, store_dir: Path) -> AssessorApp:
    vault, _ = Vault.init(store_dir, PASSPHRASE, kdf=FLOOR_KDF)
    return make_app(host=host, data_dir=store_dir, session=Session(vault, host))


async def open_frameworks(pilot) -> None:
    await wait_for_screen(pilot, "VisitsScreen")
    await pilot.press("f")
    await wait_for_screen(pilot, "FrameworksScreen")


def outline_text(app) -> str:
    return str(app.screen.query_one("#outline-text", Static).render())


async def test_lists_every_framework_and_follows_the_cursor(
    host: PluginHost, store_dir: Path
) -> None:
    app = frameworks_app(host, store_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_frameworks(pilot)
        table = app.screen.query_one(DataTable)
        ids = [str(k.value) for k in table.rows]
        assert ids == sorted(host.frameworks)
        assert "Self-evaluation framework for B&A partnerships" in outline_text(app)
        await pilot.press("j", "j")
        assert "A six-point planning framework" in outline_text(app)
        await pilot.press("k")
        assert "Schools and communities" in outline_text(app)
        await pilot.press("escape")
        assert type(app.screen).__name__ == "VisitsScreen"
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_invalid_user_framework_is_shown_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("format: 7\n")
    host = load_host(entry_points=False, plugins=BUILT_INS, blocked=(), frameworks_dir=tmp_path)
    app = frameworks_app(host, tmp_path / "store")
    async with app.run_test() as pilot:
        await open_frameworks(pilot)
        problems = str(app.screen.query_one("#problems", Static).render())
        assert "Skipped bad.yaml:1: format: unknown format version 7" in problems
        assert app.screen.query_one(DataTable).row_count == 5
        await pilot.press("ctrl+q")


class TestFrameworksSnapshots:
    """The frameworks screen as a user sees it."""

    def test_80x24(self, snap_compare, host: PluginHost, store_dir: Path) -> None:
        """Smallest supported terminal: the table and the start of the outline."""
        assert snap_compare(
            frameworks_app(host, store_dir), terminal_size=(80, 24), run_before=open_frameworks
        )

    def test_120x40_after_moving(self, snap_compare, host: PluginHost, store_dir: Path) -> None:
        """Large terminal, cursor moved to the ICE Mark."""

        async def run_before(pilot) -> None:
            await open_frameworks(pilot)
            await pilot.press("j", "j", "j")

        assert snap_compare(
            frameworks_app(host, store_dir), terminal_size=(120, 40), run_before=run_before
        )
