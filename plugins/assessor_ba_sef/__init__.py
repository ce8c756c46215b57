"""The B&A partnership self-evaluation framework (ba-sef) and its rating-profile rules."""

from __future__ import annotations

from collections import Counter
from importlib.resources import files
from typing import TYPE_CHECKING

from assessor_ba_sef import report
from assessor_tui.plugin_api import (
    Block,
    CommandResult,
    Criterion,
    Finding,
    Framework,
    Scale,
    Section,
    Visit,
    hookimpl,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from importlib.resources.abc import Traversable

FRAMEWORK_ID = "ba-sef"
ASSESSOR_API = ">=1.1,<2"
"""The plugin API versions this plugin works with (1.1: commands)."""
SCALE_ID = "ba-level"
FOCUS_FIELD = "development-focus"
NEEDS_FOCUS = frozenset({"developing", "developed"})
"""The two lower levels: a partnership rated there should say what it will develop next."""


@hookimpl
def register_frameworks(register: Callable[[Traversable], None]) -> None:
    """Provide the framework file shipped inside this package."""
    register(files(__name__) / f"{FRAMEWORK_ID}.yaml")


@hookimpl
def register_panels(register: Callable[[str, str, str], None]) -> None:
    """The profile panel, by import path: only the app imports it."""
    register(FRAMEWORK_ID, "B&A profile: ratings per strand", f"{__name__}.tui:ProfilePanel")


@hookimpl
def register_commands(register: Callable[..., None]) -> None:
    """For the command palette: the way round the sub-elements still to rate."""
    register(FRAMEWORK_ID, "Jump to the next sub-element without a rating", next_unrated)


def next_unrated(visit: Visit, framework: Framework, current: str | None) -> CommandResult:
    """The first sub-element after the assessor's item, wrapping round, with no rating.

    A level the scale does not know (a record made against another version) is no rating,
    as in the profile.
    """
    scale = framework.scale(SCALE_ID)
    known = {level.id for level in scale.levels} if scale else set()
    rated = [c for c in framework.criteria() if c.scale == SCALE_ID]
    unrated = {c.id for c in rated if visit.level(c.id) not in known}
    if not unrated:
        return CommandResult(message=f"All {len(rated)} sub-elements have a rating.")
    target = framework.next_item(current, unrated)
    assert target is not None  # unrated holds ids of this framework's items
    item = framework.item(target)
    title = item.title if item else target
    return CommandResult(
        jump_to=target,
        message=f"{target} {title}: not rated ({len(unrated)} of {len(rated)} without a rating)",
    )


@hookimpl
def evaluate_visit(visit: Visit, framework: Framework) -> list[Finding] | None:
    """One rating profile per strand, then a warning for each low rating left without a focus.

    The profile lets the assessor see at a glance how far each strand has been
    judged; the warnings catch the sub-elements the self-evaluation must act on.
    """
    if framework.id != FRAMEWORK_ID:
        return None
    scale = framework.scale(SCALE_ID)
    if scale is None:  # a foreign file reusing our id: nothing to say about it
        return []
    findings: list[Finding] = []
    for section in framework.sections:
        criteria = _rated_criteria(section)
        if criteria:
            findings.append(_profile(visit, section, criteria, scale))
    for criterion in framework.criteria():
        if criterion.scale == SCALE_ID:
            finding = _missing_focus(visit, criterion, scale)
            if finding is not None:
                findings.append(finding)
    return findings


def _rated_criteria(section: Section) -> list[Criterion]:
    """The sub-elements of a strand; membership and outcome sections have none."""
    return [
        item for item in section.items if isinstance(item, Criterion) and item.scale == SCALE_ID
    ]


def _profile(visit: Visit, section: Section, criteria: list[Criterion], scale: Scale) -> Finding:
    """'Strand 1 (…): 2 developing, 1 established, 3 not rated', levels low to high.

    A level the scale does not know (a record made against another version)
    counts as not rated, so the total always equals the number of sub-elements.
    """
    known = {level.id for level in scale.levels}
    counts = Counter(visit.level(c.id) if visit.level(c.id) in known else None for c in criteria)
    parts = [
        f"{counts[level.id]} {level.label.lower()}" for level in scale.levels if counts[level.id]
    ]
    if counts[None]:
        parts.append(f"{counts[None]} not rated")
    return Finding(
        code=f"{FRAMEWORK_ID}.profile",
        message=f"Strand {section.id} ({section.title}): {', '.join(parts)}",
        severity="info",
        item_id=section.id,
    )


def _missing_focus(visit: Visit, criterion: Criterion, scale: Scale) -> Finding | None:
    """A Developing or Developed rating with no development focus written down."""
    judgement = visit.judgements.get(criterion.id)
    if judgement is None or judgement.level not in NEEDS_FOCUS:
        return None
    if judgement.fields.get(FOCUS_FIELD, "").strip():
        return None
    level = scale.level(judgement.level)
    label = level.label if level is not None else judgement.level
    return Finding(
        code=f"{FRAMEWORK_ID}.focus-missing",
        message=f"{criterion.id} {criterion.title}: rated {label}, no development focus",
        severity="warning",
        item_id=criterion.id,
    )


# ---------------------------------------------------------------- report


@hookimpl
def report_sections(visit: Visit, framework: Framework) -> list[Block] | None:
    """The record of visit's body for this framework (see report.py)."""
    return report.sections(visit, framework)
