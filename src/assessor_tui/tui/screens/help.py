"""Every key of the screen underneath, generated from its bindings and the app's."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static


def key_lines(screen: Screen[Any]) -> list[str]:
    """One line per binding with a description, app-wide ones last; a binding its owner
    hides (check_action says False, e.g. Review for an assessor) is not listed."""
    seen: set[str] = set()
    lines: list[str] = []
    owners = [*(w for w in (screen.focused, screen) if w), screen.app]
    for owner in owners:
        for binding in getattr(owner, "BINDINGS", []):
            if not isinstance(binding, Binding) or not binding.description:
                continue
            if owner.check_action(binding.action, ()) is False:
                continue
            keys = screen.app.get_key_display(binding)
            if binding.action in seen:
                continue
            seen.add(binding.action)
            detail = f" — {binding.tooltip}" if binding.tooltip else ""
            lines.append(f"{keys:>12}  {binding.description}{detail}")
    return lines


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding(
            "escape,question_mark,q", "dismiss", "Close", id="help.close", tooltip="Close the help"
        )
    ]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help-dialog"):
            yield Label("Keys", classes="dialog-title")
            yield Static("\n".join(key_lines(self.under)), id="help-keys", markup=False)
            yield Static(
                "ctrl+p opens the command palette: jump to a criterion, or run a command.",
                classes="hint",
            )

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
