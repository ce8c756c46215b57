"""The visits table and the new-visit form: what the assessor does there ends up in the store."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import DataTable, Input, Select

from assessor_tui.plugins.host import PluginHost
from assessor_tui.session import Session
from tests.tui.helpers import (
    TODAY,
    add_visit,
    app_for,
    screen_text,
    stored_summaries,
    stored_visit,
    type_text,
    wait_for_screen,
    wait_for_workspace,
)


def three_visits(session: Session) -> dict[str, str]:
    return {
        "northgate": add_visit(session, "ba-sef", "Northgate Academy"),
        "riverside": add_visit(session, "ice-mark", "Riverside Primary",
                               scheduled=date(2025, 3, 10)),
        "hilltop": add_visit(session, "norfolk-sipp", "Hilltop High", visit_type="visit-1",
                             scheduled=date(2025, 2, 1)),
    }


def rows(app) -> list[str]:
    table = app.screen.query_one("#visits", DataTable)
    return [str(table.get_row_at(n)[0]) for n in range(table.row_count)]


async def test_lists_newest_first_and_filters_as_you_type(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    three_visits(session)
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for_screen(pilot, "VisitsScreen")
        assert rows(app) == ["Northgate Academy", "Riverside Primary", "Hilltop High"]
        table = app.screen.query_one("#visits", DataTable)
        assert [str(c) for c in table.get_row_at(2)] == [
            "Hilltop High", "norfolk-sipp", "visit-1", "2025-02-01", "planned", "0/7 (0%)",
            "1 to sync",
        ]
        await pilot.press("slash")
        assert app.focused is app.screen.query_one("#filter", Input)
        await type_text(pilot, "ri")
        assert rows(app) == ["Riverside Primary"]  # "ri" is in Riverside only
        await pilot.press("backspace", "backspace")
        await type_text(pilot, "ba-sef")
        assert rows(app) == ["Northgate Academy"]
        await type_text(pilot, " hilltop")  # every word must match
        assert rows(app) == []
        assert "No visit matches the filter" in screen_text(app, "#visits-empty")
        await pilot.press("enter", "escape")  # back to the table, filter cleared
        assert rows(app) == ["Northgate Academy", "Riverside Primary", "Hilltop High"]
        assert app.focused is table
        await pilot.press("ctrl+q")


async def test_enter_opens_the_highlighted_visit(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    ids = three_visits(session)
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for_screen(pilot, "VisitsScreen")
        await pilot.press("j", "enter")
        await wait_for_workspace(pilot)
        assert app.opened is not None and app.opened.file.visit_id == ids["riverside"]
        assert screen_text(app, "#vh-title") == (
            "Riverside Primary · Investing in Community Engagement ICE Mark"
        )
        await pilot.press("escape")  # back to the list, the visit closed
        await wait_for_screen(pilot, "VisitsScreen")
        assert app.opened is None
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_new_norfolk_visit_with_a_visit_type(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_screen(pilot, "VisitsScreen")
        assert "No visits yet. Press n to create one." in screen_text(app, "#visits-empty")
        await pilot.press("n")
        await wait_for_screen(pilot, "NewVisitScreen")
        screen = app.screen
        await pilot.press("ctrl+s")
        assert screen_text(app, "#new-message") == "Choose a framework."
        assert screen.query_one("#visit-type", Select).disabled
        # The framework list is sorted by id: Norfolk SIPP is the fifth.
        await pilot.press("enter", "down", "down", "down", "down", "down", "enter")
        assert screen.query_one("#framework", Select).value == "norfolk-sipp"
        visit_type = screen.query_one("#visit-type", Select)
        assert not visit_type.disabled and visit_type.value == "visit-1"
        await pilot.press("tab", "enter", "down", "enter")  # the second type: visit-2
        assert visit_type.value == "visit-2"
        await pilot.press("tab")
        assert app.focused is screen.query_one("#school", Input)
        await type_text(pilot, "Hilltop High")
        await pilot.press("tab")
        await type_text(pilot, "121212")
        assert screen.query_one("#date", Input).value == TODAY.isoformat()
        screen.query_one("#duration", Input).value = "150"
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, "WorkspaceScreen")
        assert "Hilltop High · School Improvement Partnership Programme (Secondary) · " \
            "School Self-Evaluation" in screen_text(app, "#vh-title")
        assert screen_text(app, "#vh-clock") == "Not started (2:30 planned)"
        visit_id = app.opened.file.visit_id
        await pilot.press("escape")
        await wait_for_screen(pilot, "VisitsScreen")
        assert rows(app) == ["Hilltop High"]
        await pilot.press("ctrl+q")

    visit = stored_visit(store_dir, host, visit_id)
    assert (visit.framework_id, visit.visit_type) == ("norfolk-sipp", "visit-2")
    assert (visit.school.name, visit.school.urn) == ("Hilltop High", "121212")
    assert (visit.scheduled, visit.planned_minutes, visit.status) == (TODAY, 150, "planned")


async def test_new_visit_refuses_a_bad_date(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await wait_for_screen(pilot, "NewVisitScreen")
        app.screen.query_one("#framework", Select).value = "ice-mark"
        app.screen.query_one("#date", Input).value = "14/03/2025"
        await pilot.press("ctrl+s")
        assert screen_text(app, "#new-message") == "The date must be YYYY-MM-DD."
        await pilot.press("escape")
        await wait_for_screen(pilot, "VisitsScreen")
        await pilot.press("ctrl+q")
    assert stored_summaries(store_dir, host) == []


async def test_archive_asks_first_and_hides_the_visit(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    ids = three_visits(session)
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for_screen(pilot, "VisitsScreen")
        await pilot.press("d")
        await wait_for_screen(pilot, "ConfirmScreen")
        await pilot.press("n")  # no: nothing happens
        await wait_for_screen(pilot, "VisitsScreen")
        assert rows(app) == ["Northgate Academy", "Riverside Primary", "Hilltop High"]
        await pilot.press("d")
        await wait_for_screen(pilot, "ConfirmScreen")
        assert "Archive the visit to Northgate Academy (2025-03-14)?" in " ".join(
            str(label.render()) for label in app.screen.query("Label")
        )
        await pilot.press("y")
        await wait_for_screen(pilot, "VisitsScreen")
        assert rows(app) == ["Riverside Primary", "Hilltop High"]
        await pilot.press("ctrl+q")

    archived = {s["id"]: bool(s.get("archived")) for s in stored_summaries(store_dir, host)}
    assert archived == {ids["northgate"]: True, ids["riverside"]: False, ids["hilltop"]: False}


async def test_help_lists_review_only_for_a_moderator(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    """Help lists what the footer offers: the review key is a moderator's only."""
    add_visit(session, "ice-mark", "Riverside Primary")
    for role, listed in (("assessor", False), ("moderator", True)):
        session.set_sync_account(
            {"url": "https://sync.example.org", "user": "ann", "role": role, "token": "t"}
        )
        app = app_for(host, store_dir, session)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for_screen(pilot, "VisitsScreen")
            await pilot.press("question_mark")
            await wait_for_screen(pilot, "HelpScreen")
            keys = screen_text(app, "#help-keys")
            assert ("Review" in keys) is listed, role
            assert "New visit" in keys
