"""The Norfolk record of visit, per visit type, and its quality check before it is sent.

The source: "The Link Adviser will provide a brief formal record of visit after
each visit. The report will summarise the activities undertaken during the
visit, be evaluative and will record key recommendations and action points
arising from and agreed during the visit." Visit 4 leaves "no record of visit,
as this is a matter for governors": a feedback form for governors instead.
"""

from __future__ import annotations

from assessor_tui.plugin_api import (
    NOT_RECORDED,
    Actions,
    Block,
    Checklist,
    Finding,
    Framework,
    Heading,
    Item,
    Paragraph,
    TableItem,
    TextPrompt,
    Visit,
    VisitType,
    actions_blocks,
    answer_blocks,
    checklist_blocks,
    item_blocks,
    notes_block,
    recommendations_blocks,
    table_blocks,
    text_blocks,
    visit_sections,
    visit_type,
)

FRAMEWORK_ID = "norfolk-sipp"

OUTCOMES: dict[str, tuple[str, ...]] = {
    "visit-1": ("strengths-weaknesses", "comparison", "rationale", "targets"),
    "visit-2": ("self-evaluation", "sef-grades"),
    "visit-3": ("planning", "initiatives", "report-to-governors"),
}
"""The outcomes each visit's record summarises, as the source's "Outcomes" column lists
them (item ids without the ``visit-N-`` prefix)."""


def sections(visit: Visit, framework: Framework) -> list[Block] | None:
    if framework.id != FRAMEWORK_ID:
        return None
    vt = visit_type(visit, framework)
    if vt is None:
        return None  # no visit type: the generic body shows every section
    if vt.record == "feedback-form":
        return _feedback_form(visit, framework, vt)
    return _record(visit, framework, vt)


def _item(framework: Framework, vt: VisitType, suffix: str) -> Item | None:
    return framework.item(f"{vt.id}-{suffix}")


def _record(visit: Visit, framework: Framework, vt: VisitType) -> list[Block]:
    """Activities, evaluation, the visit's outcomes, recommendations, action points."""
    blocks: list[Block] = [Heading("Summary of activities", 1)]
    summary = _item(framework, vt, "summary")
    agenda = _item(framework, vt, "agenda")
    if isinstance(summary, TextPrompt):
        answer = answer_blocks(visit, framework, summary, heading_level=2,
                                 fallback=visit.summary)
        blocks.extend(answer[1:])  # the part's heading already says it
    elif visit.summary.strip():
        blocks.extend(text_blocks(visit.summary))
    if isinstance(agenda, Checklist):
        blocks.extend(checklist_blocks(visit, agenda, heading_level=2))

    evaluation = _item(framework, vt, "evaluation")
    blocks.append(Heading("Evaluation", 1))
    if isinstance(evaluation, TextPrompt):
        blocks.extend(answer_blocks(visit, framework, evaluation, heading_level=2)[1:])
    for suffix in OUTCOMES.get(vt.id, ()):
        item = _item(framework, vt, suffix)
        if isinstance(item, TextPrompt):
            blocks.extend(answer_blocks(visit, framework, item, heading_level=2))
        elif isinstance(item, TableItem):
            blocks.extend(table_blocks(visit, framework, item, heading_level=2))

    blocks.append(Heading("Key recommendations", 1))
    recommendations = _item(framework, vt, "recommendations")
    if isinstance(recommendations, TextPrompt):
        text = visit.answers.get(recommendations.id)
        empty = "" if visit.recommendations else NOT_RECORDED
        blocks.extend(text_blocks(text.text if text else "", empty=empty))
        blocks.extend(notes_block(visit.notes_for(recommendations.id)))
    blocks.extend(recommendations_blocks(visit, heading_level=2, title="Recommendations"))

    actions = _item(framework, vt, "actions")
    blocks.extend(actions_blocks(
        visit, framework, actions if isinstance(actions, Actions) else None,
        heading_level=1, title="Agreed action points",
    ))
    return blocks


def _feedback_form(visit: Visit, framework: Framework, vt: VisitType) -> list[Block]:
    """Visit 4: the agenda covered and the form left with governors, no record of visit."""
    blocks: list[Block] = [
        Paragraph("No record of visit: this is a matter for governors. This feedback form "
                  "is left with the governors.", style="muted"),
    ]
    for section in visit_sections(visit, framework):
        blocks.append(Heading(section.title, 1))
        for item in section.items:
            blocks.extend(item_blocks(visit, framework, item, heading_level=2))
    return blocks


# ---------------------------------------------------------------- quality check


def check(visit: Visit, framework: Framework) -> list[Finding] | None:
    """The quality criteria a record must meet before it is sent: activities summarised,
    an evaluation written, and an owner and a due date on every recommendation and
    agreed action point."""
    if framework.id != FRAMEWORK_ID:
        return None
    vt = visit_type(visit, framework)
    findings: list[Finding] = []
    if vt is not None and vt.record == "required":
        findings.extend(_written(visit, framework, vt))
    findings.extend(_actions(visit))
    return findings


def _answer(visit: Visit, item_id: str) -> str:
    answer = visit.answers.get(item_id)
    return answer.text.strip() if answer else ""


def _written(visit: Visit, framework: Framework, vt: VisitType) -> list[Finding]:
    code = f"{FRAMEWORK_ID}.record"
    findings = []
    summary_id = f"{vt.id}-summary"
    if not (_answer(visit, summary_id) or visit.summary.strip()):
        findings.append(Finding(code, "the activities of the visit are not summarised "
                                "(Summary of activities is empty)", "problem", summary_id))
    evaluative = [f"{vt.id}-evaluation", *(f"{vt.id}-{s}" for s in OUTCOMES.get(vt.id, ()))]
    if not any(_answer(visit, item_id) for item_id in evaluative):
        findings.append(Finding(code, "the record has no evaluative statement (Evaluation "
                                "and the visit's outcomes are empty)", "problem",
                                f"{vt.id}-evaluation"))
    missing = [
        item.title for s in OUTCOMES.get(vt.id, ())
        if isinstance(item := framework.item(f"{vt.id}-{s}"), TextPrompt)
        and not _answer(visit, item.id)
    ]
    if missing:
        findings.append(Finding(code, f"not written yet: {'; '.join(missing)}", "warning"))
    if not (_answer(visit, f"{vt.id}-recommendations") or visit.recommendations):
        findings.append(Finding(code, "no key recommendations recorded", "warning",
                                f"{vt.id}-recommendations"))
    return findings


def _actions(visit: Visit) -> list[Finding]:
    """Every recommendation and action point has an owner and a date. Numbered as the
    record lists them, and quoted, so the assessor finds the one meant."""
    findings = []
    for number, rec in enumerate(visit.recommendations, start=1):
        missing = _missing(rec.owner, rec.due)
        if missing:
            findings.append(Finding(
                f"{FRAMEWORK_ID}.recommendation-incomplete",
                f"recommendation {number} ({_quoted(rec.text)}) has no {missing}", "problem",
            ))
    for number, action in enumerate(visit.actions, start=1):
        missing = _missing(action.owner, action.due)
        if missing:
            findings.append(Finding(
                f"{FRAMEWORK_ID}.action-incomplete",
                f"action point {number} ({_quoted(action.text)}) has no {missing}",
                "problem", action.item_id,
            ))
    return findings


def _missing(owner: str, due: object) -> str:
    absent = [what for what, gone in (("owner", not owner.strip()), ("due date", due is None))
              if gone]
    return " and no ".join(absent)


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    return "\u201c" + (text if len(text) <= 60 else text[:57] + "...") + "\u201d"
