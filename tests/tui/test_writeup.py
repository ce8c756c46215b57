"""The write-up: summary, recommendations and action points, with the plugins' findings."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input

from assessor_tui.plugins.host import PluginHost
from assessor_tui.session import Session
from tests.tui.helpers import (
    add_visit,
    app_for,
    paste,
    screen_text,
    stored_visit,
    type_text,
    wait_for,
    wait_for_screen,
    wait_for_workspace,
)


async def test_summary_recommendation_action_point_and_findings(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    visit_id = add_visit(session, "norfolk-sipp", "Hilltop High", visit_type="visit-1")
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_screen(pilot, "VisitsScreen")
        await pilot.press("enter")
        await wait_for_workspace(pilot)
        await pilot.press("w")
        await wait_for_screen(pilot, "WriteUpScreen")
        findings = screen_text(app, "#findings")
        assert "! record of visit has no summary of activities" in findings
        assert "! record of visit has no evaluation" in findings
        recommendations = app.screen.query_one("#recommendations", DataTable)
        assert recommendations.row_count == 0

        await paste(pilot, "Data analysed with the head and chair.")  # the summary has focus
        app.screen.query_one("#add-recommendation", Input).focus()  # leaving it saves it
        await wait_for(pilot,
                       lambda: "no summary of activities" not in screen_text(app, "#findings"),
                       what="the findings without the missing summary")
        await type_text(pilot, "Track FSM pupils")
        await pilot.press("enter")
        assert recommendations.get_row_at(0) == ["1", "Track FSM pupils", "⚠ no owner",
                                                 "⚠ no date"]
        assert "✗ recommendation 1 has no owner" in screen_text(app, "#findings")
        recommendations.focus()
        await pilot.press("enter")  # edit it: an owner and a date
        await wait_for_screen(pilot, "FormScreen")
        await pilot.press("enter")
        await type_text(pilot, "Head of maths")
        await pilot.press("enter")
        await type_text(pilot, "2025-05-31")
        await pilot.press("enter")
        await wait_for_screen(pilot, "WriteUpScreen")
        assert recommendations.get_row_at(0) == ["1", "Track FSM pupils", "Head of maths",
                                                 "2025-05-31"]
        assert "recommendation 1" not in screen_text(app, "#findings")

        app.screen.query_one("#actions", DataTable).focus()
        await pilot.press("plus")
        await wait_for_screen(pilot, "FormScreen")
        await type_text(pilot, "Agree targets")
        await pilot.press("enter", "enter", "enter")  # no owner, no date
        await wait_for_screen(pilot, "WriteUpScreen")
        findings = screen_text(app, "#findings")
        assert "✗ action point 1 has no owner" in findings
        assert "✗ action point 1 has no due date" in findings

        await pilot.press("enter")  # edit it: give it an owner and a date
        await wait_for_screen(pilot, "FormScreen")
        await pilot.press("enter")
        await type_text(pilot, "Head")
        await pilot.press("enter")
        await type_text(pilot, "2025-04-30")
        await pilot.press("enter")
        await wait_for_screen(pilot, "WriteUpScreen")
        assert "action point 1" not in screen_text(app, "#findings")
        await pilot.press("escape")
        await wait_for_screen(pilot, "WorkspaceScreen")
        await pilot.press("ctrl+q")
    assert app.return_code == 0

    visit = stored_visit(store_dir, host, visit_id)
    assert visit.summary == "Data analysed with the head and chair."
    assert [(r.text, r.owner, str(r.due)) for r in visit.recommendations] == [
        ("Track FSM pupils", "Head of maths", "2025-05-31")]
    assert [(a.text, a.owner, str(a.due), a.item_id) for a in visit.actions] == [
        ("Agree targets", "Head", "2025-04-30", "visit-1-actions")]


async def test_a_summary_still_being_typed_is_saved_when_the_app_quits(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    """The write-up holds drafts (its summary is staged on leaving the field): ctrl+q at once
    after typing, the focus still in the summary, keeps the text."""
    visit_id = add_visit(session, "norfolk-sipp", "Hilltop High", visit_type="visit-1")
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_screen(pilot, "VisitsScreen")
        await pilot.press("enter")
        await wait_for_screen(pilot, "WorkspaceScreen")
        await pilot.press("w")
        await wait_for_screen(pilot, "WriteUpScreen")
        await paste(pilot, "Met the head and the chair.")  # the summary has focus
        await pilot.press("ctrl+q")
    assert app.return_code == 0
    assert stored_visit(store_dir, host, visit_id).summary == "Met the head and the chair."
