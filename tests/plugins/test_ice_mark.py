"""The ICE Mark plugin: its transcription of the SSAT source, and its rules on a visit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import assessor_ice_mark
from assessor_tui.domain.findings import Finding
from assessor_tui.domain.visit import Judgement, School, Visit
from assessor_tui.frameworks.model import Criterion
from assessor_tui.plugins.host import PluginHost, load_host

if TYPE_CHECKING:
    from assessor_tui.frameworks.model import Framework

SECTORS = ("primary-schools", "secondary-school", "employers", "further-education",
           "higher-education", "statutory-agencies", "voluntary-organisations")
KEY_COUNT = 30


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return load_host(entry_points=False, plugins=[("ice-mark", assessor_ice_mark)])


@pytest.fixture(scope="module")
def fw(host: PluginHost) -> Framework:
    framework = host.framework("ice-mark")
    assert framework is not None
    return framework


def visit(**judgements: Judgement) -> Visit:
    return Visit(id="v1", framework_id="ice-mark", framework_version="1",
                 school=School(name="Northgate High"), judgements=judgements)


def sectors(*ticked: str, level: str | None = None) -> Visit:
    return visit(**{"partnerships-1": Judgement(
        item_id="partnerships-1", level=level, checked=ticked)})


def codes(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


# ---------------------------------------------------------------- registration


def test_plugin_loads_and_registers_the_framework(host: PluginHost) -> None:
    info = host.plugins["ice-mark"]
    assert info.status == "ok", info.reason
    assert info.frameworks == ["ice-mark"]
    assert set(info.hooks) == {
        "register_frameworks", "evaluate_visit", "report_sections", "register_commands"}
    assert host.frameworks["ice-mark"].owner == "ice-mark"


def test_header(fw: Framework) -> None:
    assert fw.title == "Investing in Community Engagement ICE Mark"
    assert "SSAT" in fw.publisher
    assert "Specialist Schools and Academies Trust" in fw.source
    assert fw.description is not None
    assert "Not in the source" in fw.description


# ---------------------------------------------------------------- transcription


def test_five_areas_in_the_source_order(fw: Framework) -> None:
    assert [(s.id, s.title, len(s.items)) for s in fw.sections] == [
        ("partnerships", "Extent and Quality of Partnerships", 7),
        ("leadership",
         "Effectiveness and efficiency of organisation, leadership and management", 8),
        ("learning", "Enhancement and achievement of learning for all", 5),
        ("opportunities", "Inclusiveness, range and responsiveness of community opportunities", 8),
        ("capacity", "Capacity for future impact", 6),
    ]


def test_criterion_ids_in_order(fw: Framework) -> None:
    expected = [f"{section}-{n}" for section, count in
                [("partnerships", 7), ("leadership", 8), ("learning", 5),
                 ("opportunities", 8), ("capacity", 6)]
                for n in range(1, count + 1)]
    assert [c.id for c in fw.criteria()] == expected
    assert all(isinstance(i, Criterion) for _, i in fw.items())
    assert all(c.scale == "ice-validation" for c in fw.criteria())


def test_bold_criteria_are_key(fw: Framework) -> None:
    not_key = [c.id for c in fw.criteria() if not c.key]
    assert not_key == ["leadership-2", "leadership-4", "leadership-6", "leadership-8"]
    assert sum(c.key for c in fw.criteria()) == KEY_COUNT


@pytest.mark.parametrize(("item_id", "text"), [
    ("partnerships-1",
     "The range of partnerships established includes at least FIVE of the following sectors:"),
    ("partnerships-2",
     "Each of these partnerships can demonstrate a track record of at least TWO years "
     "collaborative work."),
    ("partnerships-4",
     "All identified partners have formally reviewed the effectiveness of their partnership "
     "with you within the last 12 months."),
    ("leadership-6",
     "Community engagement is supported by a clearly defined budget equivalent to at least "
     "one-third of the school's specialist funding."),
    ("leadership-8",
     "All key staff and at least 10% of other staff have undertaken development or training "
     "in relation to the school's community engagement within the last twelve months. At "
     "least 90% of these have reported positively on the impact this has had on their work."),
    ("learning-3",
     "All learners, including school students, have access to appropriate, timely, accurate, "
     "and impartial advice and guidance to support their learning in formal and informal "
     "settings."),
    ("learning-5",
     "At least a quarter of school students have had their learning enhanced through the "
     "direct support of and engagement with identified community partners within the last "
     "academic year."),
    ("opportunities-6", "The take-up of provision reflects identified groups."),
    ("opportunities-7",
     "Participant satisfaction with the range and quality of provision is consistently at "
     "least 90%."),
    ("capacity-6",
     "Specialist school community funding is supplemented by other significant external "
     "funding, from which partners also benefit."),
])
def test_criterion_wording(fw: Framework, item_id: str, text: str) -> None:
    item = fw.item(item_id)
    assert item is not None
    assert item.text == text


def test_criterion_text_is_clean(fw: Framework) -> None:
    """No bold marks, stray spaces before commas or unfinished statements reach the assessor."""
    for c in fw.criteria():
        assert c.text is not None, c.id
        assert "**" not in c.text and "  " not in c.text and " ," not in c.text, c.id
        assert c.text == c.text.strip() and c.text[-1] in ".:", c.id
    sectors = fw.item("partnerships-1")
    assert isinstance(sectors, Criterion) and sectors.checklist is not None
    for entry in sectors.checklist.items:
        assert entry.text == entry.text.strip() and not entry.text.endswith("."), entry.id


@pytest.mark.parametrize(("item_id", "threshold"), [
    ("partnerships-1", "at least FIVE"),
    ("partnerships-2", "at least TWO years"),
    ("partnerships-4", "within the last 12 months"),
    ("partnerships-5", "within the last 12 months"),
    ("leadership-6", "at least one-third"),
    ("leadership-8", "at least 10% of other staff"),
    ("leadership-8", "At least 90% of these"),
    ("learning-5", "At least a quarter"),
    ("opportunities-7", "consistently at least 90%"),
])
def test_thresholds_stay_visible_in_the_criterion_text(
        fw: Framework, item_id: str, threshold: str) -> None:
    """The assessor judges against the number itself, so it must be in the text shown."""
    item = fw.item(item_id)
    assert item is not None and item.text is not None
    assert threshold in item.text


def test_sectors_checklist(fw: Framework) -> None:
    item = fw.item("partnerships-1")
    assert isinstance(item, Criterion)
    assert item.checklist is not None
    assert item.checklist.min_checked == 5
    assert [(e.id, e.text) for e in item.checklist.items] == [
        ("primary-schools", "primary schools"),
        ("secondary-school", "secondary school"),
        ("employers", "local employers and business"),
        ("further-education", "further education"),
        ("higher-education", "higher education"),
        ("statutory-agencies", "statutory agencies"),
        ("voluntary-organisations", "voluntary organisations"),
    ]
    assert sum(c.checklist is not None for c in fw.criteria()) == 1


def test_validation_scale(fw: Framework) -> None:
    scale = fw.scale("ice-validation")
    assert scale is not None
    assert [(lv.id, lv.label, lv.unrated) for lv in scale.levels] == [
        ("not-met", "Not met", False), ("partly-met", "Partly met", False),
        ("met", "Met", False), ("not-seen", "Not seen", True),
    ]


def test_context(fw: Framework) -> None:
    assert [g.id for g in fw.context] == [
        "what-is-ice-mark", "aims", "what-is-covered", "strategy-cycle"]
    what, aims, covered, strategy = fw.context
    assert what.points[2] == (
        "An assessor will read the on-line documents and make a 3-hour visit to the school")
    assert len(what.points) == 4
    assert len(aims.points) == 6
    assert aims.points[-1] == "Add value to school's self evaluation process"
    assert covered.title == "What is covered in the ICE Mark?"
    assert covered.points == (
        "The extent and quality of partnerships",
        "Inclusiveness, range and responsiveness of community opportunities – "
        "Auditing, joint planning, clear priorities",
        "Enhancement of teaching and learning for all – All learners achieve more",
        "Effectiveness and efficiency of Leadership and management – Clear aims and purposes "
        "for the schools community role",
        "Capacity for future impact – what are you able to do in the future?",
    )
    assert strategy.text is not None
    assert "A strategy is a process, not a policy" in strategy.text
    assert strategy.points == (
        "Audit – who makes up your community?",
        "Consult – what are their needs?",
        "Implement – use available resources.",
        "Monitor – how to intervene",
        "Evaluate – what were the outcomes?",
        "Build Capacity – Keep it going!",
    )


# ---------------------------------------------------------------- rules


def test_other_frameworks_are_left_alone(fw: Framework) -> None:
    other = fw.model_copy(update={"id": "someone-else"})
    assert assessor_ice_mark.evaluate_visit(sectors(), other) is None


@pytest.mark.parametrize(("ticked", "message", "severity"), [
    ((), "0 of 7 sectors: 5 needed", "warning"),
    (SECTORS[:3], "3 of 7 sectors: 5 needed", "warning"),
    (SECTORS[:4], "4 of 7 sectors: 5 needed", "warning"),
    (SECTORS[:5], "5 of 7 sectors (5 needed)", "info"),
    (SECTORS[:6], "6 of 7 sectors (5 needed)", "info"),
    (SECTORS, "7 of 7 sectors (5 needed)", "info"),
])
def test_sectors_count(host: PluginHost, fw: Framework, ticked: tuple[str, ...],
                       message: str, severity: str) -> None:
    found = codes(host.evaluate(sectors(*ticked), fw), "ice-mark.sectors")
    assert found == [Finding("ice-mark.sectors", message, severity, "partnerships-1")]


def test_sectors_without_any_judgement(host: PluginHost, fw: Framework) -> None:
    found = codes(host.evaluate(visit(), fw), "ice-mark.sectors")
    assert [f.message for f in found] == ["0 of 7 sectors: 5 needed"]


def test_unknown_and_repeated_ticks_are_ignored(host: PluginHost, fw: Framework) -> None:
    ticked = (*SECTORS[:4], "sports-clubs", "Primary-Schools", SECTORS[0], "")
    found = codes(host.evaluate(sectors(*ticked, level="met"), fw), "ice-mark.sectors")
    assert [(f.message, f.severity) for f in found] == [("4 of 7 sectors: 5 needed", "warning")]
    problem = codes(host.evaluate(sectors(*ticked, level="met"), fw), "ice-mark.sectors-met")
    assert len(problem) == 1


def test_met_with_too_few_sectors_is_a_problem(host: PluginHost, fw: Framework) -> None:
    found = codes(host.evaluate(sectors(*SECTORS[:3], level="met"), fw), "ice-mark.sectors-met")
    assert found == [Finding(
        "ice-mark.sectors-met", "Judged Met with only 3 of 7 sectors ticked: 5 needed",
        "problem", "partnerships-1")]


@pytest.mark.parametrize(("ticked", "level"), [
    (SECTORS[:5], "met"),
    (SECTORS, "met"),
    (SECTORS[:2], "partly-met"),
    ((), "not-met"),
    ((), "not-seen"),
    ((), None),
])
def test_no_problem_unless_met_is_short(host: PluginHost, fw: Framework,
                                        ticked: tuple[str, ...], level: str | None) -> None:
    findings = host.evaluate(sectors(*ticked, level=level), fw)
    assert codes(findings, "ice-mark.sectors-met") == []
    assert all(f.severity != "problem" for f in findings)


def test_key_criteria_summary_on_an_empty_visit(host: PluginHost, fw: Framework) -> None:
    found = codes(host.evaluate(visit(), fw), "ice-mark.key-criteria")
    assert found == [Finding("ice-mark.key-criteria",
                             "30 of 30 key criteria not yet met: 30 not judged", "info")]


def test_key_criteria_summary_counts_each_level(host: PluginHost, fw: Framework) -> None:
    key = [c.id for c in fw.criteria() if c.key]
    levels = {key[0]: "met", key[1]: "partly-met", key[2]: "partly-met",
              key[3]: "not-met", key[4]: "not-seen", key[5]: "bogus",
              "leadership-2": "not-met"}  # not a key criterion: not counted
    judged = {i: Judgement(item_id=i, level=lv) for i, lv in levels.items()}
    for item_id in key[6:]:
        judged[item_id] = Judgement(item_id=item_id, level="met")
    found = codes(host.evaluate(visit(**judged), fw), "ice-mark.key-criteria")
    assert [f.message for f in found] == [
        "5 of 30 key criteria not yet met: 1 not judged, 1 not met, 2 partly met, 1 not seen"]


def test_all_key_criteria_met(host: PluginHost, fw: Framework) -> None:
    judged = {c.id: Judgement(item_id=c.id, level="met") for c in fw.criteria() if c.key}
    judged["partnerships-1"] = Judgement(item_id="partnerships-1", level="met",
                                         checked=SECTORS[:5])
    findings = host.evaluate(visit(**judged), fw)
    assert findings == [
        Finding("ice-mark.sectors", "5 of 7 sectors (5 needed)", "info", "partnerships-1"),
        Finding("ice-mark.key-criteria", "All 30 key criteria met", "info"),
    ]
