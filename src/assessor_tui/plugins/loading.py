"""Loading the plugins off the app's critical path.

Reading entry points, importing pluggy and the plugins, and validating five
framework files takes about a third of a cold start. The visits list needs
none of it, so the app paints first and loads the host in a thread after the
first frame; whoever needs the host first (opening a visit, say) waits for
that thread instead of loading a second copy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assessor_tui.plugins.host import PluginHost


class HostLoader:
    """A host loaded once, in the background or on first use, whichever comes first."""

    def __init__(self, load: Callable[[], PluginHost]) -> None:
        self._load = load
        self._host: PluginHost | None = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @classmethod
    def ready(cls, host: PluginHost) -> HostLoader:
        loader = cls(lambda: host)
        loader._host = host
        return loader

    @property
    def loaded(self) -> bool:
        return self._host is not None

    def start(self) -> None:
        """Begin loading in a daemon thread; a no-op once started or loaded."""
        with self._lock:
            if self._host is not None or self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="load-plugins", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            host = self._load()
        except BaseException as exc:  # re-raised in the thread that asks for the host
            self._error = exc
        else:
            self._host = host

    def __call__(self) -> PluginHost:
        """The host; waits for the background load, or loads here if none was started."""
        if self._host is not None:
            return self._host
        self.start()
        assert self._thread is not None
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._host is not None
        return self._host
