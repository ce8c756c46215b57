"""The app's sync screen against a real server: sync, then settle a conflict by keys."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tests.notifications import told
from tests.sync.conftest import PASSPHRASE, ServerProcess, Store
from tests.tui.helpers import WAIT_BOUND, wait_for_workspace

from assessor_tui.plugins.host import load_host
from assessor_tui.session import Session
from assessor_tui.tui.app import make_app


async def wait_for(pilot, condition, timeout: float = WAIT_BOUND) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await pilot.pause(0.05)


async def test_sync_screen_syncs_and_settles_a_conflict(
    server: ServerProcess, store_factory: Callable[[str], Store]
) -> None:
    code_a = server.admin("user", "add", "carol", "--role", "assessor")["code"]
    code_b = server.admin("user", "enrol", "carol")["code"]
    a, b = store_factory("a"), store_factory("b")
    a.login(server, "carol", code_a)
    visit = a.new_visit()
    a("visits", "judge", visit, "partnerships-1", "met")  # starts the visit on one device only
    a.sync()
    b.login(server, "carol", code_b)
    b.sync()
    a("visits", "judge", visit, "partnerships-2", "met")
    b("visits", "judge", visit, "partnerships-2", "not-met")
    a.sync()
    assert b.sync()["conflicts"] == 1

    host = load_host()
    session = Session.unlock(b.data_dir, PASSPHRASE, host)
    app = make_app(host=host, data_dir=b.data_dir, session=session)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_screen(pilot, "VisitsScreen")
        await pilot.press("S")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SyncScreen")
        table = app.screen.query_one("#conflicts")
        assert table.row_count == 1
        row = table.get_row_at(0)
        assert row[2] == "level" and {row[3], row[4]} == {"met", "not-met"}
        await pilot.press("s")
        await wait_for(
            pilot, lambda: "Pushed" in str(app.screen.query_one("#sync-summary").render())
        )
        await pilot.press("t")  # keep the other device's value
        await wait_for(
            pilot, lambda: app.screen.query_one("#conflicts").get_row_at(0)[0] == "No conflicts"
        )
        await pilot.press("s")
        await wait_for(
            pilot, lambda: "Pushed 1" in str(app.screen.query_one("#sync-summary").render())
        )
        await pilot.press("escape", "ctrl+q")
    a.sync()
    assert (
        a.json("visits", "show", visit)["visit"]["judgements"]["partnerships-2"]["level"]
        == b.json("visits", "show", visit)["visit"]["judgements"]["partnerships-2"]["level"]
    )
    assert b.json("visits", "show", visit)["sync"]["conflicts"] == []


async def test_the_laptop_that_pulled_a_conflict_keeps_its_own_value_or_a_merge(
    server: ServerProcess, store_factory: Callable[[str], Store]
) -> None:
    """Laptop a synced first, so the conflicts reach it with b's changes. On a, "Yours"
    is a's own value: keeping it, and an edited merge of the other field, sync to b."""
    code_a = server.admin("user", "add", "carol", "--role", "assessor")["code"]
    code_b = server.admin("user", "enrol", "carol")["code"]
    a, b = store_factory("a"), store_factory("b")
    a.login(server, "carol", code_a)
    b.login(server, "carol", code_b)
    visit = a.new_visit()
    a("visits", "judge", visit, "partnerships-1", "met", "--rationale", "five sectors")
    a.sync()
    b.sync()
    a("visits", "judge", visit, "partnerships-1", "met", "--rationale", "six sectors")
    a("visits", "judge", visit, "partnerships-2", "met")
    b("visits", "judge", visit, "partnerships-1", "met", "--rationale", "four sectors")
    b("visits", "judge", visit, "partnerships-2", "not-met")
    a.sync()
    assert b.sync()["conflicts"] == 2
    assert a.sync()["conflicts"] == 2

    app = open_app(a)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_screen(pilot, "VisitsScreen")
        visits = app.screen.query_one("#visits")
        assert visits.get_row_at(0)[-1] == "2 conflicts"  # the Sync column
        await pilot.press("enter")  # the visit's header says it too, in words
        await wait_for_workspace(pilot)
        await wait_for(pilot, lambda: app.screen.query_one("VisitHeader").sync_state
                       == "2 conflicts")
        await pilot.press("escape")
        await on_screen(pilot, "VisitsScreen")
        await pilot.press("S")
        await on_screen(pilot, "SyncScreen")
        table = app.screen.query_one("#conflicts")
        rows = {table.get_row_at(i)[2]: i for i in range(table.row_count)}
        assert set(rows) == {"level", "rationale"}
        assert table.get_row_at(rows["level"])[3:] == ["met", "not-met"]  # yours, theirs
        assert table.get_row_at(rows["rationale"])[3:] == ["six sectors", "four sectors"]
        table.move_cursor(row=rows["level"])
        await pilot.press("y")  # keep this laptop's level
        await wait_for(pilot, lambda: table.row_count == 1)
        assert table.get_row_at(0)[2] == "rationale"
        await pilot.press("e")  # an edited merge of the two rationales
        await on_screen(pilot, "FormScreen")
        assert app.screen.query_one("Input").value == "six sectors"
        app.screen.query_one("Input").value = "five sectors, six with the new partner"
        await pilot.press("enter")
        await on_screen(pilot, "SyncScreen")
        await wait_for(pilot, lambda: table.get_row_at(0)[0] == "No conflicts")
        await pilot.press("s")
        await wait_for(pilot, lambda: "Pushed 2" in shown(app, "#sync-summary"))
        assert "nothing to do" in shown(app, "#sync-summary")
        await pilot.press("escape")
        await on_screen(pilot, "VisitsScreen")
        await wait_for(pilot, lambda: visits.get_row_at(0)[-1] == "synced")
        await pilot.press("ctrl+q")
    b.sync()
    for store in (a, b):
        shown_visit = store.json("visits", "show", visit)
        judgements = shown_visit["visit"]["judgements"]
        assert judgements["partnerships-2"]["level"] == "met"
        assert judgements["partnerships-1"]["rationale"] == (
            "five sectors, six with the new partner")
        assert shown_visit["sync"]["conflicts"] == []


# ---------------------------------------------------------------- submit and review


def open_app(store: Store):
    """The app on ``store``'s laptop, unlocked; ctrl+q saves and closes the store."""
    host = load_host()
    return make_app(host=host, data_dir=store.data_dir,
                    session=Session.unlock(store.data_dir, PASSPHRASE, host))


def shown(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def notified(app, words: str) -> bool:
    return any(words in m for m in told(app))


async def on_screen(pilot, name: str) -> None:
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == name
                   and pilot.app.screen.is_mounted)


async def to_review(pilot, *, palette: bool = False) -> None:
    """The moderator's visits screen, then R (or the palette): the review list as the
    server gives it."""
    await on_screen(pilot, "VisitsScreen")
    if palette:
        await pilot.press("ctrl+p")
        await on_screen(pilot, "CommandPalette")
        pilot.app.screen.query_one("Input").value = "Review the submitted"
        await wait_for(pilot, lambda: pilot.app.screen.query_one("CommandList").option_count)
        await pilot.press("enter")
    else:
        await pilot.press("R")
    await on_screen(pilot, "ReviewScreen")
    await wait_for(pilot, lambda: "…" not in shown(pilot.app, "#review-status"))


def two_laptops(server: ServerProcess, store_factory: Callable[[str], Store]):
    code = server.admin("user", "add", "carol", "--role", "assessor")["code"]
    mod_code = server.admin("user", "add", "mo", "--role", "moderator")["code"]
    laptop, moderator = store_factory("carol"), store_factory("mo")
    laptop.login(server, "carol", code)
    moderator.login(server, "mo", mod_code)
    visit = laptop.new_visit()
    laptop("visits", "judge", visit, "partnerships-1", "met")
    return laptop, moderator, visit


async def test_submit_in_the_app_then_the_moderator_returns_it_with_a_comment(
    server: ServerProcess, store_factory: Callable[[str], Store]
) -> None:
    laptop, moderator, visit = two_laptops(server, store_factory)

    # The assessor submits in the app and syncs.
    app = open_app(laptop)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_screen(pilot, "VisitsScreen")
        await pilot.press("enter")
        await wait_for_workspace(pilot)
        await pilot.press("U")
        await on_screen(pilot, "SubmitScreen")
        await pilot.press("y")
        await wait_for(pilot, lambda: shown(app, "#vh-notice").startswith("Submitted on"))
        await pilot.press("escape")
        await on_screen(pilot, "VisitsScreen")
        await pilot.press("S")
        await on_screen(pilot, "SyncScreen")
        await pilot.press("s")
        await wait_for(pilot, lambda: "Pushed" in shown(app, "#sync-summary"))
        await pilot.press("escape", "ctrl+q")
    assert laptop.json("visits", "show", visit)["visit"]["status"] == "submitted"

    # The moderator's app lists it, reads it, refuses a return without a comment, returns it.
    app = open_app(moderator)
    async with app.run_test(size=(120, 40)) as pilot:
        await to_review(pilot)
        assert shown(app, "#review-status").startswith("1 visit waiting for review")
        table = app.screen.query_one("#review")
        school, urn, framework, owner, submitted = table.get_row_at(0)
        assert (school, urn, framework, owner) == ("Hillside Primary", "100001", "ice-mark",
                                                   "carol")
        assert len(submitted) == 10  # the day it was submitted, YYYY-MM-DD
        await pilot.press("enter")
        await on_screen(pilot, "ReviewRecordScreen")
        record = app.screen.query_one("#record").source
        assert "Hillside Primary" in record and "Met" in record
        await pilot.press("r")
        await on_screen(pilot, "FormScreen")
        await pilot.press("enter")  # no comment
        await on_screen(pilot, "ReviewScreen")
        assert notified(app, "a comment saying what to change is required")
        assert table.row_count == 1
        await pilot.press("r")
        await on_screen(pilot, "FormScreen")
        app.screen.query_one("Input").value = "Add evidence for partnerships-2"
        await pilot.press("enter")
        await on_screen(pilot, "ReviewScreen")
        await wait_for(pilot, lambda: shown(app, "#review-status").startswith("Returned"))
        assert table.row_count == 0
        await pilot.press("u")  # asked again, the server agrees
        await wait_for(
            pilot, lambda: shown(app, "#review-status") == "No visits are waiting for review."
        )
        await pilot.press("escape", "ctrl+q")
    assert moderator.json("review", "list") == []

    # The assessor's next sync: returned, with the comment, and editable again.
    laptop.sync()
    shown_visit = laptop.json("visits", "show", visit)
    assert shown_visit["visit"]["status"] == "returned"
    assert shown_visit["visit"]["moderator_comment"] == "Add evidence for partnerships-2"
    app = open_app(laptop)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_screen(pilot, "VisitsScreen")
        await pilot.press("enter")
        await wait_for_workspace(pilot)
        assert shown(app, "#vh-notice") == (
            "RETURNED by the moderator: Add evidence for partnerships-2 — edit, then submit "
            "again"
        )
        assert notified(app, "Returned by the moderator: Add evidence for partnerships-2")
        app.screen.jump_to("partnerships-2")
        await wait_for(pilot, lambda: app.screen.current_item_id() == "partnerships-2")
        await pilot.press("3")
        await wait_for(pilot, lambda: "Met" in shown(app, "#level-now"))
        await pilot.press("ctrl+q")
    levels = laptop.json("visits", "show", visit)["visit"]["judgements"]
    assert levels["partnerships-2"]["level"] == "met"


async def test_the_moderator_accepts_in_the_app_after_a_network_failure(
    server: ServerProcess, store_factory: Callable[[str], Store], monkeypatch
) -> None:
    laptop, moderator, visit = two_laptops(server, store_factory)
    laptop("submit", visit)
    laptop.sync()
    monkeypatch.setenv("ASSESSOR_SYNC_BUDGET", "1")

    app = open_app(moderator)
    async with app.run_test(size=(120, 40)) as pilot:
        await to_review(pilot, palette=True)
        assert app.screen.query_one("#review").row_count == 1
        server.stop()  # the server goes away before the moderator decides

        await pilot.press("r")
        await on_screen(pilot, "FormScreen")
        app.screen.query_one("Input").value = "Needs the 2024 attendance data"
        await pilot.press("enter")
        await wait_for(pilot, lambda: shown(app, "#review-status").startswith("Could not"))
        assert shown(app, "#review-status").endswith(
            "your comment is kept: press r to send it again."
        )
        await pilot.press("r")  # the comment typed is still there
        await on_screen(pilot, "FormScreen")
        assert app.screen.query_one("Input").value == "Needs the 2024 attendance data"
        await pilot.press("escape")
        await on_screen(pilot, "ReviewScreen")

        await pilot.press("a")
        await on_screen(pilot, "ConfirmScreen")
        await pilot.press("y")
        await wait_for(pilot, lambda: shown(app, "#review-status").startswith("Could not acc"))
        line = shown(app, "#review-status")
        assert line.startswith("Could not accept the visit to Hillside Primary: ")
        assert line.endswith("press a to try again.") and "\n" not in line
        assert app.screen.query_one("#review").row_count == 1  # still there to decide
        server.start()
        await pilot.press("a")
        await on_screen(pilot, "ConfirmScreen")
        await pilot.press("y")
        await wait_for(pilot, lambda: shown(app, "#review-status").startswith("Accepted"))
        await pilot.press("escape", "ctrl+q")
    assert moderator.json("review", "list") == []

    laptop.sync()
    assert laptop.json("visits", "show", visit)["visit"]["status"] == "accepted"
    app = open_app(laptop)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_screen(pilot, "VisitsScreen")
        await pilot.press("enter")
        await wait_for_workspace(pilot)
        notice = shown(app, "#vh-notice")
        assert notice.startswith("Accepted by the moderator on ") and "read-only" in notice
        await pilot.press("2")  # a level on the first criterion: refused
        assert notified(app, "Accepted by the moderator")
        await pilot.press("ctrl+q")
    shown_visit = laptop.json("visits", "show", visit)
    assert shown_visit["visit"]["judgements"]["partnerships-1"]["level"] == "met"
    assert shown_visit["sync"]["pending_changes"] == 0


async def test_review_is_a_moderators_and_the_server_says_so(
    server: ServerProcess, store_factory: Callable[[str], Store]
) -> None:
    code = server.admin("user", "add", "carol", "--role", "assessor")["code"]
    laptop = store_factory("carol")
    laptop.login(server, "carol", code)

    app = open_app(laptop)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_screen(pilot, "VisitsScreen")
        assert app.screen.check_action("review", ()) is False  # not in the footer, not bound
        await pilot.press("R")
        assert type(app.screen).__name__ == "VisitsScreen"
        await pilot.press("ctrl+q")

    # A store that thinks it is a moderator's: the server refuses, and the screen says why.
    with Session.unlock(laptop.data_dir, PASSPHRASE, load_host()) as session:
        account = session.sync_account()
        assert account is not None
        session.set_sync_account({**account, "role": "moderator"})
    app = open_app(laptop)
    async with app.run_test(size=(120, 40)) as pilot:
        await to_review(pilot)
        assert shown(app, "#review-status") == (
            "Could not load the visits waiting for review: the server says this account is "
            "not a moderator (only a moderator reviews visits). Press u to try again."
        )
        await pilot.press("escape", "ctrl+q")
