"""The app ended from outside saves what was typed. POSIX's SIGHUP is proved in a real
terminal (test_tmux.py); here the Windows console's events, delivered as Windows delivers
them (on a thread of their own, the process ended once the handler returns), with
SetConsoleCtrlHandler substituted: no CI machine runs Windows."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import pytest

from assessor_tui.plugins.host import PluginHost
from assessor_tui.session import Session
from assessor_tui.tui import endings
from tests.tui.helpers import (
    add_visit,
    app_for,
    open_only_visit,
    stored_visit,
    type_text,
    wait_for,
    wait_for_screen,
)

REAL_PLATFORM = sys.platform


class FakeConsole:
    """SetConsoleCtrlHandler's list of handlers, which the console's events go through."""

    def __init__(self) -> None:
        self.handlers: list[endings.ConsoleHandler] = []

    def set_handler(self, handler: endings.ConsoleHandler, add: bool) -> None:
        if add:
            self.handlers.append(handler)
        else:
            self.handlers.remove(handler)

    def send(self, event: int) -> bool:
        """What Windows does: each handler, newest first, until one says it handled it."""
        return any(handler(event) for handler in reversed(self.handlers))


@pytest.fixture
def console(monkeypatch: pytest.MonkeyPatch) -> FakeConsole:
    fake = FakeConsole()
    monkeypatch.setattr(endings, "_set_console_handler", fake.set_handler)
    return fake


async def test_closing_the_console_window_saves_the_note_being_typed(
    host: PluginHost, store_dir: Path, session: Session, console: FakeConsole,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    visit_id = add_visit(session, "ice-mark", "Riverside Primary")
    app = app_for(host, store_dir, session)
    monkeypatch.setattr(sys, "platform", "win32")
    async with app.run_test(size=(120, 40)) as pilot:
        monkeypatch.setattr(sys, "platform", REAL_PLATFORM)  # only the start-up saw Windows
        assert len(console.handlers) == 1  # the app registered with the console
        await open_only_visit(pilot)
        await pilot.press("a")
        await wait_for_screen(pilot, "NoteScreen")
        await type_text(pilot, "Five sectors named by the head")
        # the window's close button: Windows calls the handler on a thread of its own
        handled = await asyncio.to_thread(console.send, endings.CTRL_CLOSE_EVENT)
        assert handled  # so Windows ends the process only now, after the save
        await wait_for(pilot, lambda: not app.is_running, what="the app to end")
    assert app.return_code == 0
    notes = stored_visit(store_dir, host, visit_id).notes
    assert [n.text for n in notes] == ["Five sectors named by the head"]
    assert console.handlers == []  # an ended app leaves no handler behind


@pytest.mark.parametrize("event", [endings.CTRL_LOGOFF_EVENT, endings.CTRL_SHUTDOWN_EVENT,
                                   endings.CTRL_BREAK_EVENT, endings.CTRL_CLOSE_EVENT])
def test_every_ending_event_saves_and_ctrl_c_is_left_alone(event: int) -> None:
    console = FakeConsole()
    ran: list[str] = []

    def call_from_thread(callback: object) -> None:
        ran.append("on the app's thread")

    unwatch = endings.watch_console(lambda: None, call_from_thread, console.set_handler)
    assert console.send(endings.CTRL_C_EVENT) is False and ran == []  # ctrl+c is a key
    assert console.send(event) is True and ran == ["on the app's thread"]
    unwatch()
    assert console.handlers == []


def test_an_ended_app_lets_the_event_through_quietly() -> None:
    """A close that arrives as the app is ending: nothing left to save, no traceback."""
    console = FakeConsole()

    def not_running(callback: object) -> None:
        raise RuntimeError("App is not running")

    endings.watch_console(lambda: None, not_running, console.set_handler)
    assert console.send(endings.CTRL_CLOSE_EVENT) is True


def test_windows_watches_the_console_and_no_signals(
    console: FakeConsole, monkeypatch: pytest.MonkeyPatch
) -> None:
    added: list[int] = []

    async def start() -> endings.Unwatch:
        loop = asyncio.get_running_loop()
        monkeypatch.setattr(loop, "add_signal_handler", lambda sig, cb: added.append(sig))
        return endings.watch_endings(lambda: None, lambda callback: None)

    monkeypatch.setattr(sys, "platform", "win32")
    unwatch = asyncio.run(start())
    monkeypatch.setattr(sys, "platform", REAL_PLATFORM)
    assert added == [] and len(console.handlers) == 1
    unwatch()
    assert console.handlers == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_posix_watches_hangup_and_terminate() -> None:
    added: list[int] = []

    async def start() -> None:
        loop = asyncio.get_running_loop()
        real = loop.add_signal_handler

        def add(sig: int, callback: object) -> None:
            added.append(sig)
            real(sig, lambda: None)

        loop.add_signal_handler = add  # type: ignore[method-assign]
        endings.watch_endings(lambda: None, lambda callback: None)()

    asyncio.run(start())
    assert added == [signal.SIGHUP, signal.SIGTERM]
