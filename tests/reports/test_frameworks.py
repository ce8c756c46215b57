"""Each framework's record says what its programme asks the record to say."""

from __future__ import annotations

from datetime import date

import pytest
from tests.reports.conftest import (
    Make,
    ba_sef_visit,
    c4eo_visit,
    cohesion_visit,
    ice_visit,
    norfolk_visit,
)

from assessor_tui import reports
from assessor_tui.record.document import Heading, Table


def _md(session, host) -> str:
    return reports.record_markdown(session.visit, session.framework, host)


def _headings(session, host) -> list[str]:
    doc = reports.build_record(session.visit, session.framework, host)
    return [b.text for b in doc.blocks if isinstance(b, Heading)]


def _between(text: str, start: str, end: str) -> str:
    return text[text.index(start):text.index(end, text.index(start))]


def test_norfolk_visit_1_records_performance_and_targets(make: Make, host) -> None:
    s = norfolk_visit(make, "visit-1")
    md = _md(s, host)
    heads = _headings(s, host)
    assert heads[:2] == ["Summary of activities", "Agenda"]
    for title in ("School strengths and weaknesses in performance and value add",
                  "Comparison of performance against local and national indicators",
                  "Rationale for performance",
                  "Agreed challenging targets to be sanctioned by governors",
                  "Key recommendations", "Agreed action points"):
        assert any(h.startswith(title) for h in heads), title
    assert "Strength: English value added" in md
    assert "62% five A\\*-C" in md  # the assessor's asterisk, escaped, not emphasis
    assert "Recruit a second maths lead" in md
    assert "| 1 | Review the maths scheme of work | Head teacher | 01 Apr 2026 | Open |" in md
    assert md.startswith("# Record of visit")


def test_norfolk_visit_2_records_self_evaluation_and_agreed_grades(make: Make, host) -> None:
    s = norfolk_visit(make, "visit-2")
    md = _md(s, host)
    assert "Quality of school self\\-evaluation" in md or "Quality of school self-evaluation" in md
    assert "The SEF is rigorous" in md
    doc = reports.build_record(s.visit, s.framework, host)
    grades = next(b for b in doc.blocks if isinstance(b, Table) and "Grade agreed by Link Adviser"
                  in b.columns)
    row = next(r for r in grades.rows if r[0] == "Achievement of pupils")
    scale = s.framework.scale("inspection-grade")
    assert row[1:] == (scale.level("2").label, scale.level("3").label)


def test_norfolk_visit_3_records_planning_initiatives_and_report_to_governors(
    make: Make, host
) -> None:
    md = _md(norfolk_visit(make, "visit-3"), host)
    for text in ("Effectiveness of school improvement planning",
                 "The improvement plan is sharply focused",
                 "Effectiveness of school improvement initiatives",
                 "The literacy initiative has raised reading ages",
                 "A report to governors", "Annual report drafted"):
        assert text in md


def test_norfolk_visit_4_is_a_feedback_form_not_a_record(make: Make, host) -> None:
    s = norfolk_visit(make, "visit-4")
    doc = reports.build_record(s.visit, s.framework, host)
    assert doc.title == "Feedback form"
    md = _md(s, host)
    assert "Record of visit" not in md
    assert "No record of visit: this is a matter for governors" in md
    assert "Visit 4: Feedback form for governors" in md
    assert "Raise maths attainment by 5% by July" in md


def test_ice_mark_validates_each_criterion_with_its_evidence(make: Make, host) -> None:
    s = ice_visit(make)
    md = _md(s, host)
    first = _between(md, "### Range of partnerships", "### Track record")
    assert "**Validation**: Met" in first
    assert "Head listed seven partners from memory" in first
    assert "Partnership agreement 2025" in first
    assert "**Sectors**: 3 of 7 sectors: 5 needed" in first
    assert "Judged Met with only 3 of 7 sectors ticked" in first
    assert "### Track record of at least two years\n\n**Validation**: Partly met" in md
    overall = _between(md, "## Overall recommendation", "## Appendix")
    assert "not yet recommended for the ICE Mark" in overall
    assert "Track record of at least two years: Partly met \\(key criterion\\)" in overall
    assert "Statement of aims and purpose: Not met" in overall
    assert "Range of partnerships" not in overall  # met: not listed
    assert "| Extent and Quality of Partnerships | 7 | 1 | 1 | 5 |" in md


def test_ice_mark_all_key_criteria_met_is_recommended(make: Make, host) -> None:
    s = make("ice-mark")
    for criterion in s.framework.criteria():
        s.do(lambda e, c=criterion.id: e.set_level(c, "met"))
    md = _md(s, host)
    assert "recommended for the ICE Mark" in md and "not yet" not in md


def test_ba_sef_profile_focuses_and_outcomes(make: Make, host) -> None:
    s = ba_sef_visit(make)
    doc = reports.build_record(s.visit, s.framework, host)
    md = _md(s, host)
    profile = next(b for b in doc.blocks if isinstance(b, Table) and b.columns == (
        "Sub-element", "Current rating"))
    assert ("1.1 Engagement of all schools", "Established") in profile.rows
    assert ("1.3 Annual report requirement", "Not rated") in profile.rows
    assert "Strand 1 \\(Leadership and management of partnerships\\): 1 developing" in md
    assert "- 1.2 Transparent use of data: Share attendance data termly" in md
    key = next(b for b in doc.blocks if isinstance(b, Table) and b.columns[1:] == (
        "Baseline data", "Term 1 progress", "Term 2 progress", "Term 3 progress"))
    absence = next(r for r in key.rows if r[0].startswith("to reduce overall absence"))
    assert absence[1:] == ("6.1", "5.4", "", "")
    assert len(key.rows) == 8  # every key outcome of the framework, filled or not
    assert "| Reduce lateness | 12" in md
    assert "Data shared at heads' meeting" in _between(md, "### 1.2 Transparent", "### 1.3")


def test_community_cohesion_steps_with_next_steps(make: Make, host) -> None:
    md = _md(cohesion_visit(make), host)
    step = _between(md, "### 1a Initial briefing", "### 1b")
    assert "**Progress**: Embedded" in step
    assert "**Next steps**: Brief new governors in May" in step
    assert "Briefing minutes seen" in step
    assert "| 1a Initial briefing | Brief new governors in May |" in md


def test_c4eo_answers_each_question_with_next_steps(make: Make, host) -> None:
    md = _md(c4eo_visit(make), host)
    assert "Every school a community hub" in _between(md, "### Q1.", "### Q2.")
    assert "**Progress**: Developing" in _between(md, "### Priority 1:", "### Priority 2:")
    nxt = md[md.index("## Next steps"):]
    assert "Pilot a family learning programme" in nxt
    assert "| 1 | Draft the pilot plan | Deputy head | 01 Jun 2026 | Open |" in nxt


@pytest.mark.parametrize("framework_id", ["ice-mark", "ba-sef", "community-cohesion",
                                          "c4eo-schools-communities"])
def test_every_note_appears_once_linked_or_in_the_appendix(make: Make, host,
                                                           framework_id: str) -> None:
    s = make(framework_id)
    item = s.framework.items()[-1][1].id
    s.do(lambda e: e.add_note("NOTE-LINKED-123", [item]))
    s.do(lambda e: e.add_note("NOTE-LOOSE-456"))
    md = _md(s, host)
    assert md.count("NOTE-LINKED-123") == 1
    appendix = md[md.index("## Appendix"):]
    assert "Notes not linked to a criterion" in appendix and "NOTE-LOOSE-456" in appendix
    assert "NOTE-LINKED-123" not in appendix


def test_record_names_school_date_assessor_framework_type_and_time(make: Make, host) -> None:
    s = norfolk_visit(make, "visit-2")
    meta = dict(reports.build_record(s.visit, s.framework, host).meta)
    assert meta["School"] == "Hill School" and meta["URN"] == "123456"
    assert meta["Date"] == "05 March 2026" and meta["Assessor"] == "Ann Assessor"
    assert meta["Framework"].endswith("(norfolk-sipp, version 2012-13)")
    assert meta["Visit type"].startswith("School Self-Evaluation")
    assert meta["Time spent"] == "2 h 50 min (09:00–11:50; planned 3 h)"


def test_a_plugin_that_fails_to_shape_its_report_falls_back_and_says_so(make: Make) -> None:
    from tests.tui.conftest import BUILT_INS

    import assessor_tui
    from assessor_tui.plugins.host import load_host

    class Broken:
        @assessor_tui.hookimpl
        def report_sections(self, visit, framework):
            raise RuntimeError("boom")

    host = load_host(entry_points=False, plugins=[*BUILT_INS, ("broken", Broken())], blocked=())
    s = make("community-cohesion")
    s.do(lambda e: e.add_action("Tell the head", owner="Me", due=date(2026, 5, 1)))
    md = _md(s, host)
    assert "Plugin 'broken' failed while shaping this record" in md
    assert "Tell the head" in md
