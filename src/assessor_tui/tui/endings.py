"""Saving what was typed when the app is ended from outside: the terminal closed, a
logoff, a shutdown.

POSIX sends SIGHUP (the terminal closed) or SIGTERM (a shutdown, ``kill``); the
event loop runs the save on the app's thread. Windows has neither: the console
sends CTRL_CLOSE_EVENT (the window closed), CTRL_LOGOFF_EVENT,
CTRL_SHUTDOWN_EVENT or CTRL_BREAK_EVENT to handlers registered with
SetConsoleCtrlHandler, each on a thread of its own, and ends the process as soon
as the handler returns (or after about 5 s for a close). So the handler has the
app's thread save, and returns only when that is done. ``signal.SIGBREAK`` could
not do this: the C runtime turns those events into SIGBREAK but returns at once,
and the process is gone before Python's handler runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable
from concurrent.futures import CancelledError
from typing import Any

__all__ = [
    "CTRL_BREAK_EVENT",
    "CTRL_CLOSE_EVENT",
    "CTRL_C_EVENT",
    "CTRL_LOGOFF_EVENT",
    "CTRL_SHUTDOWN_EVENT",
    "watch_console",
    "watch_endings",
]

CTRL_C_EVENT = 0
CTRL_BREAK_EVENT = 1
CTRL_CLOSE_EVENT = 2
CTRL_LOGOFF_EVENT = 5
CTRL_SHUTDOWN_EVENT = 6
_SAVING_EVENTS = frozenset(
    {CTRL_BREAK_EVENT, CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT}
)

Unwatch = Callable[[], None]
ConsoleHandler = Callable[[int], bool]
SetHandler = Callable[[ConsoleHandler, bool], None]
"""SetConsoleCtrlHandler: add (True) or remove (False) a handler."""
CallFromThread = Callable[[Callable[[], None]], object]
"""Run a callable on the app's thread and wait for it (Textual's ``call_from_thread``)."""


def watch_endings(save_and_exit: Callable[[], None], call_from_thread: CallFromThread) -> Unwatch:
    """Have ``save_and_exit`` run on the app's thread when the OS ends the app.

    Returns what stops watching. Where nothing can be watched (not the main thread,
    no console) it watches nothing: the autosave and the quit paths still save.
    """
    if sys.platform == "win32":
        try:
            return watch_console(save_and_exit, call_from_thread, _set_console_handler)
        except OSError:
            return _nothing
    return _watch_signals(save_and_exit)


def watch_console(
    save_and_exit: Callable[[], None], call_from_thread: CallFromThread, set_handler: SetHandler
) -> Unwatch:
    """The Windows console's close, logoff, shutdown and ctrl+break events save and end
    the app; ctrl+c is left to the next handler (the app reads it as a key)."""

    def handler(event: int) -> bool:
        if event not in _SAVING_EVENTS:
            return False
        # the app already ended, or ended while this waited (its save says its own
        # failures): the event is handled
        with contextlib.suppress(RuntimeError, CancelledError):
            call_from_thread(save_and_exit)
        return True

    set_handler(handler, True)
    return lambda: set_handler(handler, False)


def _hangups() -> tuple[signal.Signals, ...]:
    if sys.platform == "win32":
        return ()
    return (signal.SIGHUP, signal.SIGTERM)


def _watch_signals(save_and_exit: Callable[[], None]) -> Unwatch:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return _nothing
    watched = []
    for sig in _hangups():
        try:
            loop.add_signal_handler(sig, save_and_exit)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # not the main thread (tests may run the app in a worker thread)
        watched.append(sig)

    def unwatch() -> None:
        for sig in watched:
            # the loop may be closed already, or this is no longer the main thread
            with contextlib.suppress(RuntimeError, ValueError, OSError):
                loop.remove_signal_handler(sig)

    return unwatch


def _nothing() -> None:
    return None


_registered: dict[ConsoleHandler, Any] = {}
"""The C callbacks handed to Windows: kept alive for as long as they are registered."""


def _set_console_handler(handler: ConsoleHandler, add: bool) -> None:
    """SetConsoleCtrlHandler through ctypes; OSError if Windows refuses."""
    if sys.platform != "win32":
        raise OSError("console control handlers exist only on Windows")
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    routine = ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.DWORD)
    kernel32.SetConsoleCtrlHandler.argtypes = (routine, wintypes.BOOL)
    kernel32.SetConsoleCtrlHandler.restype = wintypes.BOOL
    if add:
        callback = _registered.setdefault(handler, routine(handler))
    elif (callback := _registered.pop(handler, None)) is None:
        return
    if not kernel32.SetConsoleCtrlHandler(callback, add):
        raise ctypes.WinError(ctypes.get_last_error())
