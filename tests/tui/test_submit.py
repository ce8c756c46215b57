"""Submitting from the app, and visits the app must not change: submitted, accepted, and
read-only copies of earlier visits. A returned visit is editable again and shows the
moderator's comment. What was stored is read back from the store afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, SelectionList, TextArea

from assessor_tui.plugins.host import PluginHost
from assessor_tui.session import Session
from assessor_tui.tui.app import AssessorApp
from tests.notifications import told
from tests.tui.conftest import PASSPHRASE
from tests.tui.helpers import (
    NOW,
    add_visit,
    app_for,
    go_to,
    open_only_visit,
    screen_text,
    stored_summaries,
    stored_visit,
    type_text,
    wait_for,
    wait_for_screen,
)

SECTORS = ("primary-schools", "secondary-school", "employers")


def messages(app: AssessorApp) -> list[str]:
    return told(app)


def said(app: AssessorApp, words: str) -> int:
    """How many notifications say ``words``."""
    return sum(words in m for m in messages(app))


def pending(summaries: list[dict], visit_id: str) -> int:
    """Changes in the visit's outbox, as stored: a refused edit adds none."""
    return next(s for s in summaries if s["id"] == visit_id)["pending_changes"]


def started_ice_visit(session: Session) -> str:
    """An ICE Mark visit under way: three of seven sectors ticked, one criterion judged."""
    visit_id = add_visit(session, "ice-mark", "Riverside Primary")
    opened = session.open(visit_id)
    opened.edit(
        lambda e: e.start(at=NOW),
        *[lambda e, x=x: e.tick("partnerships-1", x) for x in SECTORS],
        lambda e: e.set_level("partnerships-2", "met"),
        lambda e: e.add_note("Minutes of the partners' meeting seen", ["partnerships-2"],
                             source="document", at=NOW),
    )
    opened.close()
    return visit_id


async def try_every_edit_key(pilot, app: AssessorApp) -> None:
    """Level, note, link, clock, tick, text field and write-up: each is refused."""
    await go_to(pilot, "partnerships-2")
    await pilot.press("1")  # a level
    await pilot.press("0")  # clear the level
    await pilot.press("a")  # a note: no dialog opens
    assert type(app.screen).__name__ == "WorkspaceScreen"
    await pilot.press("l")  # link a note
    assert type(app.screen).__name__ == "WorkspaceScreen"
    await pilot.press("s")  # start the clock
    await wait_for(pilot, lambda: all(i.disabled for i in app.screen.query("#rationale")),
                   what="the rationale box locked")  # it takes no text
    assert app.screen.query("#rationale")
    await go_to(pilot, "partnerships-1")
    checklist = app.screen.query_one("#checklist", SelectionList)
    before, count = set(checklist.selected), len(messages(app))
    checklist.focus()
    await pilot.press("down", "down", "down", "space")  # a tick
    await wait_for(pilot, lambda: len(messages(app)) > count, what="the tick refused")
    await wait_for(pilot, lambda: set(checklist.selected) == before, what="the tick put back")
    app.screen.query_one("#criteria").focus()
    await pilot.press("w")
    await wait_for_screen(pilot, "WriteUpScreen")
    summary = app.screen.query_one("#summary", TextArea)
    assert summary.read_only
    await type_text(pilot, "more")
    assert summary.text == ""
    assert app.screen.query_one("#add-recommendation", Input).disabled
    await pilot.press("escape")
    await wait_for_screen(pilot, "WorkspaceScreen")


# ---------------------------------------------------------------- submitting


async def test_submit_shows_the_check_asks_then_freezes_the_visit(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    visit_id = started_ice_visit(session)
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        assert screen_text(app, "#vh-notice") == ""
        await pilot.press("U")
        await wait_for_screen(pilot, "SubmitScreen")
        assert "3 of 7 sectors: 5 needed" in screen_text(app, "#submit-findings")
        assert screen_text(app, "#submit-quality") == "Passed: nothing to fix."
        assert screen_text(app, "#submit-coverage").startswith("Judged 1 of 34")
        assert "freezes the visit" in screen_text(app, "#submit-verdict")
        await pilot.press("n")  # not yet: nothing changes
        await wait_for_screen(pilot, "WorkspaceScreen")
        assert app.opened is not None and app.opened.visit.status == "in_progress"

        await pilot.press("U")
        await wait_for_screen(pilot, "SubmitScreen")
        await pilot.press("y")
        await wait_for_screen(pilot, "WorkspaceScreen")
        await wait_for(pilot, lambda: said(app, "Submitted: the visit is frozen"),
                       what="the submitted notice")
        notice = screen_text(app, "#vh-notice")
        assert notice.startswith("Submitted on ") and "read-only" in notice
        assert "the moderator can return it" in notice
        assert app.opened.visit.status == "submitted"
        await pilot.press("ctrl+q")  # saves and closes the store
    assert stored_visit(store_dir, host, visit_id).status == "submitted"
    assert [s["status"] for s in stored_summaries(store_dir, host)] == ["submitted"]
    outbox = pending(stored_summaries(store_dir, host), visit_id)

    # Opened again later: every edit key is refused, saying why, and nothing is stored.
    app = app_for(host, store_dir, Session.unlock(store_dir, PASSPHRASE, host))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        assert "read-only" in screen_text(app, "#vh-notice")
        await try_every_edit_key(pilot, app)
        assert said(app, "Submitted on ") >= 7
        assert all("read-only" in m for m in messages(app) if "Submitted on" in m)
        await pilot.press("U")  # submitting again: refused the same way
        assert type(app.screen).__name__ == "WorkspaceScreen"
        await pilot.press("ctrl+q")
    visit = stored_visit(store_dir, host, visit_id)
    assert visit.status == "submitted"
    assert {k: j.level for k, j in visit.judgements.items() if j.level} == {
        "partnerships-2": "met"
    }
    assert set(visit.judgements["partnerships-1"].checked) == set(SECTORS)
    assert len(visit.notes) == 1 and visit.summary == "" and not visit.recommendations
    assert pending(stored_summaries(store_dir, host), visit_id) == outbox


async def test_a_quality_problem_blocks_submitting(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    """Norfolk's check wants the activities summarised: ✗ shown, no way to submit."""
    visit_id = add_visit(session, "norfolk-sipp", "Hilltop High", visit_type="visit-1")
    opened = session.open(visit_id)
    opened.edit(lambda e: e.start(at=NOW))
    opened.close()
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        await pilot.press("U")
        await wait_for_screen(pilot, "SubmitScreen")
        assert "✗ problem:" in screen_text(app, "#submit-quality")
        assert "marked ✗ first" in screen_text(app, "#submit-verdict")
        assert not app.screen.query("#yes")
        await pilot.press("y")
        assert said(app, "Not submitted")
        await pilot.press("escape")
        await wait_for_screen(pilot, "WorkspaceScreen")
        await pilot.press("ctrl+q")
    assert stored_visit(store_dir, host, visit_id).status == "in_progress"


async def test_a_visit_not_started_cannot_be_submitted(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    visit_id = add_visit(session, "ice-mark", "Riverside Primary")
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        await pilot.press("U")
        await wait_for_screen(pilot, "SubmitScreen")
        assert "has not started" in screen_text(app, "#submit-verdict")
        await pilot.press("y", "n")
        await wait_for_screen(pilot, "WorkspaceScreen")
        await pilot.press("ctrl+q")
    assert stored_visit(store_dir, host, visit_id).status == "planned"


async def test_submit_from_the_palette(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    visit_id = started_ice_visit(session)
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        await pilot.press("ctrl+p")
        await wait_for_screen(pilot, "CommandPalette")
        await type_text(pilot, "Submit the visit")
        await wait_for(pilot, lambda: app.screen.query_one("CommandList").option_count > 0,
                       what="the palette's hit")
        await pilot.press("enter")
        await wait_for_screen(pilot, "SubmitScreen")
        await pilot.press("y")
        await wait_for(pilot, lambda: said(app, "Submitted: the visit is frozen"))
        await pilot.press("ctrl+q")
    assert stored_visit(store_dir, host, visit_id).status == "submitted"


# ---------------------------------------------------------------- read-only and returned


@pytest.mark.parametrize("kind", ["copy", "accepted"])
async def test_read_only_visits_refuse_every_edit(
    host: PluginHost, store_dir: Path, session: Session, kind: str
) -> None:
    """A copy of an earlier visit pulled for reference, and an accepted visit."""
    visit_id = started_ice_visit(session)
    if kind == "copy":
        session.repo.set_setting("read_only_visits", [visit_id])
    else:
        opened = session.open(visit_id)
        opened.edit(lambda e: e.move_to("submitted"))
        opened.edit(lambda e: e.move_to("accepted"))
        opened.close()
    outbox = pending(session.repo.summaries(), visit_id)
    words = "Read-only: a copy of an earlier visit" if kind == "copy" else "Accepted by the"
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        notice = screen_text(app, "#vh-notice")
        assert notice.startswith(words) and "read-only" in notice.casefold()
        await try_every_edit_key(pilot, app)
        assert said(app, words) >= 7
        await pilot.press("ctrl+q")
    visit = stored_visit(store_dir, host, visit_id)
    assert visit.status == ("accepted" if kind == "accepted" else "in_progress")
    assert {k: j.level for k, j in visit.judgements.items() if j.level} == {
        "partnerships-2": "met"
    }
    assert set(visit.judgements["partnerships-1"].checked) == set(SECTORS)
    assert len(visit.notes) == 1 and visit.summary == ""
    assert pending(stored_summaries(store_dir, host), visit_id) == outbox


async def test_a_returned_visit_is_editable_and_shows_the_comment(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    visit_id = started_ice_visit(session)
    opened = session.open(visit_id)
    opened.edit(lambda e: e.move_to("submitted"))
    opened.edit(lambda e: e.move_to("returned", comment="Add evidence for partnerships-3"))
    opened.close()
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        assert said(app, "Returned by the moderator: Add evidence for partnerships-3")
        notice = screen_text(app, "#vh-notice")
        assert notice.startswith("RETURNED by the moderator: Add evidence for partnerships-3")
        assert "read-only" not in notice
        await go_to(pilot, "partnerships-3")
        await pilot.press("3")
        await wait_for(pilot, lambda: "Met" in screen_text(app, "#level-now"))
        await pilot.press("w")
        await wait_for_screen(pilot, "WriteUpScreen")
        assert screen_text(app, "#moderator-comment") == "Add evidence for partnerships-3"
        summary = app.screen.query_one("#summary", TextArea)
        assert not summary.read_only
        await type_text(pilot, "Evidence added")
        await pilot.press("escape")
        await wait_for_screen(pilot, "WorkspaceScreen")
        await pilot.press("ctrl+q")
    visit = stored_visit(store_dir, host, visit_id)
    assert visit.status == "returned"
    assert visit.level("partnerships-3") == "met"
    assert visit.summary == "Evidence added"
    assert visit.moderator_comment == "Add evidence for partnerships-3"
