"""The app and the one factory that builds it for the CLI and the tests."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from assessor_tui.plugins.host import PluginHost
from assessor_tui.tui.screens.frameworks import FrameworksScreen


class AssessorApp(App[None]):
    TITLE = "assessor"
    SUB_TITLE = "frameworks"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", tooltip="Quit the app"),
    ]

    def __init__(self, host: PluginHost) -> None:
        super().__init__()
        self.host = host

    def on_mount(self) -> None:
        self.push_screen(FrameworksScreen(self.host))


def make_app(*, host: PluginHost) -> AssessorApp:
    return AssessorApp(host)
