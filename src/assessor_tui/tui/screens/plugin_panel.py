"""A panel a framework plugin offers (e.g. the B&A profile), imported only when opened."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header

from assessor_tui.plugins.isolation import PASS_THROUGH

if TYPE_CHECKING:
    from assessor_tui.plugins.host import Panel
    from assessor_tui.tui.state import AppState


def build_panel(app: AppState, panel: Panel) -> Widget | None:
    """The plugin's widget, or None (and the plugin disabled, with the reason) if it fails."""
    opened = app.require_opened()
    module_name, _, class_name = panel.target.partition(":")
    try:
        widget = getattr(import_module(module_name), class_name)(opened.visit, opened.framework)
        if not isinstance(widget, Widget) or not callable(getattr(widget, "refresh_from", None)):
            raise TypeError(f"{panel.target} is not a widget with refresh_from(visit)")
    except PASS_THROUGH:
        raise
    except BaseException as exc:  # a plugin's sys.exit() too: it ends the panel, not the app
        app.host.disable(panel.owner, f"panel {panel.title!r} failed: {type(exc).__name__}: {exc}")
        app.notify(
            f"The {panel.owner} plugin's panel failed and is disabled: {exc}",
            severity="error",
            timeout=10,
        )
        return None
    return widget


class PluginPanelScreen(Screen[None]):
    app: AppState
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="panel.back", tooltip="Back")]

    def __init__(self, panel: Panel, widget: Widget) -> None:
        super().__init__()
        self.panel = panel
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="plugin-panel"):
            yield self.widget
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.panel.title
        self.widget.focus()

    def on_screen_resume(self) -> None:
        if self.app.opened is not None:
            # build_panel accepted this widget only with a refresh_from(visit) method
            self.widget.refresh_from(self.app.opened.visit)  # type: ignore[attr-defined]
