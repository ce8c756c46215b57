"""The app's state and its one writer: which store is unlocked, which visit is open, and
saving them.

Screens, the palette and widgets read the state here (``session``, ``host``, ``opened``,
``now``) and ask for changes by name (``open_visit``, ``new_visit``, ``close_visit``,
``save_now``, ``save_drafts``). They import this module, never ``tui/app.py``, which
imports them: the app that decides which screen shows is built on top of it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual.app import App

from assessor_tui.plugins.loading import HostLoader
from assessor_tui.store.errors import StoreClosed

if TYPE_CHECKING:
    from assessor_tui.plugins.host import PluginHost
    from assessor_tui.session import OpenVisit, Session

Clock = Callable[[], datetime]


class NoVisitOpen(RuntimeError):
    """A screen of the open visit asked for it after it closed: a bug, never the user's."""

    def __init__(self) -> None:
        super().__init__("no visit is open")


@runtime_checkable
class HoldsDrafts(Protocol):
    """A screen that may hold typed text the record does not have yet.

    ``save_drafts`` stages that text as edits of the open visit (the save that follows makes
    them durable). The app calls it on every screen of its stack before it saves on quit,
    lock, idle lock or an ending from outside, without knowing the screens' classes. It may
    be called more than once, and after the visit closed (then it does nothing).
    """

    def save_drafts(self) -> None: ...


class AppState(App[None]):
    """The state every screen may read, and the only code that changes it."""

    def __init__(
        self, host: PluginHost | HostLoader, data_dir: Path, *, session: Session | None, now: Clock
    ) -> None:
        super().__init__()
        self.host_loader = host if isinstance(host, HostLoader) else HostLoader.ready(host)
        self.data_dir = data_dir
        self.session = session
        self.owns_session = session is None
        self.now = now
        self._opened: OpenVisit | None = None

    # ------------------------------------------------------------ reading

    @property
    def host(self) -> PluginHost:
        """The plugins; loaded after the first frame (waits for them while they load)."""
        return self.host_loader()

    @property
    def opened(self) -> OpenVisit | None:
        """The open visit, if any; only ``open_visit``, ``new_visit`` and ``close_visit``
        change it."""
        return self._opened

    def require_session(self) -> Session:
        """The unlocked store; StoreClosed (said to the user as such) once it is locked."""
        if self.session is None:
            raise StoreClosed()
        return self.session

    def require_opened(self) -> OpenVisit:
        """The open visit, for the screens that only show while one is open."""
        if self._opened is None:
            raise NoVisitOpen()
        return self._opened

    # ------------------------------------------------------------ changing

    def unlocked(self, session: Session) -> None:
        """Called by the unlock screens with an open session: the app shows the store."""
        self.session = session
        self.owns_session = True
        self.enter_store()

    def enter_store(self) -> None:
        """Show the unlocked store's first screen (the app says which)."""
        raise NotImplementedError

    def open_visit(self, visit_id: str) -> OpenVisit:
        """Open a visit of the store; a damaged file or a missing plugin raises, and nothing
        is open then."""
        self._opened = self.require_session().open(visit_id)
        return self._opened

    def new_visit(
        self,
        framework_id: str,
        *,
        school: str,
        urn: str,
        local_authority: str,
        scheduled: date,
        visit_type: str | None,
        planned_minutes: int,
    ) -> OpenVisit:
        """Create a visit and open it (``Session.new_visit``); a refusal raises."""
        self._opened = self.require_session().new_visit(
            framework_id,
            school=school,
            urn=urn,
            local_authority=local_authority,
            scheduled=scheduled,
            visit_type=visit_type,
            planned_minutes=planned_minutes,
        )
        return self._opened

    def save_now(self) -> None:
        """Make every staged edit durable, from the calling thread. Errors propagate."""
        if self._opened is not None:
            self._opened.flush()

    def close_visit(self) -> None:
        """Save and close the open visit; on a failed save it stays open, edits kept."""
        if self._opened is not None:
            self._opened.close()
            self._opened = None

    def save_drafts(self) -> None:
        """Text still being typed, on any screen, is staged: not lost with the window."""
        for screen in list(self.screen_stack):
            if isinstance(screen, HoldsDrafts):
                screen.save_drafts()
