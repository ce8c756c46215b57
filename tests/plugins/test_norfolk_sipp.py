"""The norfolk-sipp plugin: its transcription of the source and its record-of-visit rules."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest

import assessor_norfolk_sipp
from assessor_tui.domain.visit import ActionPoint, Answer, Recommendation, School, Visit
from assessor_tui.frameworks.model import Actions, Checklist, Point, Table, TextPrompt
from assessor_tui.plugins.host import PluginHost, load_host

if TYPE_CHECKING:
    from assessor_tui.domain.findings import Finding
    from assessor_tui.frameworks.model import Framework

ID = "norfolk-sipp"


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return load_host(entry_points=False, plugins=[(ID, assessor_norfolk_sipp)], blocked=())


@pytest.fixture(scope="module")
def fw(host: PluginHost) -> Framework:
    framework = host.framework(ID)
    assert framework is not None
    return framework


def visit(visit_type: str | None = "visit-1", **kwargs: Any) -> Visit:
    return Visit(id="v1", framework_id=ID, framework_version="2012-13", visit_type=visit_type,
                 school=School(name="Hethersett Academy"), **kwargs)


def answers(**texts: str) -> dict[str, Answer]:
    return {key.replace("_", "-"): Answer(item_id=key.replace("_", "-"), text=text)
            for key, text in texts.items()}


def complete(visit_type: str = "visit-1") -> dict[str, Answer]:
    return {f"{visit_type}-{suffix}": Answer(item_id=f"{visit_type}-{suffix}", text="Done.")
            for suffix in ("summary", "evaluation")}


def messages(findings: list[Finding], code: str | None = None) -> list[str]:
    return [f.message for f in findings if code is None or f.code == f"{ID}.{code}"]


def section_items(fw: Framework, section_id: str) -> list[Any]:
    section = fw.section(section_id)
    assert section is not None
    return list(section.items)


# ---------------------------------------------------------------- loading


def test_plugin_loads_and_registers_the_framework(host: PluginHost) -> None:
    info = host.plugins[ID]
    assert info.status == "ok", info.reason
    assert info.frameworks == [ID]
    assert {"register_frameworks", "evaluate_visit"} <= set(info.hooks)
    assert host.problems == []


def test_header(fw: Framework) -> None:
    assert fw.title == "School Improvement Partnership Programme (Secondary)"
    assert fw.publisher == "Norfolk Integrated Education Advisory Services"
    assert fw.version == "2012-13"
    assert "Example of full service programme" in fw.source
    assert fw.description is not None
    assert "Not in the source" in fw.description
    assert fw.criteria() == []


def test_obvious_typos_are_fixed_and_nothing_else_garbled(fw: Framework) -> None:
    dumped = json.dumps(fw.to_dict(), ensure_ascii=False)
    for typo in ("th effectiveness", "of the of the", "self- evaluation",
                 "School strength and", "could be set)", "<li>", "Outcomes :"):
        assert typo not in dumped


# ---------------------------------------------------------------- context


def test_context_entries(fw: Framework) -> None:
    assert [g.id for g in fw.context] == ["programme", "role", "key-principles", "cost"]
    assert fw.context[0].text == (
        "The role of this new service is to perform functions similar to the role previously "
        "undertaken by the School Improvement Partner (SIP).")


def test_role_has_the_four_milestones(fw: Framework) -> None:
    role = fw.context[1]
    assert role.text == ("The role of the Link Adviser will incorporate key milestones in the "
                         "school improvement process:")
    assert role.points == (
        "a. Data Analysis and Target Setting (see Visit 1)",
        "b. School Self-Evaluation based on new agreed protocols linked to national inspection "
        "standards (see Visit 2)",
        "c. School Improvement and Annual Report to Governing Body (see Visit 3)",
        "d. Support for Governors for Headteacher Performance Management (see Visit 4)",
    )


def test_key_principles_in_full(fw: Framework) -> None:
    principles = fw.context[2]
    assert principles.text is not None
    assert principles.text.startswith("Schools are responsible for school improvement")
    assert principles.text.endswith("a new form of partnership focused on mutual accountability.")
    points = principles.points
    assert len(points) == 11
    assert points[1] == ("The Local Authority and the school work in partnership and share key "
                         "information")
    assert points[5] == ("Visits will be supported by efficient data collection, where possible "
                         "before rather than during face to face visits")
    chargeable = points[6]
    assert isinstance(chargeable, Point)
    assert chargeable.text.endswith("requested by the school. They could include:")
    assert chargeable.points == (
        "Brokering a range of other support",
        "Validating the process of evidence gathering as part of the self-evaluation system "
        "(eg lesson observation judgements)",
        "Sixth Form Monitoring Visit",
        "Health checks on issues, departments or key improvement objectives",
        "Intensive monitoring and support for improvement (eg support boards, project boards) "
        "which also evaluates the effectiveness and impact of any interventions.",
    )
    assert points[8] == ("Intervention should initially be orchestrated by the governing body, "
                         "based on trust and in consultation with school leaders.")
    assert points[10] == (
        "The Link Adviser will provide a brief formal record of visit after each visit. The "
        "report will summarise the activities undertaken during the visit, be evaluative and "
        "will record key recommendations and action points arising from and agreed during the "
        "visit.")


def test_cost_paragraphs(fw: Framework) -> None:
    cost = fw.context[3]
    assert cost.title == "Cost"
    assert cost.text == (
        "The full service is costed at £2,650 per LA maintained school (£2,820 non-maintained "
        "schools) and includes the benefit of a local authority quality assured system built on "
        "the success of the previous SIP arrangements. There is scope to tailor this service to "
        "the needs of individual schools.\n\n"
        "Link Advisers and consultants would be experienced in school improvement partnership "
        "work.")


# ---------------------------------------------------------------- scale, sections, items


def test_inspection_grade_scale_runs_low_to_high(fw: Framework) -> None:
    scale = fw.scale("inspection-grade")
    assert scale is not None
    assert [(lv.id, lv.label) for lv in scale.levels] == [
        ("4", "Inadequate"), ("3", "Requires improvement"), ("2", "Good"), ("1", "Outstanding")]
    assert [s.id for s in fw.scales] == ["inspection-grade"]


def test_sections_and_item_ids_in_order(fw: Framework) -> None:
    assert [s.id for s in fw.sections] == [
        "visit-1", "visit-2", "visit-3", "visit-4", "visit-4-feedback-form"]
    assert [(s.id, i.id, i.kind) for s, i in fw.items()] == [
        ("visit-1", "visit-1-agenda", "checklist"),
        ("visit-1", "visit-1-summary", "text"),
        ("visit-1", "visit-1-evaluation", "text"),
        ("visit-1", "visit-1-strengths-weaknesses", "text"),
        ("visit-1", "visit-1-comparison", "text"),
        ("visit-1", "visit-1-rationale", "text"),
        ("visit-1", "visit-1-targets", "text"),
        ("visit-1", "visit-1-recommendations", "text"),
        ("visit-1", "visit-1-actions", "actions"),
        ("visit-2", "visit-2-agenda", "checklist"),
        ("visit-2", "visit-2-summary", "text"),
        ("visit-2", "visit-2-evaluation", "text"),
        ("visit-2", "visit-2-self-evaluation", "text"),
        ("visit-2", "visit-2-sef-grades", "table"),
        ("visit-2", "visit-2-recommendations", "text"),
        ("visit-2", "visit-2-actions", "actions"),
        ("visit-3", "visit-3-agenda", "checklist"),
        ("visit-3", "visit-3-summary", "text"),
        ("visit-3", "visit-3-evaluation", "text"),
        ("visit-3", "visit-3-planning", "text"),
        ("visit-3", "visit-3-initiatives", "text"),
        ("visit-3", "visit-3-report-to-governors", "text"),
        ("visit-3", "visit-3-recommendations", "text"),
        ("visit-3", "visit-3-actions", "actions"),
        ("visit-4", "visit-4-agenda", "checklist"),
        ("visit-4-feedback-form", "visit-4-objectives", "text"),
        ("visit-4-feedback-form", "visit-4-smart-objectives", "text"),
        ("visit-4-feedback-form", "visit-4-comments", "text"),
    ]


def agenda(fw: Framework, n: int) -> Checklist:
    item = fw.item(f"visit-{n}-agenda")
    assert isinstance(item, Checklist)
    return item


def test_visit_1_agenda_keeps_both_cells(fw: Framework) -> None:
    entries = agenda(fw, 1).items
    assert [e.id for e in entries] == ["1.1", "1.2", "1.3", "2", "3", "4"]
    assert entries[0].text.startswith("By reference to RAISEonline and FFT data")
    assert entries[2].text == ("To agree targets for 2013 with the headteacher and chair of "
                               "governors.")
    assert entries[3].text == ("Test hypothesis about progress and attainment of groups of pupils "
                               "for a range of measures and subjects")
    assert entries[4].text == ("To briefly review the impact of actions/intervention to support "
                               "the 2011 results.")
    assert entries[5].text == ("School agenda items, including support needs. The school will be "
                               "able to purchase additional support including brokerage.")


def test_visit_2_agenda(fw: Framework) -> None:
    entries = agenda(fw, 2).items
    assert [e.id for e in entries] == ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6"]
    assert entries[1].text == ("To discuss SEF gradings and agree grade as per protocol set out "
                               "by Norfolk LA")
    assert entries[4].text == "To discuss with the Chair, the governors' self-review systems."
    assert entries[5].text == ("To verify that monitoring of headteacher's performance management "
                               "targets by governors is occurring.")


def test_visit_3_agenda(fw: Framework) -> None:
    checklist = agenda(fw, 3)
    assert checklist.text == ("Provide independent professional feedback on the effectiveness of "
                              "school improvement through")
    assert [(e.id, e.text) for e in checklist.items] == [
        ("monitoring-activities",
         "Monitoring activities (to be confirmed with school prior to visit)"),
        ("annual-report", "Annual report to governors"),
    ]


def test_visit_4_agenda(fw: Framework) -> None:
    entries = agenda(fw, 4).items
    assert [e.id for e in entries] == ["1.1", "1.2", "1.3", "2", "3"]
    assert entries[1].text == ("Discussion with the nominated governors - review of performance "
                               "objectives for the next year.")
    assert entries[3].text == (
        "The use of pupil performance data analysis at the previous visit and/or the Annual SIP "
        "report might suggest areas where objectives could be set.")
    assert entries[4].text == ("The agreement of SMART objectives and how these will be monitored "
                               "and supported by appointed governors.")


@pytest.mark.parametrize(("section_id", "titles"), [
    ("visit-1", ["Summary of activities", "Evaluation",
                 "School strengths and weaknesses in performance and value added",
                 "Comparison of performance against local and national indicators as well as "
                 "previously agreed targets",
                 "Rationale for performance",
                 "Agreed challenging targets to be sanctioned by governors",
                 "Key recommendations"]),
    ("visit-2", ["Summary of activities", "Evaluation", "Quality of school self-evaluation",
                 "Key recommendations"]),
    ("visit-3", ["Summary of activities", "Evaluation",
                 "Effectiveness of school improvement planning",
                 "Effectiveness of school improvement initiatives",
                 "A report to governors", "Key recommendations"]),
    ("visit-4-feedback-form", ["Performance objectives discussed and agreed",
                               "SMART objectives and how they will be monitored", "Comments"]),
])
def test_record_prompts(fw: Framework, section_id: str, titles: list[str]) -> None:
    items = section_items(fw, section_id)
    assert [i.title for i in items if isinstance(i, TextPrompt)] == titles


def test_action_points_need_owner_and_due_date(fw: Framework) -> None:
    actions = [i for _, i in fw.items() if isinstance(i, Actions)]
    assert [a.id for a in actions] == ["visit-1-actions", "visit-2-actions", "visit-3-actions"]
    assert all(a.title == "Agreed action points" and a.require_owner and a.require_due
               for a in actions)


def test_visit_4_has_no_record_of_visit_items(fw: Framework) -> None:
    ids = [i.id for s in ("visit-4", "visit-4-feedback-form") for i in section_items(fw, s)]
    assert not [i for i in ids if i.endswith(("-summary", "-evaluation", "-actions"))]


def test_sef_grades_table(fw: Framework) -> None:
    table = fw.item("visit-2-sef-grades")
    assert isinstance(table, Table)
    assert table.title == "SEF grades agreed by Link Adviser"
    assert [r.label for r in table.rows] == [
        "Overall effectiveness", "Achievement of pupils", "Quality of teaching",
        "Behaviour and safety of pupils", "Leadership and management"]
    assert [(c.label, c.kind, c.scale) for c in table.columns] == [
        ("School's grade", "level", "inspection-grade"),
        ("Grade agreed by Link Adviser", "level", "inspection-grade")]
    assert not table.extendable
    assert table.guidance is not None
    assert "Ofsted" in table.guidance


# ---------------------------------------------------------------- visit types


def test_visit_types(fw: Framework) -> None:
    assert [(v.id, v.title, v.term, v.record, v.sections) for v in fw.visit_types] == [
        ("visit-1", "Data Analysis and Target Setting", "Autumn", "required", ("visit-1",)),
        ("visit-2", "School Self-Evaluation based on (new) national inspection standards",
         "Spring", "required", ("visit-2",)),
        ("visit-3", "Challenge, monitoring and support for School Improvement", "Summer",
         "required", ("visit-3",)),
        ("visit-4", "Support for Head Teacher Performance Management", "Autumn",
         "feedback-form", ("visit-4", "visit-4-feedback-form")),
    ]


def test_outcomes(fw: Framework) -> None:
    v1, v2, v3, v4 = fw.visit_types
    assert v1.outcomes == (Point(text="A record of visit summarising", points=(
        "School strengths and weaknesses in performance and value added",
        "Comparison of performance against local and national indicators as well as previously "
        "agreed targets",
        "Rationale for performance",
        "Agreed challenging targets to be sanctioned by governors")),)
    assert v2.outcomes == (Point(text="A record of visit summarising", points=(
        "Quality of school self-evaluation", "SEF grades agreed by Link Adviser")),)
    assert v3.outcomes == (
        Point(text="A record of visit summarising", points=(
            "Effectiveness of school improvement planning",
            "Effectiveness of school improvement initiatives")),
        "A report to governors")
    assert v4.outcomes == ("No record of visit, as this is a matter for governors",
                           "A feedback form should be left with governors")


def test_links_to_other_visits(fw: Framework) -> None:
    assert [v.links for v in fw.visit_types] == [
        ("Directly informs school self-evaluation and judgements",
         "Directly informs headteacher performance management"),
        ("Builds on Link Adviser visit 1, data analysis and target setting",
         "Information should inform visit 3, school improvement planning"),
        ("School improvement planning and initiatives should be based on the school's "
         "self-evaluation",),
        ("Visit 1 (targets and outcomes)", "Visit 3 (planning for improvement)"),
    ]


def test_roles(fw: Framework) -> None:
    for v in fw.visit_types:
        assert [(r.id, r.title) for r in v.roles] == [
            ("link-adviser", "Role of Link Adviser"), ("school", "Role of School")]
    v1, v2, v3, v4 = fw.visit_types
    assert v1.roles[0].duties == (
        "Analyse school dataset and prepare set of questions (hypothesis)",
        "Provide guidance on appropriate targets and use of estimates",
        "Comment on the effectiveness and suitability of the targets")
    assert v1.roles[1].duties == (
        "To have analysed their performance data and know the reasons for achievements",
        "To propose challenging targets",
        "Ensure headteacher and governor involvement",
        "Ensure involvement of most appropriate personnel")
    assert v2.roles[1].duties == (
        "Provide a copy of the school SEF two weeks prior to visit",
        "Provide copy of evidence on areas requested by the Link Adviser")
    assert v3.roles[0].duties == (
        "Produce annual report to governors",
        "Carry out appropriate evaluation activities to judge the effectiveness of school "
        "improvement")
    assert v4.roles[0].duties == (
        "Provide specialist independent advice and understanding of current issues facing the "
        "school/headteacher",
        "Provide specialist review of performance")
    assert v4.roles[1].duties == ("Ensure participation of appropriate representatives",)


def test_qa_functions(fw: Framework) -> None:
    assert [v.qa_functions for v in fw.visit_types] == [
        ("Accurate and up-to-date data set supplied to Link Adviser",
         "Trained in analysis of data based on previous SIP accreditation or new Norfolk model",
         "Ensure record of visit conforms to quality criteria"),
        ("Accurate use of agreed self-evaluation tool, quality of school SEF tool where different",
         "Ensure record of visit conforms to quality criteria"),
        ("Ensure record of visit and annual report to governors meets quality criteria",),
        ("All Link Advisers must be appropriately trained",),
    ]


# ---------------------------------------------------------------- rules


def test_other_frameworks_are_not_evaluated(fw: Framework) -> None:
    other = fw.model_copy(update={"id": "ice-mark"})
    assert assessor_norfolk_sipp.evaluate_visit(visit(), other) is None


def test_complete_visit_has_no_findings(host: PluginHost, fw: Framework) -> None:
    v = visit(answers=complete(), actions=(
        ActionPoint(id="a1", text="Share FFT estimates with heads of department",
                    owner="Deputy head", due=date(2012, 11, 30), item_id="visit-1-actions"),))
    assert host.evaluate(v, fw) == []


def test_action_points_without_owner_or_due_date(host: PluginHost, fw: Framework) -> None:
    v = visit(answers=complete(), actions=(
        ActionPoint(id="a1", text="Agree targets", owner="Head", due=date(2012, 12, 1)),
        ActionPoint(id="a2", text="Review attendance targets", owner="  ",
                    due=date(2012, 12, 1)),
        ActionPoint(id="a3", text="Brief governors"),
    ))
    findings = host.evaluate(v, fw)
    assert messages(findings) == [
        "action point 2 has no owner",
        "action point 3 has no owner",
        "action point 3 has no due date",
    ]
    assert [f.code for f in findings] == [
        f"{ID}.action-owner", f"{ID}.action-owner", f"{ID}.action-due"]
    assert {f.severity for f in findings} == {"problem"}
    assert {f.item_id for f in findings} == {"visit-1-actions"}


def test_recommendations_without_owner_or_due_date(host: PluginHost, fw: Framework) -> None:
    v = visit(answers=complete(), recommendations=(
        Recommendation(id="r1", text="Recruit a maths lead", owner="Head",
                       due=date(2013, 1, 31)),
        Recommendation(id="r2", text="Share the SEF with governors"),
    ))
    findings = host.evaluate(v, fw)
    assert messages(findings) == ["recommendation 2 has no owner",
                                  "recommendation 2 has no due date"]
    assert {f.severity for f in findings} == {"problem"}
    assert {f.item_id for f in findings} == {"visit-1-recommendations"}
    four = visit("visit-4", recommendations=(Recommendation(id="r1", text="Brief"),))
    assert {f.item_id for f in host.evaluate(four, fw) if "recommendation" in f.code} == {None}


def test_a_done_action_point_still_needs_an_owner(host: PluginHost, fw: Framework) -> None:
    v = visit(answers=complete(), actions=(
        ActionPoint(id="a1", text="Send data set", due=date(2012, 10, 1), status="done"),))
    assert messages(host.evaluate(v, fw)) == ["action point 1 has no owner"]


def test_action_filed_under_an_item_keeps_that_item(host: PluginHost, fw: Framework) -> None:
    v = visit("visit-2", answers=complete("visit-2"), actions=(
        ActionPoint(id="a1", text="Update SEF", owner="Head", item_id="visit-2-sef-grades"),))
    [finding] = host.evaluate(v, fw)
    assert finding.message == "action point 1 has no due date"
    assert finding.item_id == "visit-2-actions"


@pytest.mark.parametrize("visit_type", ["visit-1", "visit-2", "visit-3"])
def test_empty_record_of_visit(host: PluginHost, fw: Framework, visit_type: str) -> None:
    findings = host.evaluate(visit(visit_type), fw)
    assert [(f.message, f.severity, f.item_id) for f in findings] == [
        ("record of visit has no summary of activities", "warning", f"{visit_type}-summary"),
        ("record of visit has no evaluation", "warning", f"{visit_type}-evaluation"),
    ]
    assert {f.code for f in findings} == {f"{ID}.record-incomplete"}


def test_blank_evaluation_counts_as_empty(host: PluginHost, fw: Framework) -> None:
    v = visit("visit-3", answers=answers(visit_3_summary="Observed two lessons.",
                                         visit_3_evaluation="  \n "))
    assert messages(host.evaluate(v, fw)) == ["record of visit has no evaluation"]


def test_answers_of_another_visit_do_not_count(host: PluginHost, fw: Framework) -> None:
    v = visit("visit-2", answers=complete("visit-1"))
    assert len(messages(host.evaluate(v, fw), "record-incomplete")) == 2


def test_visit_summary_counts_as_summary_of_activities(host: PluginHost, fw: Framework) -> None:
    v = visit("visit-1", summary="Met the head and chair; reviewed RAISEonline.",
              answers=answers(visit_1_evaluation="Targets are challenging."))
    assert host.evaluate(v, fw) == []


def test_visit_4_produces_no_record(host: PluginHost, fw: Framework) -> None:
    findings = host.evaluate(visit("visit-4"), fw)
    assert [(f.code, f.severity, f.item_id) for f in findings] == [
        (f"{ID}.no-record", "info", None)]
    assert "feedback form" in findings[0].message
    assert "no record of visit" in findings[0].message


def test_visit_4_action_points_are_still_checked(host: PluginHost, fw: Framework) -> None:
    v = visit("visit-4", actions=(ActionPoint(id="a1", text="Set review date"),))
    assert [(f.code, f.message) for f in host.evaluate(v, fw)] == [
        (f"{ID}.action-owner", "action point 1 has no owner"),
        (f"{ID}.action-due", "action point 1 has no due date"),
        (f"{ID}.no-record", "no record of visit: this is a matter for governors; "
                            "leave the feedback form with them"),
    ]


def test_missing_or_unknown_visit_type(host: PluginHost, fw: Framework) -> None:
    [missing] = host.evaluate(visit(None), fw)
    assert missing.code == f"{ID}.visit-type"
    assert missing.severity == "warning"
    assert "no visit type" in missing.message
    assert "visit-1, visit-2, visit-3, visit-4" in missing.message
    [unknown] = host.evaluate(visit("visit-5"), fw)
    assert unknown.message.startswith("unknown visit type 'visit-5'")
