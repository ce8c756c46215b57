"""Norfolk SIPP framework: four link-adviser visits, and checks on each visit's record."""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

from assessor_norfolk_sipp import report
from assessor_tui.plugin_api import (
    ActionPoint,
    Actions,
    Block,
    Checklist,
    CommandResult,
    Finding,
    Framework,
    TextPrompt,
    Visit,
    VisitType,
    hookimpl,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from importlib.resources.abc import Traversable
    from pathlib import Path

FRAMEWORK_ID = "norfolk-sipp"
ASSESSOR_API = ">=1.1,<2"
"""The plugin API versions this plugin works with (1.1: commands)."""

RECORD_PROMPTS = (("summary", "summary of activities"), ("evaluation", "evaluation"))
"""The record-of-visit prompts every recorded visit must fill: the source's key principle says
the record "will summarise the activities undertaken during the visit, be evaluative". Each is
the text item ``<visit type id>-<suffix>``."""


@hookimpl
def register_frameworks(register: Callable[[Framework | Path | Traversable], None]) -> None:
    """Provide the framework file shipped beside this module."""
    register(files(__name__) / f"{FRAMEWORK_ID}.yaml")


@hookimpl
def evaluate_visit(visit: Visit, framework: Framework) -> list[Finding] | None:
    """What the assessor must still do before the record of a Norfolk visit is complete."""
    if framework.id != FRAMEWORK_ID:
        return None
    visit_type = framework.visit_type(visit.visit_type) if visit.visit_type else None
    findings = [*_recommendations(visit, framework, visit_type),
                *_action_points(visit, framework, visit_type)]
    if visit_type is None:
        findings.append(_no_visit_type(visit, framework))
    elif visit_type.record == "required":
        findings.extend(_record_completeness(visit, framework, visit_type))
    elif visit_type.record == "feedback-form":
        findings.append(Finding(
            code=f"{FRAMEWORK_ID}.no-record",
            message="no record of visit: this is a matter for governors; "
                    "leave the feedback form with them",
            severity="info",
        ))
    return findings


def _action_points(visit: Visit, framework: Framework,
                   visit_type: VisitType | None) -> Iterator[Finding]:
    """Agreed action points need an owner and a due date, or nobody follows them up.

    Numbered by position (1-based), as the record of visit lists them.
    """
    default_item = _actions_item(framework, visit_type)
    for number, action in enumerate(visit.actions, start=1):
        item = _owning_item(framework, action) or default_item
        item_id = item.id if item is not None else action.item_id
        if (item is None or item.require_owner) and not action.owner.strip():
            yield Finding(code=f"{FRAMEWORK_ID}.action-owner",
                          message=f"action point {number} has no owner",
                          severity="problem", item_id=item_id)
        if (item is None or item.require_due) and action.due is None:
            yield Finding(code=f"{FRAMEWORK_ID}.action-due",
                          message=f"action point {number} has no due date",
                          severity="problem", item_id=item_id)


def _recommendations(visit: Visit, framework: Framework,
                     visit_type: VisitType | None) -> Iterator[Finding]:
    """Key recommendations, as the record lists them, need an owner and a date too."""
    prompt = framework.item(f"{visit_type.id}-recommendations") if visit_type else None
    item_id = prompt.id if prompt is not None else None
    for number, rec in enumerate(visit.recommendations, start=1):
        if not rec.owner.strip():
            yield Finding(code=f"{FRAMEWORK_ID}.recommendation-owner",
                          message=f"recommendation {number} has no owner",
                          severity="problem", item_id=item_id)
        if rec.due is None:
            yield Finding(code=f"{FRAMEWORK_ID}.recommendation-due",
                          message=f"recommendation {number} has no due date",
                          severity="problem", item_id=item_id)


def _owning_item(framework: Framework, action: ActionPoint) -> Actions | None:
    item = framework.item(action.item_id) if action.item_id else None
    return item if isinstance(item, Actions) else None


def _actions_item(framework: Framework, visit_type: VisitType | None) -> Actions | None:
    """The visit's own action-points item, for actions not filed under one."""
    if visit_type is None:
        return None
    for section_id in visit_type.sections:
        section = framework.section(section_id)
        for item in section.items if section else ():
            if isinstance(item, Actions):
                return item
    return None


def _record_completeness(visit: Visit, framework: Framework,
                         visit_type: VisitType) -> Iterator[Finding]:
    """Visits 1-3 end in a record of visit; an empty summary or evaluation is not one.

    The visit-wide summary counts as the summary of activities, so an assessor who wrote
    it there is not told it is missing.
    """
    for suffix, label in RECORD_PROMPTS:
        item_id = f"{visit_type.id}-{suffix}"
        if framework.item(item_id) is None:
            continue
        answer = visit.answers.get(item_id)
        text = answer.text if answer is not None else ""
        if suffix == "summary" and not text.strip():
            text = visit.summary
        if not text.strip():
            yield Finding(code=f"{FRAMEWORK_ID}.record-incomplete",
                          message=f"record of visit has no {label}",
                          severity="warning", item_id=item_id)


def _no_visit_type(visit: Visit, framework: Framework) -> Finding:
    """Without a visit type the app cannot tell which agenda and record apply."""
    known = ", ".join(vt.id for vt in framework.visit_types)
    if visit.visit_type:
        message = f"unknown visit type '{visit.visit_type}'; this programme has {known}"
    else:
        message = f"no visit type chosen: pick one of {known} to know which record is due"
    return Finding(code=f"{FRAMEWORK_ID}.visit-type", message=message, severity="warning")


# ---------------------------------------------------------------- commands


@hookimpl
def register_commands(register: Callable[..., None]) -> None:
    """For the command palette: what the link adviser does at the end of a visit."""
    register(FRAMEWORK_ID, "Draft the summary of activities from the ticked agenda",
             draft_summary)


def draft_summary(visit: Visit, framework: Framework) -> CommandResult:
    """Add each ticked agenda item to the record's summary of activities, one line each.

    The record "will summarise the activities undertaken during the visit": the agenda
    items ticked off are those activities, in the agenda's order and wording, for the
    assessor to edit into their own words. Lines already in the summary are not added
    again, so running it again after ticking more adds only the new ones.
    """
    visit_type = framework.visit_type(visit.visit_type) if visit.visit_type else None
    if visit_type is None:
        return CommandResult(message="Choose the visit type first: it says which agenda applies.")
    summary = framework.item(f"{visit_type.id}-summary")
    agenda = _agenda(framework, visit_type)
    if not isinstance(summary, TextPrompt) or agenda is None:
        return CommandResult(message=f"{visit_type.title} has no summary of activities to draft.")
    ticked = set(visit.ticks.get(agenda.id, ()))
    answer = visit.answers.get(summary.id)
    text = answer.text if answer is not None else ""
    lines = [f"- {entry.text}" for entry in agenda.items
             if entry.id in ticked and entry.text not in text]
    if not ticked:
        return CommandResult(jump_to=agenda.id,
                             message="No agenda item is ticked yet: tick what was covered first.")
    if not lines:
        return CommandResult(jump_to=summary.id,
                             message="Every ticked agenda item is in the summary already.")
    drafted = "\n".join([text.rstrip(), *lines] if text.strip() else lines)
    item_id = summary.id
    return CommandResult(
        edits=[lambda e: e.set_answer(item_id, drafted)],
        jump_to=item_id,
        message=f"{len(lines)} ticked agenda item{'s' if len(lines) != 1 else ''} added to the "
                "summary of activities: put them in your own words.",
    )


def _agenda(framework: Framework, visit_type: VisitType) -> Checklist | None:
    for section_id in visit_type.sections:
        section = framework.section(section_id)
        for item in section.items if section else ():
            if isinstance(item, Checklist):
                return item
    return None


# ---------------------------------------------------------------- report


@hookimpl
def report_sections(visit: Visit, framework: Framework) -> list[Block] | None:
    """The record of visit's body for this framework (see report.py)."""
    return report.sections(visit, framework)


@hookimpl
def check_record(visit: Visit, framework: Framework) -> list[Finding] | None:
    """The quality check before a record is sent (see report.py)."""
    return report.check(visit, framework)
