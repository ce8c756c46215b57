"""The community cohesion plugin: its transcription of the six-point framework, and its rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import assessor_community_cohesion
from assessor_tui.domain.findings import Finding
from assessor_tui.domain.visit import Judgement, School, Visit
from assessor_tui.frameworks.model import Criterion
from assessor_tui.plugins.host import PluginHost, load_host

if TYPE_CHECKING:
    from assessor_tui.frameworks.model import Framework

STEPS = ["1a", "1b", "2a", "2b", "2c", "3a", "3b", "3c", "4a", "4b", "5", "6"]


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return load_host(entry_points=False,
                     plugins=[("community-cohesion", assessor_community_cohesion)])


@pytest.fixture(scope="module")
def fw(host: PluginHost) -> Framework:
    framework = host.framework("community-cohesion")
    assert framework is not None
    return framework


def step(item_id: str, level: str | None = "planned", next_steps: str | None = None) -> Judgement:
    fields = {} if next_steps is None else {"next-steps": next_steps}
    return Judgement(item_id=item_id, level=level, fields=fields)


def visit(*judgements: Judgement) -> Visit:
    return Visit(id="v1", framework_id="community-cohesion", framework_version="1",
                 school=School(name="Riverside Primary"),
                 judgements={j.item_id: j for j in judgements})


# ---------------------------------------------------------------- registration


def test_plugin_loads_and_registers_the_framework(host: PluginHost) -> None:
    info = host.plugins["community-cohesion"]
    assert info.status == "ok", info.reason
    assert info.frameworks == ["community-cohesion"]
    assert host.frameworks["community-cohesion"].owner == "community-cohesion"


def test_header_says_what_the_source_does_not(fw: Framework) -> None:
    assert fw.title == "A six-point planning framework to get started with community cohesion"
    assert fw.publisher.startswith("Not named in the source")
    assert "Training and Development Agency" in fw.source
    assert fw.description is not None
    assert fw.description.startswith(
        "This document is based on the Training and Development Agency’s (TDA) School "
        "Improvement Planning Framework, which is a flexible approach to school improvement "
        "that is focused on meeting the Every Child Matters outcomes.")
    assert "Not in the source" in fw.description


# ---------------------------------------------------------------- transcription


def test_six_points(fw: Framework) -> None:
    assert [(s.id, s.title, [i.id for i in s.items]) for s in fw.sections] == [
        ("1", "Preparing and engaging", ["1a", "1b"]),
        ("2", "Identifying objectives", ["2a", "2b", "2c"]),
        ("3", "Developing solutions", ["3a", "3b", "3c"]),
        ("4", "Delivering", ["4a", "4b"]),
        ("5", "Personalising Progress", ["5"]),
        ("6", "Demonstrating impact", ["6"]),
    ]


def test_steps_are_criteria_on_the_progress_scale_with_next_steps(fw: Framework) -> None:
    assert [c.id for c in fw.criteria()] == STEPS
    assert all(isinstance(i, Criterion) for _, i in fw.items())
    for criterion in fw.criteria():
        assert criterion.scale == "cohesion-progress"
        assert [(f.id, f.kind, f.label) for f in criterion.fields] == [
            ("next-steps", "text", "Next steps")]
    scale = fw.scale("cohesion-progress")
    assert scale is not None
    assert [(lv.id, lv.label) for lv in scale.levels] == [
        ("not-started", "Not started"), ("planned", "Planned"),
        ("under-way", "Under way"), ("embedded", "Embedded")]


def test_step_titles_in_sentence_case(fw: Framework) -> None:
    assert [c.title for c in fw.criteria()] == [
        "Initial briefing",
        "Working with the right people",
        "Information and communications",
        "Maintain the emphasis on learning and outcomes",
        "Link to the wider context",
        "Who is involved in the decisions?",
        "Monitoring and evaluation",
        "Training and building involvement",
        "Expand partnerships",
        "A portfolio of information",
        "Personalisation means improved access",
        "Demonstrating impact",
    ]


@pytest.mark.parametrize(("item_id", "text"), [
    ("1a", "Familiarise school leadership with relevant definitions, legal requirements and "
           "guidance material."),
    ("3a", "Decide in which decision-making forum the priorities will be confirmed. Who should "
           "be informed? How will the plans that emerge be linked to other plans in the "
           "school? How will they be documented and made available? The potential role of "
           "pupils in helping to decide on priorities should not be ignored."),
    ("3b", "As specific priorities are agreed, decisions need to be taken regarding which of "
           "them should be separately monitored and evaluated and who should be responsible "
           "for doing this."),
])
def test_step_wording(fw: Framework, item_id: str, text: str) -> None:
    item = fw.item(item_id)
    assert item is not None
    assert item.text == text


def test_long_steps_in_full(fw: Framework) -> None:
    texts = {c.id: c.text or "" for c in fw.criteria()}
    assert "identifying and linking with ‘stakeholders’. Stakeholders are usually" in texts["1b"]
    assert texts["1b"].endswith("linked through common interest or national organisation.")
    assert "cohesion. Partner organisations" in texts["1b"]  # the double space collapsed
    assert "guidance materials – especially the draft audit materials." in texts["2b"]
    assert "National Curriculum ‘Cross-Curriculum Dimensions’ has particular" in texts["2c"]
    assert texts["2c"].endswith("appropriate evidence of progress in a portfolio.")
    assert texts["4b"].startswith("Establishing a portfolio of evidence")
    assert texts["5"].startswith("Monitoring the progress of initiatives")
    assert texts["5"].endswith("is one way to explore this.")


def test_step_six_keeps_its_two_paragraphs(fw: Framework) -> None:
    item = fw.item("6")
    assert item is not None and item.text is not None
    first, second = item.text.split("\n\n")
    assert first.startswith("Ongoing collection of information about the communities")
    assert first.endswith("remain aware of their changing needs.")
    assert second.startswith("The types of information that describe the populations")
    assert second.endswith(
        "available to help form judgements about the progress of community cohesion initiatives.")


def test_closing_note_as_context(fw: Framework) -> None:
    assert [(g.id, g.text) for g in fw.context] == [(
        "further-guidance",
        "Further guidance on using indicators to assess community cohesion will be available "
        "in the second phase of this web resource",
    )]


# ---------------------------------------------------------------- rules


def test_other_frameworks_are_left_alone(fw: Framework) -> None:
    other = fw.model_copy(update={"id": "someone-else"})
    assert assessor_community_cohesion.evaluate_visit(visit(), other) is None


def test_empty_visit_names_every_step(host: PluginHost, fw: Framework) -> None:
    assert host.evaluate(visit(), fw) == [Finding(
        "community-cohesion.not-judged",
        "12 of 12 steps not judged yet: 1a, 1b, 2a, 2b, 2c, 3a, 3b, 3c, 4a, 4b, 5, 6",
        "warning")]


def test_names_only_the_steps_not_judged(host: PluginHost, fw: Framework) -> None:
    judged = [step(s, "embedded", "Keep the portfolio up to date") for s in STEPS
              if s not in ("2c", "4a", "6")]
    findings = host.evaluate(visit(*judged), fw)
    assert findings == [Finding("community-cohesion.not-judged",
                                "3 of 12 steps not judged yet: 2c, 4a, 6", "warning")]


def test_a_level_the_scale_does_not_have_is_not_a_judgement(host: PluginHost,
                                                            fw: Framework) -> None:
    judged = [step(s, "started" if s == "1a" else "under-way", "Agree owners")
              for s in STEPS]
    judged[1] = step("1b", None, "Agree owners")
    findings = host.evaluate(visit(*judged), fw)
    assert [f.message for f in findings] == ["2 of 12 steps not judged yet: 1a, 1b"]


def test_each_judged_step_without_next_steps(host: PluginHost, fw: Framework) -> None:
    judged = [step(s, "planned", "Brief governors in March") for s in STEPS]
    judged[0] = step("1a", "not-started")             # no field at all
    judged[5] = step("3a", "embedded", "   \n ")      # only blanks
    judged[11] = step("6", "under-way", "")           # empty
    findings = host.evaluate(visit(*judged), fw)
    assert findings == [
        Finding("community-cohesion.no-next-steps",
                "1a (Initial briefing): no next steps recorded", "warning", "1a"),
        Finding("community-cohesion.no-next-steps",
                "3a (Who is involved in the decisions?): no next steps recorded", "warning", "3a"),
        Finding("community-cohesion.no-next-steps",
                "6 (Demonstrating impact): no next steps recorded", "warning", "6"),
    ]


def test_unjudged_step_is_not_also_asked_for_next_steps(host: PluginHost,
                                                        fw: Framework) -> None:
    judged = [step(s, "planned", "Review in the summer term") for s in STEPS[1:]]
    judged.append(step("1a", None))
    findings = host.evaluate(visit(*judged), fw)
    assert [f.code for f in findings] == ["community-cohesion.not-judged"]
    assert findings[0].message == "1 of 12 steps not judged yet: 1a"


def test_every_step_judged_with_next_steps_finds_nothing(host: PluginHost,
                                                         fw: Framework) -> None:
    judged = [step(s, "under-way", "Share the audit with staff") for s in STEPS]
    assert host.evaluate(visit(*judged), fw) == []
