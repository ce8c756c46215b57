"""A test kit for plugin authors, shipped as a pytest plugin (``-p assessor_tui.testing``
is automatic once assessor-tui is installed).

Fixtures, each a factory so a test says exactly what it needs::

    def test_my_rule(assessor_framework, assessor_host, assessor_visit):
        framework = assessor_framework("src/my_plugin/my-framework.yaml")
        host = assessor_host(("my-plugin", my_plugin))        # only the plugins named
        visit = assessor_visit(host, framework.id, school="Hill School")
        visit.edit(lambda e: e.set_level("1.1", "met"))
        assert [f.message for f in visit.findings()] == [...]

    async def test_my_panel(assessor_host, assessor_visit, assessor_pilot):
        visit = assessor_visit(assessor_host(...), "my-framework")
        async with assessor_pilot(visit, item="q1") as pilot:   # the workspace, on q1
            await pilot.press("2")
        async with assessor_pilot(visit, panel="My panel") as pilot:   # a panel, opened
            assert "2 of 3" in str(pilot.app.screen.query_one(MyPanel).render())

For the record of visit and its quality check, as the app's preview and submit see them,
``record_markdown``, ``ensure_ready`` and ``RecordNotReady`` are importable from here too, so
a plugin's tests import only this module and ``assessor_tui.plugin_api``.

Everything lives in pytest's temporary folders; stores use the lowest key-derivation
cost the store accepts, so tests stay fast. Nothing here touches the user's store.
The app's modules are imported when a fixture or helper is first used, not when pytest
loads this plugin, which it does in every test run once assessor-tui is installed.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from assessor_tui.frameworks.model import Framework
    from assessor_tui.plugins.host import PluginHost
    from assessor_tui.reports import RecordNotReady as RecordNotReady
    from assessor_tui.reports import ensure_ready as ensure_ready
    from assessor_tui.reports import record_markdown as record_markdown
    from assessor_tui.session import OpenVisit, Session

PASSPHRASE = "a passphrase for tests only"
FROM_REPORTS = ("RecordNotReady", "ensure_ready", "record_markdown")
"""The record's helpers a plugin's tests use, from ``assessor_tui.reports`` on first use."""


def __getattr__(name: str) -> Any:
    if name in FROM_REPORTS:
        from assessor_tui import reports

        return getattr(reports, name)
    raise AttributeError(f"module 'assessor_tui.testing' has no attribute {name!r}")


@pytest.fixture
def assessor_framework() -> Callable[[str | Path], Framework]:
    """Load and validate a framework file; FrameworkInvalid lists every problem."""
    from assessor_tui.frameworks.loader import load_file

    def load(path: str | Path) -> Framework:
        return load_file(Path(path))

    return load


@pytest.fixture
def assessor_host() -> Callable[..., PluginHost]:
    """A plugin host with only the plugins named: modules, objects or (name, plugin) pairs.

    ``frameworks_dir`` adds a folder of YAML files; ``entry_points=True`` adds every
    installed plugin as well.
    """
    from assessor_tui.plugins.host import load_host

    def make(
        *plugins: Any, frameworks_dir: str | Path | None = None, entry_points: bool = False
    ) -> PluginHost:
        named = [
            p if isinstance(p, tuple) else (getattr(p, "__name__", repr(p)), p) for p in plugins
        ]
        return load_host(
            entry_points=entry_points,
            plugins=named,
            blocked=(),
            frameworks_dir=Path(frameworks_dir) if frameworks_dir else None,
        )

    return make


@pytest.fixture
def assessor_session(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[PluginHost], Session]]:
    """An unlocked, empty store in a temporary folder, closed after the test."""
    from assessor_tui.session import Session
    from assessor_tui.store import FLOOR_KDF, Vault

    opened: list[Session] = []

    def make(host: PluginHost) -> Session:
        folder = tmp_path_factory.mktemp("assessor-store") / "store"
        vault, _ = Vault.init(folder, PASSPHRASE, kdf=FLOOR_KDF)
        session = Session(vault, host)
        opened.append(session)
        return session

    yield make
    for session in opened:
        if not session.vault.closed:
            session.close()


@pytest.fixture
def assessor_visit(assessor_session: Callable[[PluginHost], Session]) -> Callable[..., OpenVisit]:
    """A new visit in a fresh store: ``assessor_visit(host, framework_id, **fields)``.

    Fields are those of ``Session.new_visit`` (school defaults to "Test School").
    Edit it with ``visit.edit(lambda e: e.set_level(...))``; read ``visit.visit``,
    ``visit.findings()``, ``visit.coverage()``.
    """

    def make(host: PluginHost, framework_id: str, **fields: Any) -> OpenVisit:
        fields.setdefault("school", "Test School")
        return assessor_session(host).new_visit(framework_id, **fields)

    return make


@pytest.fixture
def assessor_pilot() -> Callable[..., Any]:
    """The app's workspace on a visit, driven with Textual's Pilot (for panels and commands).

    ``item`` moves to that item first; ``panel`` opens the panel of that title as the
    command palette would, and fails the test with the plugin's reason if it cannot be built.
    """

    @asynccontextmanager
    async def run(
        visit: OpenVisit,
        *,
        item: str | None = None,
        panel: str | None = None,
        size: tuple[int, int] = (120, 40),
    ) -> AsyncIterator[Pilot[None]]:
        from assessor_tui.tui.app import make_app

        visit.flush()
        session = visit.session
        app = make_app(host=session.host, data_dir=session.vault.data_dir, session=session)
        async with app.run_test(size=size) as pilot:
            await _until(pilot, lambda: type(app.screen).__name__ == "VisitsScreen", "the visits")
            app.screen.open_visit(visit.visit.id)  # type: ignore[attr-defined]
            await _until(pilot, lambda: _showing(pilot) is not None, "the workspace")
            if item is not None:
                app.screen.jump_to(item)  # type: ignore[attr-defined]
                await _until(pilot, lambda: _showing(pilot) == item, f"item {item!r}")
            if panel is not None:
                await _open_panel(pilot, session.host, visit, panel)
            yield pilot

    return run


async def _open_panel(pilot: Pilot[None], host: PluginHost, visit: OpenVisit, title: str) -> None:
    """Open a panel by its title, as the palette does; a clear failure when it does not open."""
    titles = [p.title for p in host.panels_for(visit.framework.id)]
    if title not in titles:
        pytest.fail(f"no panel {title!r} for {visit.framework.id}; its panels: {titles}")
    owner = host.panels_for(visit.framework.id)[titles.index(title)].owner
    # the workspace screen is showing (typed Screen[object])
    pilot.app.screen.action_panel(titles.index(title))  # type: ignore[attr-defined]

    def opened() -> bool:
        screen = pilot.app.screen
        return type(screen).__name__ == "PluginPanelScreen" and screen.widget.is_mounted  # type: ignore[attr-defined]

    await _until(pilot, lambda: opened() or host.plugins[owner].status != "ok", f"panel {title!r}")
    if not opened():
        pytest.fail(f"panel {title!r} did not open: {host.plugins[owner].reason}")


WAIT_BOUND = 60.0
"""Seconds the fixtures wait for the app to reach a state before failing the test: a bound
for an app that never gets there, not a pace (a busy laptop is many times slower)."""


async def _until(pilot: Pilot[Any], condition: Callable[[], object], what: str) -> None:
    """Let the app run until ``condition()`` holds; fail the test after WAIT_BOUND seconds."""
    deadline = time.monotonic() + WAIT_BOUND
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {WAIT_BOUND:.0f} s waiting for {what}")
        await pilot.pause(0.02)


def _showing(pilot: Pilot[Any]) -> str | None:
    """The item the workspace shows, once it is the screen, its set-up is done and the cursor
    has reached the tree (keys move from there)."""
    screen = pilot.app.screen
    if type(screen).__name__ != "WorkspaceScreen" or not screen.is_mounted:
        return None
    if screen.query_one("#criteria").cursor_node is None:  # type: ignore[attr-defined]
        return None
    return screen.query_one("#item-view").built_for  # type: ignore[attr-defined, no-any-return]
