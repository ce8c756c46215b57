"""The C4EO schools and communities review (three priorities, Q1–Q7) and its gap rules."""

from __future__ import annotations

import re
from importlib.resources import files
from typing import TYPE_CHECKING

from assessor_c4eo import report
from assessor_tui.plugin_api import Block, Finding, Framework, TextPrompt, Visit, hookimpl

if TYPE_CHECKING:
    from collections.abc import Callable

FRAMEWORK_ID = "c4eo-schools-communities"
ASSESSOR_API = ">=1.0,<2"
"""The plugin API versions this plugin works with."""
PRIORITIES = "priorities"
QUESTIONS = "next"
_QUESTION_ID = re.compile(r"q\d+")


@hookimpl
def register_frameworks(register: Callable[..., None]) -> None:
    register(files(__name__) / "c4eo-schools-communities.yaml")


@hookimpl
def evaluate_visit(visit: Visit, framework: Framework) -> list[Finding] | None:
    """Only what can be told for certain: which questions have no answer, and which
    priorities have no progress level. Whether an answer is good is the assessor's call."""
    if framework.id != FRAMEWORK_ID:
        return None
    return [*_unanswered(visit, framework), *_unrated(visit, framework)]


def _unanswered(visit: Visit, framework: Framework) -> list[Finding]:
    section = framework.section(QUESTIONS)
    if section is None:
        return []
    missing = [
        item.id.upper() for item in section.items
        if _QUESTION_ID.fullmatch(item.id) and not _answer_text(visit, item.id)
    ]
    if not missing:
        return []
    return [Finding(f"{FRAMEWORK_ID}.unanswered", f"{', '.join(missing)} not answered yet",
                    "warning")]


def _unrated(visit: Visit, framework: Framework) -> list[Finding]:
    """Priorities are numbered in the order the source lists them, as the assessor sees them."""
    section = framework.section(PRIORITIES)
    if section is None:
        return []
    missing: list[str] = []
    for number, item in enumerate(section.items, start=1):
        scale = framework.scale(item.scale) if isinstance(item, TextPrompt) and item.scale else None
        answer = visit.answers.get(item.id)
        level = answer.level if answer else None
        if level is None or scale is None or scale.level(level) is None:
            missing.append(str(number))
    if not missing:
        return []
    text = (f"Priorities {', '.join(missing)} have" if len(missing) > 1
            else f"Priority {missing[0]} has")
    return [Finding(f"{FRAMEWORK_ID}.no-progress", f"{text} no progress level yet", "warning")]


def _answer_text(visit: Visit, item_id: str) -> str:
    answer = visit.answers.get(item_id)
    return answer.text.strip() if answer else ""


# ---------------------------------------------------------------- report


@hookimpl
def report_sections(visit: Visit, framework: Framework) -> list[Block] | None:
    """The record of visit's body for this framework (see report.py)."""
    return report.sections(visit, framework)
