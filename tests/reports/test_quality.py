"""The Norfolk quality check: a record is not finalised while it falls short, and the
assessor is told exactly what to fix."""

from __future__ import annotations

import pytest
from tests.reports.conftest import Make, norfolk_visit

from assessor_tui import reports


def test_action_point_without_owner_blocks_finalising(make: Make, host) -> None:
    s = norfolk_visit(make, "visit-1", owner="")
    with pytest.raises(reports.RecordNotReady) as refused:
        reports.ensure_ready(s.visit, s.framework, host)
    assert str(refused.value) == (
        "the record cannot be finalised yet (1 problem): action point 1 "
        "(\u201cReview the maths scheme of work\u201d) has no owner"
    )


def test_action_point_without_owner_or_date_names_both(make: Make, host) -> None:
    s = norfolk_visit(make, "visit-3", owner=" ", due=None)
    with pytest.raises(reports.RecordNotReady, match="has no owner and no due date"):
        reports.ensure_ready(s.visit, s.framework, host)


def test_recommendation_without_owner_or_date_blocks_finalising(make: Make, host) -> None:
    s = norfolk_visit(make, "visit-1")
    s.do(lambda e: e.add_recommendation("Recruit a second maths lead", owner="Head"))
    with pytest.raises(reports.RecordNotReady) as refused:
        reports.ensure_ready(s.visit, s.framework, host)
    assert str(refused.value) == (
        "the record cannot be finalised yet (1 problem): recommendation 1 "
        "(\u201cRecruit a second maths lead\u201d) has no due date"
    )
    rec = s.visit.recommendations[0]
    s.do(lambda e: e.update_recommendation(rec.id, due="2026-05-01"))
    assert reports.ensure_ready(s.visit, s.framework, host) == []
    md = reports.record_markdown(s.visit, s.framework, host)
    assert "| 1 | Recruit a second maths lead | Head | 01 May 2026 |" in md


def test_complete_record_passes(make: Make, host) -> None:
    s = norfolk_visit(make, "visit-1")
    assert reports.ensure_ready(s.visit, s.framework, host) == []


def test_record_without_summary_or_evaluation_is_refused(make: Make, host) -> None:
    s = make("norfolk-sipp", visit_type="visit-2")
    with pytest.raises(reports.RecordNotReady) as refused:
        reports.ensure_ready(s.visit, s.framework, host)
    message = str(refused.value)
    assert "the activities of the visit are not summarised" in message
    assert "no evaluative statement" in message


def test_visit_wide_summary_counts_as_the_summary_of_activities(make: Make, host) -> None:
    s = make("norfolk-sipp", visit_type="visit-1")
    s.do(lambda e: e.set_summary("Met the head; looked at data."))
    s.do(lambda e: e.set_answer("visit-1-evaluation", "Data use is strong."))
    warnings = reports.ensure_ready(s.visit, s.framework, host)
    assert any("no key recommendations" in w.message for w in warnings)


def test_feedback_form_visit_needs_no_record(make: Make, host) -> None:
    s = make("norfolk-sipp", visit_type="visit-4")
    assert reports.ensure_ready(s.visit, s.framework, host) == []


def test_draft_preview_lists_what_must_be_fixed(make: Make, host) -> None:
    s = norfolk_visit(make, "visit-1", owner="")
    md = reports.record_markdown(s.visit, s.framework, host)
    section = md[md.index("## Before this record can be finalised"):]
    assert "**Must fix**: action point 1" in section
    assert "| 1 | Review the maths scheme of work | \\(no owner\\) | 01 Apr 2026 | Open |" in md


def test_other_frameworks_have_no_norfolk_check(make: Make, host) -> None:
    s = make("ice-mark")
    s.do(lambda e: e.add_action("Something", owner=""))
    assert reports.check_record(s.visit, s.framework, host) == []


def test_a_record_its_framework_plugin_can_no_longer_check_is_not_finalised(
    assessor_host, assessor_visit
) -> None:
    """The plugin providing the framework failed during the visit: its check and its layout
    of the record are gone, so the record waits; a failed rule of another plugin does not
    hold it up (the findings name that one)."""
    from tests.plugin_api.test_hooks import Provides

    import assessor_tui

    class Faulty(Provides):
        @assessor_tui.hookimpl
        def evaluate_visit(self, visit, framework):
            raise KeyError("c9")

    class OtherRule:
        @assessor_tui.hookimpl
        def evaluate_visit(self, visit, framework):
            raise ValueError("not mine")

    visit = assessor_visit(assessor_host(("provider", Provides()), ("other", OtherRule())),
                           "hooks-test")
    visit.findings()
    host = visit.session.host
    assert host.plugins["other"].status == "failed"
    assert reports.ensure_ready(visit.visit, visit.framework, host) == []

    visit = assessor_visit(assessor_host(("faulty", Faulty())), "hooks-test")
    visit.findings()
    with pytest.raises(reports.RecordNotReady) as refused:
        reports.ensure_ready(visit.visit, visit.framework, visit.session.host)
    assert str(refused.value) == (
        "the record cannot be finalised yet (1 problem): the faulty plugin failed and is "
        "disabled for this session, so it cannot check this record: hook evaluate_visit "
        "raised KeyError: 'c9'"
    )
