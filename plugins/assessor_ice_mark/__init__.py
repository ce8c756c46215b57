"""The SSAT ICE Mark framework, with rules for its partnership sectors and key criteria."""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

from assessor_ice_mark import report
from assessor_tui.plugin_api import (
    Block,
    CommandResult,
    Criterion,
    Finding,
    Framework,
    Visit,
    hookimpl,
)

if TYPE_CHECKING:
    from collections.abc import Callable

FRAMEWORK_ID = "ice-mark"
ASSESSOR_API = ">=1.1,<2"
"""The plugin API versions this plugin works with (1.1: commands)."""
SECTORS_CRITERION = "partnerships-1"
"""The criterion whose checklist holds the seven partnership sectors."""
MET = "met"


@hookimpl
def register_frameworks(register: Callable[..., None]) -> None:
    register(files(__name__) / "ice-mark.yaml")


@hookimpl
def evaluate_visit(visit: Visit, framework: Framework) -> list[Finding] | None:
    if framework.id != FRAMEWORK_ID:
        return None
    return [*_sectors(visit, framework), _key_criteria(visit, framework)]


def _sectors(visit: Visit, framework: Framework) -> list[Finding]:
    """The range-of-partnerships criterion asks for at least five of seven sectors.

    Only ticks naming a sector of the checklist count, so a stale or mistyped
    tick can never make up the number.
    """
    criterion = framework.item(SECTORS_CRITERION)
    if not isinstance(criterion, Criterion) or criterion.checklist is None:
        return []
    checklist = criterion.checklist
    needed = checklist.min_checked or 0
    total = len(checklist.items)
    judgement = visit.judgements.get(SECTORS_CRITERION)
    ticked = set(judgement.checked) if judgement else set()
    count = sum(1 for entry in checklist.items if entry.id in ticked)
    code = f"{FRAMEWORK_ID}.sectors"
    findings = [
        Finding(code, f"{count} of {total} sectors: {needed} needed", "warning",
                SECTORS_CRITERION)
        if count < needed
        else Finding(code, f"{count} of {total} sectors ({needed} needed)", "info",
                     SECTORS_CRITERION)
    ]
    if count < needed and judgement is not None and judgement.level == MET:
        findings.append(Finding(
            f"{FRAMEWORK_ID}.sectors-met",
            f"Judged Met with only {count} of {total} sectors ticked: {needed} needed",
            "problem", SECTORS_CRITERION,
        ))
    return findings


def _key_criteria(visit: Visit, framework: Framework) -> Finding:
    """How far the visit is from every key (bold) criterion being met, and why."""
    key = [c for c in framework.criteria() if c.key]
    scale = framework.scale(key[0].scale) if key else None
    labels = {lv.id: lv.label for lv in scale.levels} if scale else {}
    counts: dict[str, int] = {}
    for criterion in key:
        level = visit.level(criterion.id)
        if level == MET:
            continue
        label = labels.get(level, "not judged") if level else "not judged"
        counts[label.lower()] = counts.get(label.lower(), 0) + 1
    short = sum(counts.values())
    code = f"{FRAMEWORK_ID}.key-criteria"
    if not short:
        return Finding(code, f"All {len(key)} key criteria met", "info")
    order = ["not judged", *(lv.label.lower() for lv in (scale.levels if scale else ()))]
    detail = ", ".join(f"{counts[name]} {name}" for name in order if name in counts)
    return Finding(code, f"{short} of {len(key)} key criteria not yet met: {detail}", "info")


# ---------------------------------------------------------------- commands


@hookimpl
def register_commands(register: Callable[..., None]) -> None:
    """For the command palette: walk through what still stands between the school and the Mark."""
    register(FRAMEWORK_ID, "Jump to the next criterion not yet met", next_not_met)


def next_not_met(visit: Visit, framework: Framework, current: str | None) -> CommandResult:
    """The first criterion after the assessor's item, wrapping round, not judged Met.

    Not judged, Partly met, Not met and Not seen all count: each still stands between the
    school and the Mark, so the assessor can go round the framework until nothing is left.
    """
    criteria = framework.criteria()
    waiting = {c.id for c in criteria if visit.level(c.id) != MET}
    if not waiting:
        return CommandResult(message=f"All {len(criteria)} criteria are met.")
    target = framework.next_item(current, waiting)
    assert target is not None  # waiting holds ids of this framework's items
    criterion = framework.item(target)
    scale = framework.scale(criterion.scale) if isinstance(criterion, Criterion) else None
    level = scale.level(visit.level(target) or "") if scale else None
    state = level.label if level else "not judged"
    title = criterion.title if criterion else target
    return CommandResult(
        jump_to=target,
        message=f"{target} {title}: {state} ({len(waiting)} of {len(criteria)} not yet met)",
    )


# ---------------------------------------------------------------- report


@hookimpl
def report_sections(visit: Visit, framework: Framework) -> list[Block] | None:
    """The record of visit's body for this framework (see report.py)."""
    return report.sections(visit, framework)
