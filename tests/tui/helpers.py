"""Shared by the app tests: a fixed clock, visits made through the session, the store
reopened afterwards to prove what was saved, and waiting on the screen without sleeping."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from textual import events
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static

from assessor_tui.domain.visit import Visit
from assessor_tui.plugins.host import PluginHost
from assessor_tui.session import Session
from assessor_tui.tui.app import AssessorApp, make_app
from tests.tui.conftest import PASSPHRASE

NOW = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
"""The visit morning every test runs in: times and dates on screen never move."""
TODAY = NOW.date()


def fixed_now() -> datetime:
    return NOW


def app_for(host: PluginHost, store_dir: Path, session: Session | None = None,
            **options: Any) -> AssessorApp:
    """The app as the CLI builds it, on the fixed clock unless ``now=`` says otherwise."""
    options.setdefault("now", fixed_now)
    return make_app(host=host, data_dir=store_dir, session=session, **options)


def add_visit(session: Session, framework_id: str, school: str, *,
              scheduled: date = TODAY, **fields: Any) -> str:
    """A visit made through the session (as `assessor visits new` does); returns its id."""
    opened = session.new_visit(framework_id, school=school, scheduled=scheduled, **fields)
    opened.close()
    return opened.file.visit_id


@contextmanager
def reopened(store_dir: Path, host: PluginHost) -> Iterator[Session]:
    """The store opened afresh with the passphrase, as the next run of the app would."""
    session = Session.unlock(store_dir, PASSPHRASE, host)
    try:
        yield session
    finally:
        session.close()


def stored_visit(store_dir: Path, host: PluginHost, visit_id: str) -> Visit:
    """The visit as it is on disk (the app must have closed the store)."""
    with reopened(store_dir, host) as session:
        return session.open(visit_id).visit


def stored_summaries(store_dir: Path, host: PluginHost) -> list[dict[str, Any]]:
    with reopened(store_dir, host) as session:
        return session.repo.summaries()


def text(widget: Widget) -> str:
    """What a Static shows, as plain text."""
    assert isinstance(widget, Static)
    return str(widget.render())


def screen_text(app: AssessorApp, selector: str) -> str:
    return text(app.screen.query_one(selector))


WAIT_BOUND = 60.0
"""Seconds a test waits for a state before failing: a bound for an app that never gets
there, not a pace; a laptop with every core busy takes many times longer than an idle one."""


async def wait_for(pilot: Pilot, condition: Callable[[], object], timeout: float = WAIT_BOUND,
                   what: str = "") -> None:
    """Let the app run until ``condition()`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await pilot.pause(0.02)  # how often to look, not how long things take


async def wait_for_screen(pilot: Pilot, name: str, timeout: float = WAIT_BOUND) -> None:
    """Wait until ``name`` is the screen and its set-up (``on_mount``) has finished."""
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == name
                   and pilot.app.screen.is_mounted, timeout, f"the {name}")


async def type_text(pilot: Pilot, value: str) -> None:
    """Type like a user: one key per character."""
    await pilot.press(*[_key(c) for c in value])


async def paste(pilot: Pilot, value: str) -> None:
    """Paste into the focused widget, as a terminal does (one event, not a key per character:
    much quicker for long text)."""
    focused = pilot.app.focused

    def shown() -> object:
        return getattr(focused, "text", getattr(focused, "value", None))

    before = shown()
    pilot.app.post_message(events.Paste(value))
    if before is None or not value:  # nothing to watch: let the app take it in
        await pilot.pause()
        return
    await wait_for(pilot, lambda: shown() != before and value in str(shown()), what="the paste")


def _key(char: str) -> str:
    names = {" ": "space", "-": "minus", ".": "full_stop", "/": "slash", ",": "comma",
             ":": "colon", "'": "apostrophe", "&": "ampersand", "+": "plus", "?": "question_mark"}
    return names.get(char, char)


async def open_only_visit(pilot) -> None:
    """From the visits list, open the (first) visit and wait for its workspace."""
    await wait_for_screen(pilot, "VisitsScreen")
    await pilot.press("enter")
    await wait_for_workspace(pilot)


async def wait_for_workspace(pilot) -> None:
    """Wait until a visit's workspace is up: its first item shown, the cursor on it."""
    await wait_for_screen(pilot, "WorkspaceScreen")
    await wait_for(pilot, lambda: pilot.app.screen.query_one("#criteria").cursor_node is not None
                   and shown_item(pilot.app) is not None, what="the first item, the cursor on it")


async def go_to(pilot, item_id: str) -> None:
    """Make ``item_id`` the workspace's current item, and wait until it shows."""
    pilot.app.screen.jump_to(item_id)
    await wait_for(pilot, lambda: shown_item(pilot.app) == item_id, what=f"item {item_id}")


def shown_item(app: AssessorApp) -> str | None:
    """The item the workspace shows, once every widget of it is mounted."""
    return app.screen.query_one("#item-view").built_for
