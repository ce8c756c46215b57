"""The open visit re-assembles from a cache of each record's part; whatever the edits, the
result is the aggregate built from scratch."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from assessor_tui.domain.assemble import PartCache, assemble
from assessor_tui.domain.checks import EditRefused
from assessor_tui.plugins.host import load_host
from tests.domain.conftest import Session
from tests.tui.conftest import BUILT_INS

FRAMEWORK = load_host(entry_points=False, plugins=BUILT_INS, blocked=()).framework("ba-sef")
CRITERIA = ["1.1", "1.2", "2.6", "3.1"]
AT = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)

edit = st.one_of(
    st.tuples(st.just("level"), st.sampled_from(CRITERIA), st.integers(0, 4)),
    st.tuples(st.just("note"), st.sampled_from(CRITERIA), st.text(max_size=20)),
    st.tuples(st.just("edit-note"), st.integers(0, 50), st.text(max_size=20)),
    st.tuples(st.just("delete-note"), st.integers(0, 50), st.just("")),
    st.tuples(st.just("action"), st.just(""), st.text(max_size=20)),
    st.tuples(st.just("summary"), st.just(""), st.text(max_size=20)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(edit, min_size=1, max_size=25))
def test_cached_assembly_equals_a_fresh_one(edits: list[tuple[str, object, object]]) -> None:
    assert FRAMEWORK is not None
    visit = Session(FRAMEWORK, school="Hill School")
    cache: PartCache = {}
    for n, (kind, target, value) in enumerate(edits):
        with contextlib.suppress(EditRefused):  # e.g. an empty note: refused, nothing changes
            apply(visit, n, kind, target, value)
        assert assemble(visit.records.values(), cache) == assemble(visit.records.values())


def apply(visit: Session, n: int, kind: str, target: object, value: object) -> None:
    notes = visit.visit.notes
    if kind == "level":
        visit.do(lambda e, t=target, v=value: e.set_level_by_position(t, v))
    elif kind == "note":
        visit.do(lambda e, t=target, v=value: e.add_note(v, [t], at=AT + timedelta(minutes=n)))
    elif kind in ("edit-note", "delete-note") and notes:
        note = notes[int(target) % len(notes)]  # type: ignore[call-overload]
        if kind == "edit-note":
            visit.do(lambda e, i=note.id, v=value: e.edit_note(i, text=v))
        else:
            visit.do(lambda e, i=note.id: e.delete(i))
    elif kind == "action":
        visit.do(lambda e, v=value: e.add_action(v))
    elif kind == "summary":
        visit.do(lambda e, v=value: e.set_summary(v))


def test_a_date_that_is_not_a_date_reads_as_none_not_an_unreadable_visit() -> None:
    """A server's bad assignment (2025-13-45) or a hand-edited export must not make the
    visits list or the visit fail to open."""
    assert FRAMEWORK is not None
    visit = Session(FRAMEWORK, school="Hill School")
    visit_id = visit.visit.id
    header = visit.records[visit_id]
    spoiled = header.model_copy(update={"data": {**header.data, "scheduled": "2025-13-45",
                                                  "started_at": "yesterday"}})
    rebuilt = assemble({**visit.records, header.id: spoiled}.values())
    assert rebuilt.scheduled is None and rebuilt.started_at is None
    assert rebuilt.school.name == "Hill School"
