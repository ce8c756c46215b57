"""First run, unlock, lock and idle lock: the store is what the assessor was told it is."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from assessor_tui.plugins.host import PluginHost
from assessor_tui.session import Session
from assessor_tui.store import FLOOR_KDF, Vault
from tests.notifications import told
from tests.tui.conftest import PASSPHRASE
from tests.tui.helpers import (
    add_visit,
    app_for,
    go_to,
    open_only_visit,
    paste,
    reopened,
    screen_text,
    stored_visit,
    type_text,
    wait_for,
    wait_for_screen,
    wait_for_workspace,
)


def store_with_visit(store_dir: Path, host: PluginHost) -> str:
    vault, _ = Vault.init(store_dir, PASSPHRASE, kdf=FLOOR_KDF)
    with Session(vault, host) as session:
        return add_visit(session, "ba-sef", "Northgate Academy")


async def unlock(pilot, passphrase: str = PASSPHRASE) -> None:
    await wait_for_screen(pilot, "UnlockScreen")
    await paste(pilot, passphrase)
    await pilot.press("enter")


async def test_first_run_creates_the_store_and_shows_the_recovery_key_once(
    host: PluginHost, store_dir: Path
) -> None:
    app = app_for(host, store_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_screen(pilot, "CreateStoreScreen")
        await type_text(pilot, "short")
        assert screen_text(app, "#strength") == "Too short: at least 8 characters (5 so far)"
        await type_text(pilot, "er pass")
        assert screen_text(app, "#strength").startswith("Weak")
        app.screen.query_one("#new", Input).value = ""
        await paste(pilot, PASSPHRASE)
        assert screen_text(app, "#strength") == "Strong"
        await pilot.press("enter")  # on to the second field
        assert app.focused is app.screen.query_one("#again", Input)
        await paste(pilot, PASSPHRASE + "!")
        await pilot.press("enter")
        assert screen_text(app, "#create-message") == "The two passphrases differ."
        assert not (store_dir / "store.key").exists()
        await paste(pilot, PASSPHRASE)
        await pilot.press("enter")

        await wait_for_screen(pilot, "RecoveryKeyScreen")
        recovery_key = screen_text(app, "#recovery-key")
        assert "Write it down now" in " ".join(text for text in _statics(app))
        await pilot.press("enter")  # "I have written it down"
        await wait_for_screen(pilot, "VisitsScreen")
        assert recovery_key not in " ".join(_statics(app)), "the key is shown once only"
        await pilot.press("ctrl+q")
    assert app.return_code == 0

    # The passphrase opens the store, and so does the key the screen showed.
    with reopened(store_dir, host) as session:
        assert session.visits() == []
    vault = Vault.unlock_with_recovery(store_dir, recovery_key, "a brand new passphrase",
                                       kdf=FLOOR_KDF)
    vault.close()
    Vault.unlock(store_dir, "a brand new passphrase").close()

    # A later run opens on the unlock screen; the recovery key is nowhere on it.
    app = app_for(host, store_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_screen(pilot, "UnlockScreen")
        assert recovery_key not in " ".join(_statics(app))
        await pilot.press("ctrl+q")


def _statics(app) -> list[str]:
    return [str(s.render()) for s in app.screen.query(Static)]


async def test_wrong_passphrase_says_so_and_lets_the_user_retry(
    host: PluginHost, store_dir: Path
) -> None:
    store_with_visit(store_dir, host)
    app = app_for(host, store_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await unlock(pilot, "not the passphrase")
        field = app.screen.query_one("#passphrase", Input)
        await wait_for(pilot, lambda: "Try again" in screen_text(app, "#unlock-message"))
        message = screen_text(app, "#unlock-message")
        assert "passphrase" in message.lower()
        assert field.value == "" and not field.disabled and app.focused is field
        assert app.session is None
        await unlock(pilot)
        await wait_for_screen(pilot, "VisitsScreen")
        assert app.session is not None
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_lock_saves_closes_the_store_and_returns_to_unlock(
    host: PluginHost, store_dir: Path
) -> None:
    visit_id = store_with_visit(store_dir, host)
    app = app_for(host, store_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await unlock(pilot)
        await wait_for_screen(pilot, "VisitsScreen")
        await pilot.press("enter")
        await wait_for_workspace(pilot)
        await go_to(pilot, "1.1")
        await pilot.press("3", "ctrl+l")  # lock before the autosave comes round
        await wait_for_screen(pilot, "UnlockScreen")
        assert app.session is None and app.opened is None and app.locked
        assert [type(s).__name__ for s in app.screen_stack][1:] == ["UnlockScreen"]

        # Locked means the store is closed: another process could open it now.
        assert stored_visit(store_dir, host, visit_id).level("1.1") == "established"

        # Unlocking again brings the user back to the visits, nothing lost.
        await unlock(pilot)
        await wait_for_screen(pilot, "VisitsScreen")
        await pilot.press("enter")
        await wait_for_workspace(pilot)
        assert app.opened is not None and app.opened.visit.level("1.1") == "established"
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_idle_lock(host: PluginHost, store_dir: Path) -> None:
    """With no key pressed for idle_lock_seconds the app saves and locks by itself."""
    visit_id = store_with_visit(store_dir, host)
    app = app_for(host, store_dir, idle_lock_seconds=3)  # checked every 3 s from here on
    async with app.run_test(size=(100, 30)) as pilot:
        app.idle_lock_seconds = float("inf")  # no lock while the test finds its way, however slowly
        await unlock(pilot)
        await wait_for_screen(pilot, "VisitsScreen")
        await pilot.press("enter")
        await wait_for_workspace(pilot)
        await go_to(pilot, "1.2")
        await pilot.press("4")
        await wait_for(pilot, lambda: app.opened.visit.level("1.2") == "enhancing", what="4")
        app.idle_lock_seconds = 3  # from the last key
        await wait_for_screen(pilot, "UnlockScreen")
        assert app.session is None
        assert stored_visit(store_dir, host, visit_id).level("1.2") == "enhancing"
        await pilot.press("ctrl+q")
    assert app.return_code == 0



async def test_a_damaged_visit_file_put_back_is_said(host: PluginHost, store_dir: Path,
                                                     session: Session) -> None:
    """The store reads the previous copy of a damaged file; the assessor is told, once,
    in the store's own words, and sees what that copy holds."""
    visit_id = add_visit(session, "ice-mark", "Hill School")
    opened = session.open(visit_id)
    opened.edit(lambda e: e.add_note("kept note"))
    opened.close()
    opened = session.open(visit_id)
    opened.edit(lambda e: e.add_note("lost with the damage"))
    opened.close()
    session.close()
    path = store_dir / "visits" / f"{visit_id}.db"
    data = bytearray(path.read_bytes())
    data[150] ^= 0x01
    path.write_bytes(bytes(data))
    with reopened(store_dir, host) as again:
        app = app_for(host, store_dir, again)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_only_visit(pilot)
            message = (f"visits/{visit_id}.db is damaged or was altered; "
                       "the previous copy was restored")
            await wait_for(pilot, lambda: message in told(app),
                           what="the restoration notice")
            assert [n.text for n in app.opened.visit.notes] == ["kept note"]
            app._report_restorations()  # the next tick of its 1 s timer, not waited for
            assert told(app).count(message) == 1
            await pilot.press("ctrl+q")
