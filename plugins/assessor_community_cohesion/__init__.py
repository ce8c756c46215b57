"""The six-point community cohesion planning framework, with rules for its steps."""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

from assessor_community_cohesion import report
from assessor_tui.plugin_api import Block, Finding, Framework, Visit, hookimpl

if TYPE_CHECKING:
    from collections.abc import Callable

FRAMEWORK_ID = "community-cohesion"
ASSESSOR_API = ">=1.0,<2"
"""The plugin API versions this plugin works with."""
NEXT_STEPS = "next-steps"
"""The field every step records its next steps in."""


@hookimpl
def register_frameworks(register: Callable[..., None]) -> None:
    register(files(__name__) / "community-cohesion.yaml")


@hookimpl
def evaluate_visit(visit: Visit, framework: Framework) -> list[Finding] | None:
    """A planning framework is worked through step by step: say which steps still
    lack a progress level, and which were judged without saying what comes next."""
    if framework.id != FRAMEWORK_ID:
        return None
    findings: list[Finding] = []
    steps = framework.criteria()
    unjudged: list[str] = []
    for step in steps:
        scale = framework.scale(step.scale)
        level = visit.level(step.id)
        if level is None or scale is None or scale.level(level) is None:
            unjudged.append(step.id)
            continue
        judgement = visit.judgements[step.id]
        if not judgement.fields.get(NEXT_STEPS, "").strip():
            findings.append(Finding(
                f"{FRAMEWORK_ID}.no-next-steps",
                f"{step.id} ({step.title}): no next steps recorded",
                "warning", step.id,
            ))
    if unjudged:
        findings.insert(0, Finding(
            f"{FRAMEWORK_ID}.not-judged",
            f"{len(unjudged)} of {len(steps)} steps not judged yet: {', '.join(unjudged)}",
            "warning",
        ))
    return findings


# ---------------------------------------------------------------- report


@hookimpl
def report_sections(visit: Visit, framework: Framework) -> list[Block] | None:
    """The record of visit's body for this framework (see report.py)."""
    return report.sections(visit, framework)
