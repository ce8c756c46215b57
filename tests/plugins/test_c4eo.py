"""The C4EO plugin: its transcription of the schools and communities summary, and its rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import assessor_c4eo
from assessor_tui.domain.findings import Finding
from assessor_tui.domain.visit import Answer, School, Visit
from assessor_tui.frameworks.model import Point, TextPrompt
from assessor_tui.plugins.host import PluginHost, load_host

if TYPE_CHECKING:
    from assessor_tui.frameworks.model import Framework

FID = "c4eo-schools-communities"
QUESTIONS = [f"q{n}" for n in range(1, 8)]
PRIORITIES = ["priority-1", "priority-2", "priority-3"]


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return load_host(entry_points=False, plugins=[(FID, assessor_c4eo)])


@pytest.fixture(scope="module")
def fw(host: PluginHost) -> Framework:
    framework = host.framework(FID)
    assert framework is not None
    return framework


def visit(*answers: Answer) -> Visit:
    return Visit(id="v1", framework_id=FID, framework_version="2010-09-07",
                 school=School(name="Hillside Academy"),
                 answers={a.item_id: a for a in answers})


def answered(*ids: str) -> list[Answer]:
    return [Answer(item_id=i, text="Agreed with the head teacher") for i in ids]


def rated(level: str | None = "developing", *ids: str) -> list[Answer]:
    return [Answer(item_id=i, level=level) for i in (ids or PRIORITIES)]


def prompt(fw: Framework, item_id: str) -> TextPrompt:
    item = fw.item(item_id)
    assert isinstance(item, TextPrompt)
    return item


# ---------------------------------------------------------------- registration


def test_plugin_loads_and_registers_the_framework(host: PluginHost) -> None:
    info = host.plugins[FID]
    assert info.status == "ok", info.reason
    assert info.frameworks == [FID]
    assert host.frameworks[FID].owner == FID


def test_header(fw: Framework) -> None:
    assert fw.version == "2010-09-07"
    assert fw.title == "Schools and communities: Directors' and head teachers' summary"
    assert "Centre for Excellence and Outcomes in Children and Young People's Services" in (
        fw.publisher)
    assert "7 September 2010" in fw.source
    assert fw.description is not None
    assert "Not in the source" in fw.description


# ---------------------------------------------------------------- transcription


def test_sections_and_items(fw: Framework) -> None:
    assert [(s.id, s.title, [i.id for i in s.items]) for s in fw.sections] == [
        ("priorities", "The three priorities", PRIORITIES),
        ("next", "What do you want to do next?", [*QUESTIONS, "who-has-information"]),
    ]
    assert all(i.kind == "text" for _, i in fw.items())
    assert fw.criteria() == []


def test_priorities_verbatim_with_progress_scale(fw: Framework) -> None:
    section = fw.section("priorities")
    assert section is not None
    assert section.text == "Within the theme of Schools and Communities there are three priorities:"
    assert [prompt(fw, p).title for p in PRIORITIES] == [
        "Closing the gap in educational achievement and improving emotional resilience for "
        "children and young people with additional needs",
        "Ensuring children and young people make sustained progress and remain fully engaged "
        "through all transitions between key stages",
        "Strengthening family wellbeing and community cohesion through the role of schools "
        "and extended services",
    ]
    assert all(prompt(fw, p).scale == "c4eo-progress" for p in PRIORITIES)
    assert all(prompt(fw, q).scale is None for q in QUESTIONS)
    scale = fw.scale("c4eo-progress")
    assert scale is not None
    assert [(lv.id, lv.label) for lv in scale.levels] == [
        ("not-yet", "Not yet addressed"), ("developing", "Developing"), ("secure", "Secure")]


def test_framing_question(fw: Framework) -> None:
    section = fw.section("next")
    assert section is not None
    assert section.text == (
        "How will you ensure that the importance of closing the gap in achievement of "
        "vulnerable and disadvantaged children and young people is understood as a priority, "
        "and the links between that and effective transition, family wellbeing and community "
        "cohesion are recognised and addressed in your local area?")


def test_question_titles(fw: Framework) -> None:
    assert [prompt(fw, q).title for q in QUESTIONS] == [
        "What is your vision for the schools in your local area? What are your aspirations "
        "for the children who attend them? What impact do you want to have?",
        "What would the results and impact be if you could see or experience them?",
        "And how can you measure them?",
        "Where are you now? How are you currently doing on the most important measures?",
        "Who are the partners for improvement? Who from local Children's services and the "
        "Local Strategic Partnership should be at the table?",
        "What really works to improve the results and impact that you want?",
        "What do you propose to do next?",
    ]


def test_examples_as_hints(fw: Framework) -> None:
    q1, q2 = prompt(fw, "q1"), prompt(fw, "q2")
    assert q1.hint is not None and q2.hint is not None
    assert q1.hint.startswith("For example: The majority of schools offer extended services")
    assert q1.hint.endswith("their schools and the community.")
    assert "(e.g. ensure attendance and homework completed, attend parents evenings)" in q2.hint
    assert q2.hint.endswith("strengthen links with families and the local community.")


def test_q3_indicators(fw: Framework) -> None:
    q3 = prompt(fw, "q3")
    assert q3.text == (
        "The indicators for measuring results and impact emerge from descriptions of the "
        "experience. Appropriate indicators from the National Indicators Set, can be "
        "selected, for example")
    assert q3.points == (
        "NI 72-102 personal, social and emotional development, and communication language "
        "and literacy; achievement gaps",
        "NI 50 emotional health of children",  # "N1 50" in the source
        "NI 52 take-up of school lunches",
        "NI 69 children who have experienced bullying",
    )
    assert q3.guidance is not None
    assert q3.guidance.startswith("www.communities.gov.uk/documents/localgovernment\n\n")
    assert q3.guidance.endswith("to provide feedback to your local communities.")


def test_q5_partners_and_who_has_the_information(fw: Framework) -> None:
    q5 = prompt(fw, "q5")
    assert len(q5.points) == 5
    assert q5.points[2] == (
        "head teachers and virtual school heads; teaching, child care and support staff")
    assert q5.points[-1] == "local community leaders."
    who = prompt(fw, "who-has-information")
    assert who.title == "Who has the information you need?"
    assert len(who.points) == 7
    assert who.points[2] == (
        "school leaders (Head teachers, principals) and leaders of extended services in "
        "schools, school and service teachers/staff, school governors")
    assert who.points[-1] == "national policy makers."


def test_guidance_paragraphs(fw: Framework) -> None:
    q4, q6, q7 = prompt(fw, "q4"), prompt(fw, "q6"), prompt(fw, "q7")
    assert q4.guidance is not None and q4.guidance.startswith(
        "The web-based C4EO Progress Mapping tool")
    assert q6.guidance is not None
    assert "a 'turning the curve' exercise on the measures where improvement is needed." in (
        q6.guidance)
    assert "\n\nwww.c4eo.org.uk/obatoolkit/default.aspx\n\n" in q6.guidance
    assert q6.guidance.endswith("available from C4EO to support this work on request.")
    assert q7.guidance is not None
    assert "(This is available in the OBA toolkit on the C4EO website.)" in q7.guidance
    assert q7.guidance.endswith("under Validated Local Practice on the C4EO website.")


def test_context(fw: Framework) -> None:
    assert [g.id for g in fw.context] == [
        "quotations", "what-do-we-know", "key-messages-closing-the-gap",
        "key-messages-transition", "key-messages-family-wellbeing", "directors-summaries",
        "c4eo-support"]
    quotes = fw.context[0].points
    assert quotes[0] == "'It takes a whole village to raise a child' (African Proverb)"
    assert isinstance(quotes[1], str)
    assert quotes[1].endswith("Michael Gove, Secretary of State for Education, July 2010")
    assert isinstance(quotes[2], str) and quotes[2].endswith("(Desforges 03)")


def test_what_do_we_know_nests_its_last_list(fw: Framework) -> None:
    points = fw.context[1].points
    assert len(points) == 4
    last = points[3]
    assert isinstance(last, Point)
    assert last.text.endswith("Schools and services should:")
    assert last.points == (
        "build strong home-school links",
        "use the relevant data to inform the development of preventative interventions "
        "which match the needs of their local area.")


def _shape(points: tuple[str | Point, ...]) -> list[int | str]:
    """Each point as the number of its sub-points, or 'p' for a plain paragraph."""
    return [len(p.points) if isinstance(p, Point) else "p" for p in points]


def test_key_messages_keep_every_list_in_order(fw: Framework) -> None:
    gap, transition, family = fw.context[2:5]
    assert gap.title.endswith("improving emotional resilience for children with additional needs")
    assert _shape(gap.points) == [6, 2, 2, "p", 2]
    assert _shape(transition.points) == ["p", "p", "p", 5, 3]
    assert _shape(family.points) == [3, "p", 2, 2]
    first = gap.points[0]
    assert isinstance(first, Point)
    assert first.text == "Children's services should be driven by the determination to:"
    assert first.points[-1] == "identify additional needs and intervene early to address them."
    practice = transition.points[4]
    assert isinstance(practice, Point)
    assert "curriculum-bridging, school-linking, and buddy/mentoring schemes" in (
        practice.points[1])
    leaders = family.points[3]
    assert isinstance(leaders, Point)
    assert leaders.points == (
        "sharing good practice",
        "providing support and training to motivate schools that have made less progress in "
        "providing extended services.")


def test_directors_summaries_and_support(fw: Framework) -> None:
    summaries, support = fw.context[5:7]
    assert summaries.text is not None
    assert summaries.text.endswith(
        "Please go to www.c4eo.org.uk to download full and in-depth versions.")
    offer = support.points[0]
    assert isinstance(offer, Point)
    assert offer.points == (
        "validated local practice", "knowledge workshops",
        "sector specialists providing tailored support",
        "knowledge and research reviews including key messages from research.")
    assert support.points[1] == "Please go to www.c4eo.org.uk to access full information."


# ---------------------------------------------------------------- rules


def test_other_frameworks_are_left_alone(fw: Framework) -> None:
    other = fw.model_copy(update={"id": "someone-else"})
    assert assessor_c4eo.evaluate_visit(visit(), other) is None


def test_empty_visit(host: PluginHost, fw: Framework) -> None:
    assert host.evaluate(visit(), fw) == [
        Finding(f"{FID}.unanswered", "Q1, Q2, Q3, Q4, Q5, Q6, Q7 not answered yet", "warning"),
        Finding(f"{FID}.no-progress", "Priorities 1, 2, 3 have no progress level yet",
                "warning"),
    ]


def test_lists_only_unanswered_questions(host: PluginHost, fw: Framework) -> None:
    answers = [*answered("q1", "q2", "q3", "q5", "q7"), *rated()]
    assert host.evaluate(visit(*answers), fw) == [
        Finding(f"{FID}.unanswered", "Q4, Q6 not answered yet", "warning")]


def test_blank_answer_is_unanswered(host: PluginHost, fw: Framework) -> None:
    answers = [*answered(*QUESTIONS[:-1]), Answer(item_id="q7", text="  \n\t"), *rated()]
    assert [f.message for f in host.evaluate(visit(*answers), fw)] == ["Q7 not answered yet"]


def test_who_has_information_is_not_a_question(host: PluginHost, fw: Framework) -> None:
    answers = [*answered(*QUESTIONS), *rated()]
    assert host.evaluate(visit(*answers), fw) == []


def test_q3_answer_is_not_judged_on_its_content(host: PluginHost, fw: Framework) -> None:
    answers = [*answered(*QUESTIONS), *rated(),
               Answer(item_id="q3", text="We will ask the pupils how they feel.")]
    assert host.evaluate(visit(*answers), fw) == []


def test_priorities_without_a_level(host: PluginHost, fw: Framework) -> None:
    answers = [*answered(*QUESTIONS), *rated("secure", "priority-1"),
               Answer(item_id="priority-2", text="Transition plan in draft", level=None),
               *rated("excellent", "priority-3")]  # not a level of the scale
    assert host.evaluate(visit(*answers), fw) == [
        Finding(f"{FID}.no-progress", "Priorities 2, 3 have no progress level yet", "warning")]


def test_one_priority_without_a_level(host: PluginHost, fw: Framework) -> None:
    answers = [*answered(*QUESTIONS), *rated("not-yet", "priority-1", "priority-3")]
    assert [f.message for f in host.evaluate(visit(*answers), fw)] == [
        "Priority 2 has no progress level yet"]
