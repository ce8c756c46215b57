"""Settling a conflict: either side as it was, or an edited merge that passes the same
checks as the edit it stands for."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assessor_tui.domain.checks import EditRefused
from assessor_tui.session import OpenVisit, Session


def conflicted(session: Session) -> tuple[OpenVisit, str]:
    """An ICE Mark visit whose partnerships-1 level came back from the server in conflict
    (as the sync engine files it: both values, one kept for the assessor to settle)."""
    opened = session.new_visit("ice-mark", school="Hill School")
    (change,) = opened.edit(lambda e: e.set_level("partnerships-1", "met"))
    opened.flush()
    doc = {"id": f"{change.id}:level", "change_id": change.id, "record_id": change.record_id,
           "record_type": "judgement", "field": "level", "base": None, "yours": "met",
           "theirs": "not-met", "yours_hlc": change.hlc, "theirs_hlc": change.hlc}
    opened.file.settle([], [doc])
    return opened, doc["id"]


def test_an_edited_merge_is_checked_like_the_edit_it_stands_for(
    make_session: Callable[[str], Session],
) -> None:
    opened, conflict_id = conflicted(make_session("laptop"))
    with pytest.raises(EditRefused, match="level 'brilliant' is not on scale"):
        opened.resolve_conflict(conflict_id, "brilliant")
    assert len(opened.conflicts()) == 1 and opened.visit.level("partnerships-1") == "met"
    opened.resolve_conflict(conflict_id, "Partly met")  # the label as printed is understood
    assert opened.conflicts() == []
    assert opened.visit.level("partnerships-1") == "partly-met"


def test_keeping_either_side_needs_no_check(make_session: Callable[[str], Session]) -> None:
    opened, conflict_id = conflicted(make_session("laptop"))
    opened.resolve_conflict(conflict_id, "not-met")
    assert opened.conflicts() == [] and opened.visit.level("partnerships-1") == "not-met"
