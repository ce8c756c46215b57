"""First run (create the store, show the recovery key once) and unlock."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static

if TYPE_CHECKING:
    from assessor_tui.session import Session
    from assessor_tui.tui.state import AppState

MIN_LENGTH = 8


def strength(passphrase: str) -> str:
    """Plain feedback while typing: length matters most for a passphrase."""
    n = len(passphrase)
    words = len(passphrase.split())
    if n < MIN_LENGTH:
        return f"Too short: at least {MIN_LENGTH} characters ({n} so far)"
    if n < 14 and words < 3:
        return "Weak: a few unrelated words make a strong passphrase"
    if n < 20:
        return "Fair: longer is stronger"
    return "Strong"


class UnlockScreen(Screen[None]):
    """The passphrase opens the store; a wrong one says so and lets the user retry."""

    app: AppState
    BINDINGS = [Binding("escape", "clear", "Clear", id="unlock.clear", tooltip="Clear the field")]

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(), Vertical(id="unlock-box", classes="dialog"):
            yield Label("Unlock your visits", classes="dialog-title")
            yield Input(placeholder="Passphrase", password=True, id="passphrase")
            yield Static("", id="unlock-message", classes="message")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#passphrase", Input).focus()
        self.call_after_refresh(self.app.host_loader.start)  # while the passphrase is typed

    @on(Input.Submitted, "#passphrase")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value:
            self.query_one("#unlock-message", Static).update("Unlocking…")
            event.input.disabled = True
            self._unlock(event.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="unlock", description="Unlocking")
    def _unlock(self, passphrase: str) -> None:
        from assessor_tui.session import Session  # here, in the worker: off the first frame
        from assessor_tui.store import StoreError

        try:
            session = Session.unlock(self.app.data_dir, passphrase, self.app.host_loader)
        except StoreError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self.app.unlocked, session)

    def _failed(self, message: str) -> None:
        field = self.query_one("#passphrase", Input)
        field.disabled = False
        field.value = ""
        field.focus()
        self.query_one("#unlock-message", Static).update(
            f"{message[0].upper()}{message[1:]}. Try again."
        )

    def action_clear(self) -> None:
        self.query_one("#passphrase", Input).value = ""


class CreateStoreScreen(Screen[None]):
    """The first run: choose a passphrase (twice), then see the recovery key once."""

    app: AppState

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(), Vertical(id="create-box", classes="dialog"):
            yield Label("Create your encrypted store", classes="dialog-title")
            yield Static(
                "Everything you record is encrypted under this passphrase. "
                "There is no way to reset it without the recovery key."
            )
            yield Input(placeholder="New passphrase", password=True, id="new")
            yield Static("", id="strength", classes="message")
            yield Input(placeholder="The same again", password=True, id="again")
            yield Static("", id="create-message", classes="message")
            yield Button("Create", id="create", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#new", Input).focus()
        self.call_after_refresh(self.app.host_loader.start)  # while the passphrase is typed

    @on(Input.Changed, "#new")
    def _changed(self, event: Input.Changed) -> None:
        self.query_one("#strength", Static).update(strength(event.value) if event.value else "")

    @on(Input.Submitted, "#new")
    def _next(self) -> None:
        self.query_one("#again", Input).focus()

    @on(Input.Submitted, "#again")
    @on(Button.Pressed, "#create")
    def _create(self) -> None:
        new, again = self.query_one("#new", Input).value, self.query_one("#again", Input).value
        message = self.query_one("#create-message", Static)
        if len(new) < MIN_LENGTH:
            message.update(f"The passphrase must be at least {MIN_LENGTH} characters.")
        elif new != again:
            message.update("The two passphrases differ.")
            self.query_one("#again", Input).value = ""
        else:
            message.update("Creating the store…")
            self._init(new)

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="unlock",
        description="Creating the store",
    )
    def _init(self, passphrase: str) -> None:
        from assessor_tui.session import Session  # here, in the worker: off the first frame
        from assessor_tui.store import StoreError, Vault

        try:
            vault, recovery_key = Vault.init(self.app.data_dir, passphrase)
        except StoreError as exc:
            self.app.call_from_thread(self.query_one("#create-message", Static).update, str(exc))
            return
        session = Session(vault, self.app.host_loader)
        self.app.call_from_thread(self.app.switch_screen, RecoveryKeyScreen(session, recovery_key))


class RecoveryKeyScreen(Screen[None]):
    """Shown once: the key that opens the store if the passphrase is forgotten."""

    app: AppState

    def __init__(self, session: Session, recovery_key: str) -> None:
        super().__init__()
        self.session = session
        self.recovery_key = recovery_key

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(), Vertical(id="recovery-box", classes="dialog"):
            yield Label("Your recovery key", classes="dialog-title")
            yield Static(
                "Write it down now and keep it apart from this computer. "
                "It is shown this once, and it is the only way back in if you "
                "forget the passphrase."
            )
            groups = self.recovery_key.split("-")
            lines = ["-".join(groups[n:n + 5]) for n in range(0, len(groups), 5)]
            yield Static("-\n".join(lines), id="recovery-key")
            yield Button("I have written it down", id="done", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#done", Button).focus()

    @on(Button.Pressed, "#done")
    def _done(self) -> None:
        self.app.unlocked(self.session)
