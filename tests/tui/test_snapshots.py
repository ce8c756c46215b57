"""Each main screen as the assessor sees it, at 80×24 (the smallest supported terminal) and
120×40. Deterministic: a fixed clock, the five built-in plugins only, visits made through the
session beforehand (so nothing waits on the autosave), and cursors that do not blink.

Update with ``--snapshot-update`` and look at every changed SVG before committing it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import Input, SelectionList

from assessor_tui.plugins.host import PluginHost
from assessor_tui.session import Session
from assessor_tui.store import FLOOR_KDF, Vault
from assessor_tui.tui.app import AssessorApp
from assessor_tui.tui.screens.unlock import RecoveryKeyScreen
from tests.tui.conftest import PASSPHRASE
from tests.tui.helpers import (
    NOW,
    add_visit,
    app_for,
    go_to,
    open_only_visit,
    paste,
    type_text,
    wait_for,
    wait_for_screen,
    wait_for_workspace,
)

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
RECOVERY_KEY = "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567-ABCD-EFGH-IJKL-MNOP-QRST-UVWX"
"""Stands in for the random key, so the screen is the same on every run."""
LATER = NOW + timedelta(minutes=47)


def later() -> datetime:
    return LATER


def sample_store(session: Session) -> dict[str, str]:
    """Three visits; the B&A one well under way (started at NOW, seen 47 minutes later)."""
    ids = {
        "ba": add_visit(session, "ba-sef", "Northgate Academy"),
        "ice": add_visit(session, "ice-mark", "Riverside Primary", scheduled=date(2025, 3, 10)),
        "norfolk": add_visit(session, "norfolk-sipp", "Hilltop High", visit_type="visit-1",
                             scheduled=date(2025, 2, 1)),
    }
    opened = session.open(ids["ba"])
    opened.edit(
        lambda e: e.start(at=NOW),
        lambda e: e.set_level("1.1", "established"),
        lambda e: e.set_rationale("1.1", "Every head attends the termly meeting"),
        lambda e: e.set_field("1.1", "development-focus", "Bring the PRU in"),
        lambda e: e.set_level("1.2", "developed"),
        lambda e: e.add_note("All heads attend; minutes seen", ["1.1"], source="document",
                             at=NOW + timedelta(minutes=12)),
        lambda e: e.add_note("Chair: data shared each term", ["1.1", "1.2"], source="interview",
                             with_whom="chair", at=NOW + timedelta(minutes=30)),
        lambda e: e.add_action("Agree fair access protocol", owner="", item_id=None),
        lambda e: e.add_recommendation("Publish the annual report"),
        lambda e: e.set_summary("A partnership with strong engagement from its schools."),
    )
    opened.close()
    opened = session.open(ids["ice"])
    opened.edit(*[lambda e, x=x: e.tick("partnerships-1", x)
                  for x in ("primary-schools", "secondary-school", "employers")])
    opened.close()
    return ids


def visits_app(host: PluginHost, session: Session) -> AssessorApp:
    sample_store(session)
    return app_for(host, session.vault.data_dir, session, now=later)


async def open_first_visit(pilot) -> None:
    await open_only_visit(pilot)


async def at_criterion_1_1(pilot) -> None:
    await open_first_visit(pilot)
    await go_to(pilot, "1.1")


async def open_second_visit(pilot) -> None:
    await wait_for_screen(pilot, "VisitsScreen")
    await pilot.press("j", "enter")
    await wait_for_workspace(pilot)


class TestUnlockSnapshots:
    """The unlock screen after a wrong passphrase: the message and an empty field."""

    @pytest.mark.parametrize("size", SIZES)
    def test_wrong_passphrase(self, snap_compare, host: PluginHost, store_dir: Path,
                              size) -> None:
        """The message says the passphrase was wrong and invites another try."""
        Vault.init(store_dir, PASSPHRASE, kdf=FLOOR_KDF)[0].close()

        async def run_before(pilot) -> None:
            await wait_for_screen(pilot, "UnlockScreen")
            await paste(pilot, "not it")
            await pilot.press("enter")
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

        assert snap_compare(app_for(host, store_dir), terminal_size=size, run_before=run_before)


class TestCreateStoreSnapshots:
    """First run: choose a passphrase, with plain strength feedback as it is typed."""

    @pytest.mark.parametrize("size", SIZES)
    def test_strength_feedback(self, snap_compare, host: PluginHost, store_dir: Path,
                               size) -> None:
        """A weak passphrase typed; the feedback says why."""

        async def run_before(pilot) -> None:
            await wait_for_screen(pilot, "CreateStoreScreen")
            await type_text(pilot, "letmein99")

        assert snap_compare(app_for(host, store_dir), terminal_size=size, run_before=run_before)


class TestRecoveryKeySnapshots:
    """The recovery key, shown once with the prompt to write it down."""

    @pytest.mark.parametrize("size", SIZES)
    def test_recovery_key(self, snap_compare, host: PluginHost, store_dir: Path,
                          session: Session, size) -> None:
        """The key stands out; one button moves on."""

        async def run_before(pilot) -> None:
            await wait_for_screen(pilot, "VisitsScreen")
            await pilot.app.push_screen(RecoveryKeyScreen(session, RECOVERY_KEY))
            await pilot.pause()

        app = app_for(host, store_dir, session)
        assert snap_compare(app, terminal_size=size, run_before=run_before)


class TestVisitsSnapshots:
    """The visits table: school, framework, type, date, status, coverage, sync state."""

    @pytest.mark.parametrize("size", SIZES)
    def test_table(self, snap_compare, host: PluginHost, session: Session, size) -> None:
        """Three visits, newest first; the B&A one two judgements in."""

        async def run_before(pilot) -> None:
            await wait_for_screen(pilot, "VisitsScreen")

        assert snap_compare(visits_app(host, session), terminal_size=size,
                            run_before=run_before)

    @pytest.mark.parametrize("size", SIZES)
    def test_filtered(self, snap_compare, host: PluginHost, session: Session, size) -> None:
        """Filtering by a word of the framework id as it is typed."""

        async def run_before(pilot) -> None:
            await wait_for_screen(pilot, "VisitsScreen")
            await pilot.press("slash")
            await type_text(pilot, "ice")

        assert snap_compare(visits_app(host, session), terminal_size=size,
                            run_before=run_before)


class TestNewVisitSnapshots:
    """The new-visit form with Norfolk SIPP chosen, so the visit type is offered."""

    @pytest.mark.parametrize("size", SIZES)
    def test_norfolk_chosen(self, snap_compare, host: PluginHost, store_dir: Path,
                            session: Session, size) -> None:
        """Framework, visit type, school, URN, LA, date (today) and 180 planned minutes."""

        async def run_before(pilot) -> None:
            await wait_for_screen(pilot, "VisitsScreen")
            await pilot.press("n")
            await wait_for_screen(pilot, "NewVisitScreen")
            await pilot.press("enter", *["down"] * 5, "enter", "tab", "tab")
            await type_text(pilot, "Hilltop High")

        app = app_for(host, store_dir, session)
        assert snap_compare(app, terminal_size=size, run_before=run_before)


class TestWorkspaceSnapshots:
    """The workspace: header (clock, coverage, save state), criteria tree, current item."""

    @pytest.mark.parametrize("size", SIZES)
    def test_descriptor_cards(self, snap_compare, host: PluginHost, session: Session,
                              size) -> None:
        """B&A 1.1 judged Established: four descriptor cards, the chosen one marked ▶."""
        assert snap_compare(visits_app(host, session), terminal_size=size,
                            run_before=at_criterion_1_1)

    @pytest.mark.parametrize("size", SIZES)
    def test_checklist(self, snap_compare, host: PluginHost, session: Session, size) -> None:
        """ICE Mark partnerships-1: three sectors ticked, '3 of 7 — 5 needed'."""

        async def run_before(pilot) -> None:
            await open_second_visit(pilot)
            checklist = pilot.app.screen.query_one("#checklist", SelectionList)
            checklist.focus()
            pilot.app.screen.query_one("#checklist-count").scroll_visible(animate=False)
            await wait_for(pilot, lambda: pilot.app.focused is checklist, what="the focus")

        assert snap_compare(visits_app(host, session), terminal_size=size,
                            run_before=run_before)

    @pytest.mark.parametrize("size", SIZES)
    def test_returned(self, snap_compare, host: PluginHost, session: Session, size) -> None:
        """B&A returned by the moderator: the comment on the header's third line."""
        ids = sample_store(session)
        opened = session.open(ids["ba"])
        opened.edit(lambda e: e.move_to("submitted"))
        opened.edit(lambda e: e.move_to("returned", comment="Say which schools attend"))
        opened.close()

        async def run_before(pilot) -> None:
            await at_criterion_1_1(pilot)
            pilot.app.clear_notifications()  # the same comment, said on opening
            await wait_for(pilot, lambda: not pilot.app.screen.query("Toast"), what="no toast")

        app = app_for(host, session.vault.data_dir, session, now=later)
        assert snap_compare(app, terminal_size=size, run_before=run_before)

    @pytest.mark.parametrize("size", SIZES)
    def test_read_only_copy(self, snap_compare, host: PluginHost, session: Session,
                            size) -> None:
        """An earlier visit pulled for reference: the header says read-only, and why."""
        ids = sample_store(session)
        session.repo.set_setting("read_only_visits", [ids["ice"]])

        async def run_before(pilot) -> None:
            await open_second_visit(pilot)

        app = app_for(host, session.vault.data_dir, session, now=later)
        assert snap_compare(app, terminal_size=size, run_before=run_before)


class TestNoteSnapshots:
    """Quick capture of a note on the current criterion."""

    @pytest.mark.parametrize("size", SIZES)
    def test_note_dialog(self, snap_compare, host: PluginHost, session: Session,
                         size) -> None:
        """Text typed, linked to 1.1, source 'observation'."""

        async def run_before(pilot) -> None:
            await at_criterion_1_1(pilot)
            await pilot.press("a")
            await wait_for_screen(pilot, "NoteScreen")
            await type_text(pilot, "Pupils know the behaviour policy")

        assert snap_compare(visits_app(host, session), terminal_size=size,
                            run_before=run_before)


class TestWriteUpSnapshots:
    """The write-up: summary, recommendations, action points and the findings."""

    @pytest.mark.parametrize("size", SIZES)
    def test_writeup(self, snap_compare, host: PluginHost, session: Session, size) -> None:
        """B&A: one recommendation, an action point with no owner, the plugin's findings."""

        async def run_before(pilot) -> None:
            await open_first_visit(pilot)
            await pilot.press("w")
            await wait_for_screen(pilot, "WriteUpScreen")
            box = pilot.app.screen.query_one("#add-recommendation", Input)
            box.focus()
            await wait_for(pilot, lambda: pilot.app.focused is box, what="the focus")

        assert snap_compare(visits_app(host, session), terminal_size=size,
                            run_before=run_before)


class TestHelpSnapshots:
    """Help over the workspace: every key, from the bindings."""

    @pytest.mark.parametrize("size", SIZES)
    def test_help(self, snap_compare, host: PluginHost, session: Session, size) -> None:
        """The workspace's keys, then the app's."""

        async def run_before(pilot) -> None:
            await open_first_visit(pilot)
            await pilot.press("question_mark")
            await wait_for_screen(pilot, "HelpScreen")

        assert snap_compare(visits_app(host, session), terminal_size=size,
                            run_before=run_before)


class TestSearchSnapshots:
    """Search across criteria and notes."""

    @pytest.mark.parametrize("size", SIZES)
    def test_search(self, snap_compare, host: PluginHost, session: Session, size) -> None:
        """'data' finds criteria and a note."""

        async def run_before(pilot) -> None:
            await open_first_visit(pilot)
            await pilot.press("slash")
            await wait_for_screen(pilot, "SearchScreen")
            await type_text(pilot, "data")

        assert snap_compare(visits_app(host, session), terminal_size=size,
                            run_before=run_before)
