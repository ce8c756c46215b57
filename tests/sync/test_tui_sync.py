"""The app's sync screen against a real server: sync, then settle a conflict by keys."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tests.sync.conftest import PASSPHRASE, ServerProcess, Store

from assessor_tui.plugins.host import load_host
from assessor_tui.session import Session
from assessor_tui.tui.app import make_app


async def wait_for(pilot, condition, timeout: float = 20.0) -> None:
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
        await pilot.pause()
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
