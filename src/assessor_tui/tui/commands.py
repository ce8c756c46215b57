"""The command palette: jump to any criterion of the open visit, the app's actions, and the
commands the framework's plugins offer."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Protocol, cast, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from assessor_tui.tui.screens.visits import VisitsScreen
from assessor_tui.tui.state import AppState

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from assessor_tui.plugins.commands import Command


@runtime_checkable
class VisitTarget(Protocol):
    """The open visit's screen (the workspace), as the palette uses it: known by what it
    does, so the palette imports no workspace module (and none loads before the first frame)."""

    def jump_to(self, item_id: str) -> None: ...

    async def run_command(self, command: Command) -> None: ...


class AssessorCommands(Provider):
    @property
    def state(self) -> AppState:
        # Provider.app is typed App[Any]; this provider is only registered by the app
        return cast(AppState, self.app)

    def _targets(self) -> list[tuple[str, str]]:
        opened = self.state.opened
        if opened is None:
            return []
        return [(item.id, f"Go to {item.id} {item.title}") for _, item in opened.framework.items()]

    def _jump(self, item_id: str) -> None:
        screen = self.app.screen
        if isinstance(screen, VisitTarget):
            screen.jump_to(item_id)

    def _actions(self) -> list[tuple[str, str]]:
        app = self.state
        actions = [("lock", "Lock the store now")]
        if app.opened is not None:
            actions += [
                ("screen.writeup", "Open the write-up"),
                ("screen.preview", "Preview the record of visit"),
                ("screen.note", "Add a note to the current item"),
                ("screen.start", "Start the visit clock"),
                ("screen.submit", "Submit the visit to the moderator (after the quality check)"),
            ]
            panels = app.host.panels_for(app.opened.framework.id)
            actions += [(f"screen.panel({n})", f"Panel: {p.title}") for n, p in enumerate(panels)]
        else:
            moderator = app.session is not None and app.session.moderator
            if isinstance(self.screen, VisitsScreen) and moderator:
                actions.append(("screen.review", "Review the submitted visits (moderator)"))
        return actions

    def _plugin_commands(self) -> list[tuple[str, Callable[[], Awaitable[None]]]]:
        """The open visit's framework's plugin commands, each titled with its plugin's name."""
        app = self.state
        if app.opened is None:
            return []
        return [
            (command.label, partial(self._run_command, command))
            for command in app.host.commands_for(app.opened.framework.id)
        ]

    async def _run_command(self, command: Command) -> None:
        screen = self.app.screen
        if isinstance(screen, VisitTarget):
            await screen.run_command(command)

    async def discover(self) -> Hits:
        for action, text in self._actions():
            yield DiscoveryHit(text, partial(self.app.run_action, action))
        for text, run in self._plugin_commands():
            yield DiscoveryHit(text, run)
        for item_id, text in self._targets():
            yield DiscoveryHit(text, partial(self._jump, item_id))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action, text in self._actions():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(self.app.run_action, action))
        for text, run in self._plugin_commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), run)
        for item_id, text in self._targets():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(self._jump, item_id))
