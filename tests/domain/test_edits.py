"""Edits are validated against the framework and land in the visit as the user expects."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from assessor_tui.domain.checks import EditRefused
from assessor_tui.domain.coverage import coverage

AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def test_new_visit_header(session) -> None:
    s = session("ice-mark", urn="123456", scheduled=date(2026, 11, 23), assessor="A. Assessor")
    v = s.visit
    assert (v.framework_id, v.framework_version, v.status) == ("ice-mark", "1", "planned")
    assert (v.school.name, v.school.urn, v.scheduled) == (
        "Hill School",
        "123456",
        date(2026, 11, 23),
    )
    assert v.planned_minutes == 180


def test_norfolk_needs_a_known_visit_type(session) -> None:
    with pytest.raises(EditRefused, match=r"norfolk-sipp needs a visit type \(visit-1, "):
        session("norfolk-sipp")
    with pytest.raises(EditRefused, match="has no visit type 'visit-9'"):
        session("norfolk-sipp", visit_type="visit-9")
    assert session("norfolk-sipp", visit_type="visit-2").visit.visit_type == "visit-2"


def test_set_level_and_refusals(session) -> None:
    s = session("ba-sef")
    s.do(lambda e: e.set_level("1.1", "established"))
    assert s.visit.level("1.1") == "established"
    with pytest.raises(EditRefused) as info:
        s.do(lambda e: e.set_level("1.1", "excellent"))
    assert str(info.value) == (
        "level 'excellent' is not on scale 'ba-level' of 1.1 "
        "(developing, developed, established, enhancing)"
    )
    with pytest.raises(EditRefused, match=r"'9\.9' is not an item of ba-sef"):
        s.do(lambda e: e.set_level("9.9", "developing"))
    with pytest.raises(EditRefused, match="'key-outcomes-table' is a table, not a criterion"):
        s.do(lambda e: e.set_level("key-outcomes-table", "developing"))
    s.do(lambda e: e.set_level("1.2", "Developed"))  # a label as printed is understood
    assert s.visit.level("1.2") == "developed"
    assert s.visit.level("1.1") == "established"


def test_level_by_position_and_clear(session) -> None:
    s = session("ice-mark")
    first = s.framework.criteria()[0].id
    s.do(lambda e: e.set_level_by_position(first, 3))
    assert s.visit.level(first) == "met"
    s.do(lambda e: e.set_level_by_position(first, 0))
    assert s.visit.level(first) is None
    with pytest.raises(EditRefused, match="scale 'ice-validation' has 4 levels"):
        s.do(lambda e: e.set_level_by_position(first, 5))


def test_ticks_fields_and_rationale(session) -> None:
    s = session("ice-mark")
    crit = s.framework.criteria()[0]
    assert crit.checklist is not None
    entries = [e.id for e in crit.checklist.items]
    for entry in entries[:3]:
        s.do(lambda e, entry=entry: e.tick(crit.id, entry))
    s.do(lambda e: e.tick(crit.id, entries[1], checked=False))
    s.do(lambda e: e.set_rationale(crit.id, "Three partners seen."))
    j = s.visit.judgements[crit.id]
    assert j.checked == tuple(sorted([entries[0], entries[2]]))
    assert j.rationale == "Three partners seen."
    with pytest.raises(EditRefused, match=f"'nope' is not on the checklist of {crit.id}"):
        s.do(lambda e: e.tick(crit.id, "nope"))

    b = session("ba-sef")
    b.do(lambda e: e.set_field("2.4", "development-focus", "Use the CAF earlier"))
    assert b.visit.judgements["2.4"].fields == {"development-focus": "Use the CAF earlier"}
    with pytest.raises(EditRefused, match=r"'2.4' has no field 'colour' \(fields: "):
        b.do(lambda e: e.set_field("2.4", "colour", "red"))


def test_notes_link_to_several_criteria(session) -> None:
    s = session("ba-sef")
    note = s.do(
        lambda e: e.add_note(
            "Head: data shared termly",
            ["1.1", "1.2"],
            source="interview",
            with_whom="Headteacher",
            at=AT,
        )
    )
    s.do(lambda e: e.link_note(note.record_id, ["2.1", "1.1"]))
    (n,) = s.visit.notes
    assert n.item_ids == ("1.1", "1.2", "2.1")
    assert (n.source, n.with_whom, n.at) == ("interview", "Headteacher", AT)
    assert [x.id for x in s.visit.notes_for("2.1")] == [note.record_id]
    with pytest.raises(EditRefused, match="note is empty"):
        s.do(lambda e: e.add_note("   "))
    with pytest.raises(EditRefused, match="source must be one of interview, observation"):
        s.do(lambda e: e.add_note("x", source="gossip"))
    s.do(lambda e: e.delete(note.record_id))
    assert s.visit.notes == ()
    assert s.records[note.record_id].deleted  # a tombstone, not a removal


def test_table_cells_are_typed(session) -> None:
    s = session("norfolk-sipp", visit_type="visit-2")
    table = next(i for _, i in s.framework.items() if i.kind == "table")
    row = table.rows[0].id
    level_col = next(c for c in table.columns if c.kind == "level")
    s.do(lambda e: e.set_cell(table.id, row, level_col.id, "Good"))
    (r,) = s.visit.rows
    assert r.cells == {level_col.id: "2"}
    with pytest.raises(EditRefused, match="level 'great' is not on scale 'inspection-grade'"):
        s.do(lambda e: e.set_cell(table.id, row, level_col.id, "great"))
    with pytest.raises(EditRefused, match=f"table {table.id} has no column 'x'"):
        s.do(lambda e: e.set_cell(table.id, row, "x", "1"))
    with pytest.raises(EditRefused, match=f"table {table.id} has fixed rows"):
        s.do(lambda e: e.add_row(table.id, "Extra"))


def test_extendable_table_rows_and_lists(session) -> None:
    s = session("ba-sef")
    first_row = s.framework.item("key-outcomes-table").rows[0].id
    added = s.do(lambda e: e.add_row("local-outcomes-table", "Reduce lateness by 10%"))
    s.do(lambda e: e.set_cell("local-outcomes-table", added.record_id, "baseline", "14% late"))
    s.do(lambda e: e.set_cell("key-outcomes-table", first_row, "term-1", "3 of 9 good"))
    rows = {r.label or r.row_id: r.cells for r in s.visit.rows}
    assert rows["Reduce lateness by 10%"] == {"baseline": "14% late"}
    assert rows[first_row] == {"term-1": "3 of 9 good"}
    s.do(lambda e: e.add_entry("secondary-schools", "Hill School"))
    assert [x.text for x in s.visit.entries] == ["Hill School"]
    with pytest.raises(EditRefused, match=r"'1\.1' is a criterion, not a list"):
        s.do(lambda e: e.add_entry("1.1", "x"))


def test_actions_answers_summary(session) -> None:
    s = session("c4eo-schools-communities")
    s.do(lambda e: e.set_answer("q1", "Every school offers extended services."))
    assert s.visit.answers["q1"].text == "Every school offers extended services."
    a = s.do(lambda e: e.add_action("Share data termly", owner="Head", due="2027-01-31"))
    s.do(lambda e: e.update_action(a.record_id, status="done"))
    (action,) = s.visit.actions
    assert (action.owner, action.due, action.status) == ("Head", date(2027, 1, 31), "done")
    with pytest.raises(EditRefused, match="due date must be a date \\(YYYY-MM-DD\\), not 'soon'"):
        s.do(lambda e: e.add_action("x", due="soon"))
    s.do(lambda e: e.set_summary("A good visit."))
    s.do(lambda e: e.add_recommendation("Publish the vision."))
    assert s.visit.summary == "A good visit."
    assert [r.text for r in s.visit.recommendations] == ["Publish the vision."]


def test_recommendations_carry_an_owner_and_a_due_date(session) -> None:
    s = session("norfolk-sipp", visit_type="visit-1")
    r = s.do(lambda e: e.add_recommendation("Publish the vision.", owner="Head",
                                            due="2027-03-31"))
    (rec,) = s.visit.recommendations
    assert (rec.text, rec.owner, rec.due) == ("Publish the vision.", "Head", date(2027, 3, 31))
    s.do(lambda e: e.update_recommendation(r.record_id, owner="Chair of governors", due=""))
    (rec,) = s.visit.recommendations
    assert (rec.owner, rec.due) == ("Chair of governors", None)
    with pytest.raises(EditRefused, match="due date must be a date"):
        s.do(lambda e: e.update_recommendation(r.record_id, due="next term"))
    with pytest.raises(EditRefused, match="recommendation is empty"):
        s.do(lambda e: e.update_recommendation(r.record_id, text="  "))
    with pytest.raises(EditRefused, match="a recommendation has no field 'status'"):
        s.do(lambda e: e.update_recommendation(r.record_id, status="done"))
    assert s.visit.recommendations[0].text == "Publish the vision."


def test_status_moves_and_frozen_visits(session) -> None:
    s = session("community-cohesion")
    s.do(lambda e: e.start(at=AT))
    assert s.visit.status == "in_progress"
    assert s.visit.started_at == AT
    s.do(lambda e: e.move_to("submitted"))
    with pytest.raises(EditRefused, match="the visit is submitted and cannot be edited"):
        s.do(lambda e: e.set_level("1a", "planned"))
    with pytest.raises(EditRefused, match="a submitted visit cannot become planned"):
        s.do(lambda e: e.move_to("planned"))
    s.do(lambda e: e.move_to("returned", comment="Add evidence for 2b"))
    assert s.visit.moderator_comment == "Add evidence for 2b"
    s.do(lambda e: e.set_level("1a", "planned"))
    assert s.visit.level("1a") == "planned"


def test_coverage_counts_judged_and_unevidenced(session) -> None:
    s = session("community-cohesion")
    assert coverage(s.visit, s.framework).judged == 0
    s.do(lambda e: e.set_level("1a", "embedded"))
    s.do(lambda e: e.add_note("Seen the portfolio", ["1a", "2a"]))
    cov = coverage(s.visit, s.framework)
    assert (cov.judged, cov.total, cov.percent) == (1, 12, 8)
    assert "1a" not in cov.without_evidence and "2a" not in cov.without_evidence
    assert len(cov.without_evidence) == 10


def test_every_cell_and_field_type_is_checked() -> None:
    """A wrong value is refused with the column's name and what it must be; a right one
    is stored in its type. Non-finite numbers are refused too: no JSON file can hold
    them, so one accepted on screen would be saved as an empty value."""
    from tests.domain.conftest import Session
    from tests.domain.typed_framework import typed_framework

    s = Session(typed_framework(), school="Hill School")
    refusals = {
        ("pupils", "lots"): "Pupils must be a number, not 'lots'",
        ("pupils", "nan"): "Pupils must be a number, not 'nan'",
        ("pupils", "inf"): "Pupils must be a number, not 'inf'",
        ("pupils", "-Infinity"): "Pupils must be a number, not '-Infinity'",
        ("pupils", "1e999"): "Pupils must be a number, not '1e999'",
        ("attendance", "120"): "Attendance must be a percentage from 0 to 100, not 120",
        ("attendance", "nan%"): "Attendance must be a percentage from 0 to 100, not nan%",
        ("attendance", "most"): "Attendance must be a percentage, not 'most'",
        ("measured", "yesterday"): "Measured on must be a date (YYYY-MM-DD), not 'yesterday'",
        ("band", "medium"): "Band must be one of low, high, not 'medium'",
        ("grade", "maybe"): "level 'maybe' is not on scale 'yes-no' of Grade (no, yes)",
    }
    for (column, value), message in refusals.items():
        with pytest.raises(EditRefused) as info:
            s.do(lambda e, c=column, v=value: e.set_cell("t1", "r1", c, v))
        assert str(info.value) == message
    assert s.visit.rows == ()  # nothing refused reached the visit
    for column, value in [
        ("pupils", "1e3"),
        ("attendance", "87.5%"),
        ("measured", "2026-11-23"),
        ("band", "high"),
        ("grade", "Yes"),
    ]:
        s.do(lambda e, c=column, v=value: e.set_cell("t1", "r1", c, v))
    (row,) = s.visit.rows
    assert row.cells == {
        "pupils": "1000",
        "attendance": "87.5",
        "measured": "2026-11-23",
        "band": "high",
        "grade": "yes",
    }

    for field, value, message in [
        ("count", "NaN", "Pupils seen must be a number, not 'NaN'"),
        ("when", "2026-02-30", "Date of the review must be a date (YYYY-MM-DD), not '2026-02-30'"),
        ("ok", "perhaps", "Policy in place must be yes or no, not 'perhaps'"),
        ("colour", "blue", "Rating colour must be one of red, amber, green, not 'blue'"),
    ]:
        with pytest.raises(EditRefused) as info:
            s.do(lambda e, f=field, v=value: e.set_field("c1", f, v))
        assert str(info.value) == message
    for field, value in [
        ("count", "12"),
        ("when", "2026-11-23"),
        ("ok", "yes"),
        ("colour", "green"),
    ]:
        s.do(lambda e, f=field, v=value: e.set_field("c1", f, v))
    assert s.visit.judgements["c1"].fields == {
        "count": "12",
        "when": "2026-11-23",
        "ok": "True",
        "colour": "green",
    }
    (stored,) = [r for r in s.records.values() if r.type == "judgement"]
    assert (stored.data["field:count"], stored.data["field:ok"]) == (12, True)  # typed


def test_a_judgement_says_who_changed_it_last_and_when(session) -> None:
    s = session("ba-sef")
    level = s.do(lambda e: e.set_level("1.1", "established"))
    first = s.visit.judgements["1.1"]
    assert first.updated_by == "dev1"
    assert first.updated_at == datetime.fromtimestamp(int(level.hlc[:13]) / 1000, UTC)
    rationale = s.do(lambda e: e.set_rationale("1.1", "Minutes seen"))
    later = s.visit.judgements["1.1"]
    assert later.updated_at == datetime.fromtimestamp(int(rationale.hlc[:13]) / 1000, UTC)
    assert later.updated_at > first.updated_at
