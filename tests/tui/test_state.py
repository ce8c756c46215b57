"""tui/state.py: the app's state and its one writer. Screens read the session and the open
visit through typed accessors and ask the app to open, create and close visits."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessor_tui.plugins.host import PluginHost
from assessor_tui.session import Session
from assessor_tui.store import StoreClosed
from assessor_tui.tui.state import AppState, HoldsDrafts, NoVisitOpen
from tests.tui.helpers import TODAY, add_visit, fixed_now


def state(host: PluginHost, store_dir: Path, session: Session | None) -> AppState:
    return AppState(host, store_dir, session=session, now=fixed_now)


def test_a_locked_app_says_so_when_a_screen_asks_for_the_store(
    host: PluginHost, store_dir: Path
) -> None:
    app = state(host, store_dir, None)
    with pytest.raises(StoreClosed):
        app.require_session()
    with pytest.raises(NoVisitOpen):
        app.require_opened()


def test_only_the_app_opens_creates_and_closes_visits(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    visit_id = add_visit(session, "ice-mark", "Hillside Primary")
    app = state(host, store_dir, session)
    opened = app.open_visit(visit_id)
    assert app.opened is opened and app.require_opened() is opened
    app.close_visit()
    assert app.opened is None
    created = app.new_visit(
        "ice-mark", school="Riverside Primary", urn="", local_authority="", scheduled=TODAY,
        visit_type=None, planned_minutes=120,
    )
    assert app.opened is created and created.visit.school.name == "Riverside Primary"
    app.close_visit()
    with pytest.raises(AttributeError):  # a property: screens cannot assign it
        app.opened = created  # type: ignore[misc]


def test_a_screen_holds_drafts_by_having_save_drafts() -> None:
    class Holder:
        def save_drafts(self) -> None: ...

    assert isinstance(Holder(), HoldsDrafts) and not isinstance(object(), HoldsDrafts)
