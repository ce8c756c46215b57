"""The app, and the one factory that builds it for the CLI and the tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.theme import Theme

from assessor_tui.plugins.loading import HostLoader
from assessor_tui.tui.commands import AssessorCommands
from assessor_tui.tui.endings import watch_endings
from assessor_tui.tui.failures import tell_failure
from assessor_tui.tui.screens.help import HelpScreen
from assessor_tui.tui.screens.unlock import CreateStoreScreen, UnlockScreen
from assessor_tui.tui.screens.visits import VisitsScreen
from assessor_tui.tui.state import AppState, Clock

if TYPE_CHECKING:
    from assessor_tui.plugins.host import PluginHost
    from assessor_tui.session import Session

IDLE_LOCK_SECONDS = 10 * 60

HIGH_CONTRAST = Theme(
    name="assessor-high-contrast",
    dark=True,
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FF00FF",
    warning="#FFA500",
    error="#FF4040",
    success="#00FF00",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#202020",
)


def _now() -> datetime:
    return datetime.now().astimezone()


class AssessorApp(AppState):
    """Screens: unlock (or create the store) → visits → a visit's workspace. The state and
    its changes are AppState's (tui/state.py); this class decides which screen shows."""

    TITLE = "assessor"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {AssessorCommands}
    BINDINGS = [
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            id="app.quit",
            tooltip="Save everything, then quit",
        ),
        Binding(
            "ctrl+l",
            "lock",
            "Lock",
            id="app.lock",
            tooltip="Save, forget the key and return to the unlock screen",
        ),
        Binding("question_mark", "help", "Help", id="app.help", tooltip="Every key of this screen"),
    ]

    locked: reactive[bool] = reactive(True)

    def __init__(
        self,
        host: PluginHost | HostLoader,
        data_dir: Path,
        *,
        session: Session | None = None,
        idle_lock_seconds: float = IDLE_LOCK_SECONDS,
        now: Clock = _now,
        high_contrast: bool = False,
        keymap: dict[str, str] | None = None,
    ) -> None:
        super().__init__(host, data_dir, session=session, now=now)
        self.idle_lock_seconds = idle_lock_seconds
        self.last_activity = time.monotonic()
        self.register_theme(HIGH_CONTRAST)
        if high_contrast:
            self.theme = HIGH_CONTRAST.name
        self.user_keymap = keymap or {}
        self._restorations_told: tuple[Session | None, int] = (None, 0)
        self._unwatch_endings: Callable[[], None] = lambda: None

    # ------------------------------------------------------------ start-up

    def on_mount(self) -> None:
        self._watch_signals()
        if self.user_keymap:
            self.set_keymap(self.user_keymap)  # rebinding by binding id
        self.set_interval(min(5.0, self.idle_lock_seconds), self._check_idle)
        self.set_interval(1.0, self._report_restorations)
        if self.session is not None:
            self.enter_store()
        elif (self.data_dir / "store.key").exists():
            self.push_screen(UnlockScreen())
        else:
            self.push_screen(CreateStoreScreen())

    def enter_store(self) -> None:
        """The store is unlocked: its visits list shows."""
        self.locked = False
        self.last_activity = time.monotonic()
        self.switch_screen(VisitsScreen()) if len(self.screen_stack) > 1 else self.push_screen(
            VisitsScreen()
        )

    def watch_locked(self, locked: bool) -> None:
        self.set_class(locked, "-locked")

    # ------------------------------------------------------------ saving

    def _close_everything(self, close_session: bool = True) -> None:
        """Save everything, then let go of the store; a failed save raises and keeps both."""
        self.save_drafts()
        self.close_visit()
        if close_session and self.session is not None:
            session, self.session = self.session, None
            session.close()

    def on_unmount(self) -> None:
        """However the app ends (a test's Pilot, an exception), staged edits are saved.
        A session handed in by the caller stays open: the caller owns it."""
        with tell_failure(self, "Not saved on closing: {}"):  # logged; nothing shows now
            self._close_everything(close_session=self.owns_session)
        self._unwatch_endings()

    async def action_quit(self) -> None:
        """Quit only once every edit is durable; a failed save keeps the app open."""
        with tell_failure(self, "Not quitting: could not save ({})") as failed:
            self._close_everything()
        if failed:  # a full disk: said, and the app stays open with nothing lost
            return
        self.exit()

    def action_lock(self) -> None:
        if self.session is None:
            return
        with tell_failure(self, "Not locking: could not save ({})") as failed:
            self._close_everything()
        if failed:
            return
        self.locked = True
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(UnlockScreen())

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def _report_restorations(self) -> None:
        """A file the store put back from its previous copy (damaged, altered) is said
        once, whichever screen's read found it: the assessor should know."""
        session = self.session
        if session is None:
            return
        seen, told = self._restorations_told
        if seen is not session:
            told = 0
        restored = session.vault.restorations
        for damaged in restored[told:]:
            self.notify(damaged.message, title="Restored", severity="warning", timeout=20)
        self._restorations_told = (session, len(restored))

    # ------------------------------------------------------------ idle lock and signals

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self.last_activity = time.monotonic()
        await super().on_event(event)

    def _check_idle(self) -> None:
        if (
            not self.locked
            and self.session is not None
            and time.monotonic() - self.last_activity >= self.idle_lock_seconds
        ):
            self.action_lock()

    def _watch_signals(self) -> None:
        """A closed terminal or console window, a logoff or a shutdown saves before exiting
        (SIGHUP and SIGTERM on POSIX, the console's events on Windows: tui/endings.py)."""
        self._unwatch_endings = watch_endings(self._on_signal, self.call_from_thread)

    def _on_signal(self) -> None:
        with tell_failure(self, "Not saved on closing: {}"):  # logged; the app ends anyway
            self._close_everything()
        self.exit(return_code=0)


def make_app(
    *,
    host: PluginHost | HostLoader,
    data_dir: Path,
    session: Session | None = None,
    idle_lock_seconds: float = IDLE_LOCK_SECONDS,
    now: Clock = _now,
    high_contrast: bool = False,
    keymap: dict[str, str] | None = None,
) -> AssessorApp:
    return AssessorApp(
        host,
        data_dir,
        session=session,
        idle_lock_seconds=idle_lock_seconds,
        now=now,
        high_contrast=high_contrast,
        keymap=keymap,
    )
