"""The app, and the one factory that builds it for the CLI and the tests."""

from __future__ import annotations

import contextlib
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

if TYPE_CHECKING:
    from assessor_tui.plugins.host import PluginHost
    from assessor_tui.session import OpenVisit, Session

IDLE_LOCK_SECONDS = 10 * 60
Clock = Callable[[], datetime]

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


class AssessorApp(App[None]):
    """Screens: unlock (or create the store) → visits → a visit's workspace."""

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
        super().__init__()
        self.host_loader = host if isinstance(host, HostLoader) else HostLoader.ready(host)
        self.data_dir = data_dir
        self.session = session
        self.owns_session = session is None
        self.idle_lock_seconds = idle_lock_seconds
        self.now = now
        self.opened: OpenVisit | None = None
        self.last_activity = time.monotonic()
        self.register_theme(HIGH_CONTRAST)
        if high_contrast:
            self.theme = HIGH_CONTRAST.name
        self.user_keymap = keymap or {}
        self._restorations_told: tuple[Session | None, int] = (None, 0)
        self._unwatch_endings: Callable[[], None] = lambda: None

    @property
    def host(self) -> PluginHost:
        """The plugins; loaded after the first frame (waits for them while they load)."""
        return self.host_loader()

    # ------------------------------------------------------------ start-up

    def on_mount(self) -> None:
        from assessor_tui.tui.screens.unlock import CreateStoreScreen, UnlockScreen

        self._watch_signals()
        if self.user_keymap:
            self.set_keymap(self.user_keymap)  # rebinding by binding id
        self.set_interval(min(5.0, self.idle_lock_seconds), self._check_idle)
        self.set_interval(1.0, self._report_restorations)
        if self.session is not None:
            self._enter_store()
        elif (self.data_dir / "store.key").exists():
            self.push_screen(UnlockScreen())
        else:
            self.push_screen(CreateStoreScreen())

    def unlocked(self, session: Session) -> None:
        """Called by the unlock screens with an open session."""
        self.session = session
        self.owns_session = True
        self._enter_store()

    def _enter_store(self) -> None:
        from assessor_tui.tui.screens.visits import VisitsScreen

        self.locked = False
        self.last_activity = time.monotonic()
        self.switch_screen(VisitsScreen()) if len(self.screen_stack) > 1 else self.push_screen(
            VisitsScreen()
        )

    def watch_locked(self, locked: bool) -> None:
        self.set_class(locked, "-locked")

    # ------------------------------------------------------------ saving

    def save_now(self) -> None:
        """Make every staged edit durable, from the calling thread. Errors propagate."""
        if self.opened is not None:
            self.opened.flush()

    def close_visit(self) -> None:
        """Save and close the open visit; on a failed save it stays open, edits kept."""
        if self.opened is not None:
            self.opened.close()
            self.opened = None

    def rescue_drafts(self) -> None:
        """A note still being typed is saved as a note, not lost with the window."""
        from assessor_tui.tui.screens.note import NoteScreen
        from assessor_tui.tui.screens.workspace import WorkspaceScreen

        workspace = next((s for s in self.screen_stack if isinstance(s, WorkspaceScreen)), None)
        if workspace is None:
            return
        for screen in self.screen_stack:
            if isinstance(screen, NoteScreen) and screen.draft().text.strip():
                workspace.save_note(screen.draft())
        workspace.stage_typed_text()

    def _close_everything(self, close_session: bool = True) -> None:
        """Save everything, then let go of the store; a failed save raises and keeps both."""
        self.rescue_drafts()
        self.close_visit()
        if close_session and self.session is not None:
            session, self.session = self.session, None
            session.close()

    def on_unmount(self) -> None:
        """However the app ends (a test's Pilot, an exception), staged edits are saved.
        A session handed in by the caller stays open: the caller owns it."""
        with contextlib.suppress(Exception):  # nothing more can be shown now
            self._close_everything(close_session=self.owns_session)
        self._unwatch_endings()

    async def action_quit(self) -> None:
        """Quit only once every edit is durable; a failed save keeps the app open."""
        try:
            self._close_everything()
        except Exception as exc:  # a full disk: say so and stay, nothing is lost
            self.notify(f"Not quitting: could not save ({exc})", severity="error", timeout=10)
            return
        self.exit()

    def action_lock(self) -> None:
        from assessor_tui.tui.screens.unlock import UnlockScreen

        if self.session is None:
            return
        try:
            self._close_everything()
        except Exception as exc:
            self.notify(f"Not locking: could not save ({exc})", severity="error", timeout=10)
            return
        self.locked = True
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(UnlockScreen())

    def action_help(self) -> None:
        from assessor_tui.tui.screens.help import HelpScreen

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
        try:
            self._close_everything()
        finally:
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
