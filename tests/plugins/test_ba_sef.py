"""The ba-sef plugin: a faithful transcription of the B&A partnership self-evaluation
framework (Sept 2009), and the per-strand rating profile an assessor sees."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import assessor_ba_sef
from assessor_tui.domain.visit import Judgement, School, Visit
from assessor_tui.frameworks.model import Criterion, ListItem, Table
from assessor_tui.plugins.host import PluginHost, load_host

if TYPE_CHECKING:
    from assessor_tui.domain.findings import Finding
    from assessor_tui.frameworks.model import Framework

LEVELS = ["developing", "developed", "established", "enhancing"]

CRITERIA = {
    "1.1": "Engagement of all schools",
    "1.2": "Transparent use of data",
    "1.3": "Annual report requirement",
    "1.4": "Agreement on fair access protocols",
    "1.5": "Guidance on use of managed moves and the involvement of parents",
    "1.6": "Day 6 provision",
    "2.1": "Development of teaching and learning policies",
    "2.2": "Use of Securing Good behaviour framework",
    "2.3": "Use of Home School Agreements",
    "2.4": "Strategies for early intervention",
    "2.5": "Use of Extended Schools provision",
    "2.6": "Liaison with officer from Safer School Partnerships",
    "2.7": "Links to primary schools",
    "2.8": "Links to FE",
    "3.1": "Use and impact of managed moves",
    "3.2": "Quality of Short Stay Schools and alternative provision",
    "3.3": "Swift and easy access to support services",
    "4.1": "Joint appointments",
    "4.2": "Shared resources",
    "4.3": "Networked training opportunities",
    "4.4": "Sharing what works",
}

STRANDS = {
    "1": "Leadership and management of partnerships",
    "2": "Quality first provision in schools",
    "3": "Access to additional or alternative provision",
    "4": "Opportunities to share skills and expertise and the provision of ongoing CPD",
}

EARLY_INTERVENTION_MEASURES = [
    "- Absence from school",
    "- The percentage of partnership pupils that have 20% absence",
    "- The need for exclusion",
    "- The need for repeat exclusions",
    "- Post 16 NEETs",
    "- Schools in the partnership judged by Ofsted as being only satisfactory or less "
    "for behaviour",
    "- Incidents of bullying",
    "- Youth crime in the physical area of the partnership",
    "- Vandalism",
]


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return load_host(entry_points=False, plugins=[("ba-sef", assessor_ba_sef)], blocked=())


@pytest.fixture(scope="module")
def fw(host: PluginHost) -> Framework:
    framework = host.framework("ba-sef")
    assert framework is not None
    return framework


def criterion(fw: Framework, item_id: str) -> Criterion:
    item = fw.item(item_id)
    assert isinstance(item, Criterion)
    return item


def lines(fw: Framework, item_id: str, level: str) -> list[str]:
    descriptors = criterion(fw, item_id).descriptors
    assert descriptors is not None
    return descriptors[level].splitlines()


def visit(**judgements: Judgement) -> Visit:
    return Visit(id="v1", framework_id="ba-sef", framework_version="2009-09",
                 school=School(name="Northgate Partnership"), judgements=judgements)


def rated(item_id: str, level: str | None, focus: str | None = None) -> Judgement:
    fields = {} if focus is None else {"development-focus": focus}
    return Judgement(item_id=item_id, level=level, fields=fields)


def evaluate(host: PluginHost, fw: Framework, v: Visit) -> list[Finding]:
    return host.evaluate(v, fw)


def by_code(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


# ---------------------------------------------------------------- registration


def test_plugin_loads_and_registers_the_framework(host: PluginHost, fw: Framework) -> None:
    info = host.plugins["ba-sef"]
    assert info.status == "ok", info.reason
    assert info.frameworks == ["ba-sef"]
    assert info.hooks == [
        "evaluate_visit", "register_commands", "register_frameworks", "register_panels",
        "report_sections"]
    assert host.frameworks["ba-sef"].owner == "ba-sef"
    assert fw.version == "2009-09"
    assert fw.title == "Self-evaluation framework for B&A partnerships"
    assert fw.publisher == "B, A and SEAL Team"
    assert "September 2009" in fw.source
    assert "Self-evaluation framework for B&A partnerships" in fw.source


def test_sections_and_counts(fw: Framework) -> None:
    assert [s.id for s in fw.sections] == [
        "membership", "key-outcomes", "local-outcomes", "1", "2", "3", "4"]
    assert {s.id: s.title for s in fw.sections if s.id in STRANDS} == STRANDS
    membership = fw.section("membership")
    assert membership is not None and membership.title == "Membership of partnership"
    assert len(fw.items()) == 6 + 1 + 1 + 21
    counts = {s.id: len(s.items) for s in fw.sections if s.id in STRANDS}
    assert counts == {"1": 6, "2": 8, "3": 3, "4": 4}


def test_every_sub_element_in_order_with_its_title(fw: Framework) -> None:
    assert [(c.id, c.title) for c in fw.criteria()] == list(CRITERIA.items())
    for section in fw.sections:
        for item in section.items:
            if isinstance(item, Criterion):
                assert item.id.split(".")[0] == section.id


def test_rubric_scale(fw: Framework) -> None:
    scale = fw.scale("ba-level")
    assert scale is not None
    assert [(lv.id, lv.label) for lv in scale.levels] == [
        ("developing", "Developing"), ("developed", "Developed"),
        ("established", "Established"), ("enhancing", "Enhancing")]


def test_every_sub_element_has_four_descriptors_and_a_development_focus(fw: Framework) -> None:
    for c in fw.criteria():
        assert c.scale == "ba-level"
        assert c.descriptors is not None
        assert list(c.descriptors) == LEVELS, c.id
        assert all(c.descriptors[lv].strip() for lv in LEVELS), c.id
        assert [(f.id, f.kind, f.label) for f in c.fields] == [
            ("development-focus", "text", "Development focus")]


def test_descriptor_text_is_clean(fw: Framework) -> None:
    """Bullets are '- ' lines; no Word bullets, double spaces or blank lines survive."""
    for c in fw.criteria():
        for level, text in (c.descriptors or {}).items():
            for line in text.splitlines():
                assert line == line.strip() and line, (c.id, level, line)
                assert "  " not in line and "·" not in line, (c.id, level, line)
                assert not line.startswith("-") or line.startswith("- "), (c.id, level, line)


# ---------------------------------------------------------------- membership and outcomes


def test_membership_lists(fw: Framework) -> None:
    section = fw.section("membership")
    assert section is not None
    assert all(isinstance(i, ListItem) for i in section.items)
    assert [(i.id, i.title) for i in section.items] == [
        ("secondary-schools", "Secondary schools"),
        ("primary-schools", "Primary schools"),
        ("special-schools", "Special schools"),
        ("prus-and-alternative-provision", "PRUs and alternative provision"),
        ("fe", "FE"),
        ("ssp", "SSP"),
    ]


def test_key_outcomes_table(fw: Framework) -> None:
    section = fw.section("key-outcomes")
    assert section is not None
    [table] = section.items
    assert isinstance(table, Table)
    assert table.title == "Key Outcomes for Partnership"
    assert not table.extendable
    assert [(c.id, c.label, c.kind) for c in table.columns] == [
        ("baseline", "Baseline data", "text"),
        ("term-1", "Term 1 progress", "text"),
        ("term-2", "Term 2 progress", "text"),
        ("term-3", "Term 3 progress", "text"),
    ]
    assert [r.label for r in table.rows] == [
        "To improve the number of schools judged as good or better for behaviour by Ofsted",
        "to reduce overall absence across the partnership by x%",
        "to reduce the percentage of pupils with PA across the partnership by x%",
        "to reduce the number of permanent exclusions across the partnership by x%",
        "to reduce the number of multiple fixed-term exclusions across the partnership by x%",
        "To reduce the disproportionality of exclusions across specific pupil groups",
        "To improve parental perceptions of the schools in the partnership",
        "To improve pupils perceptions of the schools in the partnership",
    ]


def test_local_outcomes_table_is_extendable_with_examples(fw: Framework) -> None:
    section = fw.section("local-outcomes")
    assert section is not None
    [table] = section.items
    assert isinstance(table, Table)
    assert table.extendable
    assert table.rows == ()
    assert table.text == ("The Partnership should define an area of work that reflects local "
                          "needs and priorities, for example:")
    assert table.examples == (
        "to reduce the number of incidents occurring during breaktimes by x%.",
        "to reduce the percentage of time lost to term-time holidays by x%",
        "to reduce incidents of racist bullying",
    )
    key = fw.item("key-outcomes-table")
    assert isinstance(key, Table)
    assert table.columns == key.columns


# ---------------------------------------------------------------- descriptor wording


def test_first_sub_element_in_full(fw: Framework) -> None:
    assert lines(fw, "1.1", "developing") == [
        "Partnership details are publicised and basic targets are identified.",
        "No partner is absent for more than one meeting in an annual cycle.",
        "Governors and Proprietors are aware of their responsibilities.",
        "Short Stay Schools and special schools are members of the partnership.",
        "There are links with primary schools and FE providers.",
    ]
    assert lines(fw, "1.1", "established")[-1] == (
        "There is a clear action plan with measurable steps identified to meet targets – "
        "roles & responsibilities agreed by partnership.")
    # wrapped over three lines in the source, one sentence here
    assert lines(fw, "1.1", "enhancing")[0] == (
        "The partnership of schools works to enable full and sustainable engagement of all "
        "pupils supported by partners.")
    assert len(lines(fw, "1.1", "developed")) == 6


def test_data_bullets_in_1_2(fw: Framework) -> None:
    assert lines(fw, "1.2", "developed")[2:] == [
        "Progress to targets is evaluated.",
        "- reduction in the need for exclusion either permanent or repeat fixed term,",
        "- improved level of attendance and reduced PA",
        "- impact of early interventions – around attendance/behaviour",
        "- success of managed moves.",
    ]
    enhancing = lines(fw, "1.2", "enhancing")
    assert enhancing[1] == "Consistent key outcome measurements:"
    assert len([line for line in enhancing if line.startswith("- ")]) == 8
    assert enhancing[-1] == "- Ofsted behaviour, attendance and PSD grades."


def test_early_intervention_lists_in_2_4(fw: Framework) -> None:
    developed = lines(fw, "2.4", "developed")
    assert developed[3] == ("The partnership can clearly demonstrate that early intervention is "
                            "reducing or maintaining low rates in at least 50 % of the following:")
    assert developed[4:] == EARLY_INTERVENTION_MEASURES
    established = lines(fw, "2.4", "established")
    assert established[1].endswith("in at least 75% of the following:")
    assert established[2:] == EARLY_INTERVENTION_MEASURES
    enhancing = lines(fw, "2.4", "enhancing")
    assert enhancing[0].endswith("in all of the following:")
    assert enhancing[1:] == EARLY_INTERVENTION_MEASURES
    assert lines(fw, "2.4", "developing")[-1] == (
        "Progression Guidance 2009/10 is used to support pupils to access appropriate "
        "learning and assess progress")


def test_wording_across_the_document(fw: Framework) -> None:
    assert lines(fw, "1.4", "developed")[1:] == [
        "75% to 89% of pupils who need support from the protocol have access to 380 sessions, "
        "or the proportionate number, of education.",
        "11% to 15% of pupils who need support from the Fair Access Protocol have access to "
        "360 sessions, or the proportionate number, of education.",
        "1% to 10% of pupils who need support from the Fair Access Protocol have access to "
        "350 sessions, or the proportionate number, of education.",
    ]
    assert lines(fw, "2.1", "established")[1].endswith(
        "functional skills, behaviour and attendance,")
    assert lines(fw, "2.7", "developing") == [
        "Engagement of the partnership with primary schools exists but is limited to individual "
        "initiatives and focus i.e, Transition days and term time holidays."]
    assert lines(fw, "2.6", "developed")[-1] == (
        "Pupil, parents, staff and community have active participation")
    assert lines(fw, "3.3", "developing")[0].endswith(
        "Completed CAF’s are responded to and the level of support acknowledged.")
    assert lines(fw, "3.2", "enhancing") == [
        "Partnerships commission quality AP in cooperation with the LA/CS.",
        "Short Stay School and AP represent clear value for money.",
        "Short Stay School undertake preventative work. This is enabled by the reduction in PEX.",
        "School Partnership has agreed funding mechanism to enable Short Stay School to "
        "undertake preventative /short term work with pupils.",
    ]
    assert lines(fw, "4.2", "enhancing")[-1] == (
        "Access to training across a range of stakeholders –including community and voluntary "
        "services")
    assert lines(fw, "4.4", "enhancing") == ["Partnerships share effective practice in regions."]


def test_typos_fixed(fw: Framework) -> None:
    assert "qualitative and quantitative data" in lines(fw, "1.3", "established")[0]
    assert "a system for practitioners to celebrate" in lines(fw, "4.4", "developed")[0]
    for level, share in zip(LEVELS, ["Between 50% and 84%", "85% to 90%", "91% to 95%",
                                     "96% to 100%"], strict=True):
        [line] = [x for x in lines(fw, "3.1", level) if x.startswith(share)]
        assert "remains on the roll of the new school" in line
    text = "\n".join(d for c in fw.criteria() for d in (c.descriptors or {}).values())
    for typo in ("quantative", "practioners", "on the role of", "disporportionality"):
        assert typo not in text


# ---------------------------------------------------------------- rules


def test_empty_visit_profiles_every_strand_as_not_rated(host: PluginHost, fw: Framework) -> None:
    findings = evaluate(host, fw, visit())
    assert [(f.code, f.item_id, f.severity, f.message) for f in findings] == [
        ("ba-sef.profile", "1", "info", "Strand 1 (Leadership and management of partnerships): "
                                        "6 not rated"),
        ("ba-sef.profile", "2", "info", "Strand 2 (Quality first provision in schools): "
                                        "8 not rated"),
        ("ba-sef.profile", "3", "info", "Strand 3 (Access to additional or alternative provision): "
                                        "3 not rated"),
        ("ba-sef.profile", "4", "info", "Strand 4 (Opportunities to share skills and expertise "
                                        "and the provision of ongoing CPD): 4 not rated"),
    ]


def test_profile_counts_levels_low_to_high(host: PluginHost, fw: Framework) -> None:
    v = visit(**{
        "1.3": rated("1.3", "established"),
        "1.1": rated("1.1", "developing", "Attendance at meetings"),
        "1.2": rated("1.2", "developing", "Termly data"),
        "3.1": rated("3.1", "enhancing"),
        "3.2": rated("3.2", "developed", "Directory of provision"),
        "3.3": rated("3.3", "established"),
    })
    profiles = {f.item_id: f.message for f in by_code(evaluate(host, fw, v), "ba-sef.profile")}
    assert profiles["1"] == ("Strand 1 (Leadership and management of partnerships): "
                             "2 developing, 1 established, 3 not rated")
    assert profiles["3"] == ("Strand 3 (Access to additional or alternative provision): "
                             "1 developed, 1 established, 1 enhancing")
    assert profiles["2"].endswith(": 8 not rated")


def test_profile_counts_unknown_or_cleared_levels_as_not_rated(
        host: PluginHost, fw: Framework) -> None:
    v = visit(**{
        "4.1": rated("4.1", "outstanding"),
        "4.2": rated("4.2", None),
        "4.3": rated("4.3", "enhancing"),
    })
    [profile] = [f for f in evaluate(host, fw, v) if f.item_id == "4"]
    assert profile.message.endswith(": 1 enhancing, 3 not rated")


def test_low_rating_without_development_focus_is_flagged(host: PluginHost, fw: Framework) -> None:
    v = visit(**{"2.4": rated("2.4", "developing")})
    [warning] = by_code(evaluate(host, fw, v), "ba-sef.focus-missing")
    assert warning.severity == "warning"
    assert warning.item_id == "2.4"
    assert warning.message == (
        "2.4 Strategies for early intervention: rated Developing, no development focus")


def test_focus_rule_cases(host: PluginHost, fw: Framework) -> None:
    v = visit(**{
        "1.5": rated("1.5", "developed", "   "),               # blank: flagged
        "1.6": rated("1.6", "developed", "Day 1 provision"),   # has a focus
        "2.1": rated("2.1", "established"),                    # higher levels need none
        "2.2": rated("2.2", "enhancing", ""),
        "2.3": rated("2.3", None),                             # not rated yet
        "4.4": Judgement(item_id="4.4", level="developing",
                         fields={"other": "Sharing what works"}),
    })
    warnings = by_code(evaluate(host, fw, v), "ba-sef.focus-missing")
    assert [(w.item_id, w.message) for w in warnings] == [
        ("1.5", "1.5 Guidance on use of managed moves and the involvement of parents: "
                "rated Developed, no development focus"),
        ("4.4", "4.4 Sharing what works: rated Developing, no development focus"),
    ]


def test_rules_ignore_other_frameworks(host: PluginHost, fw: Framework) -> None:
    other = fw.model_copy(update={"id": "other-framework"})
    v = visit(**{"2.4": rated("2.4", "developing")})
    assert assessor_ba_sef.evaluate_visit(v, other) is None
    assert host.evaluate(v, other) == []
    assert host.plugins["ba-sef"].status == "ok"
