"""The record of visit: header, the framework's body, and an appendix that loses no note.

The plugin that owns the framework shapes the body (``report_sections``); the
builder adds what every record must name (school, date, assessor, framework
and version, visit type, time spent), a DRAFT watermark until the visit is
submitted, and an appendix with every note not already shown under an item,
so a note typed during the visit is never missing from its record.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from assessor_tui.domain.visit import Visit
from assessor_tui.frameworks.model import Framework
from assessor_tui.record import blocks as b
from assessor_tui.record.document import (
    BLOCKS,
    Block,
    Document,
    Heading,
    NoteList,
    Paragraph,
    Table,
    sanitised,
)
from assessor_tui.reports.quality import check_record

if TYPE_CHECKING:
    from assessor_tui.plugins.host import PluginHost

FINAL_STATUSES = ("submitted", "accepted")
WATERMARK = "DRAFT"
TITLES = {
    "required": "Record of visit",
    "feedback-form": "Feedback form",
    "none": "Visit notes",
}


def build_record(
    visit: Visit,
    framework: Framework,
    host: PluginHost | None = None,
    *,
    now: datetime | None = None,
) -> Document:
    """The whole record of one visit, ready for any exporter."""
    vt = b.visit_type(visit, framework)
    draft = visit.status not in FINAL_STATUSES
    body, failed = _body(visit, framework, host)
    blocks: list[Block] = []
    if visit.framework_version != framework.version:
        blocks.append(Paragraph(version_mismatch(visit, framework, host), label="Cannot export",
                                style="alert"))
    if draft:
        blocks.extend(_outstanding(visit, framework, host, failed))
    blocks.extend(body)
    blocks.extend(_left_out(visit, framework, body))
    blocks.extend(_appendix(visit, framework, body))
    produced = (now or datetime.now().astimezone()).strftime("%d %b %Y %H:%M")
    return sanitised(Document(
        title=TITLES[vt.record if vt else "required"],
        subtitle=visit.school.name,
        meta=_meta(visit, framework, produced),
        watermark=WATERMARK if draft else "",
        blocks=tuple(blocks),
    ))


# ---------------------------------------------------------------- header


def _meta(visit: Visit, framework: Framework, produced: str) -> tuple[tuple[str, str], ...]:
    school = visit.school
    vt = b.visit_type(visit, framework)
    rows = [("School", school.name)]
    if school.urn:
        rows.append(("URN", school.urn))
    if school.local_authority:
        rows.append(("Local authority", school.local_authority))
    rows += [
        ("Date", _visit_date(visit)),
        ("Assessor", visit.assessor or "Not named"),
        ("Framework", f"{framework.title} ({framework.id}, version {visit.framework_version})"),
    ]
    if vt is not None:
        rows.append(("Visit type", f"{vt.title}" + (f" ({vt.term})" if vt.term else "")))
    elif visit.visit_type:
        rows.append(("Visit type", visit.visit_type))
    rows += [
        ("Time spent", time_spent(visit)),
        ("Status", visit.status.replace("_", " ").capitalize()),
        ("Produced", produced),
    ]
    return tuple(rows)


def _visit_date(visit: Visit) -> str:
    when = visit.started_at.date() if visit.started_at else visit.scheduled
    return f"{when:%d %B %Y}" if when else "Not scheduled"


def _minutes(minutes: int) -> str:
    hours, mins = divmod(max(minutes, 0), 60)
    if hours and mins:
        return f"{hours} h {mins} min"
    return f"{hours} h" if hours else f"{mins} min"


def time_spent(visit: Visit) -> str:
    """"2 h 50 min (09:05–11:55; planned 3 h)", or what is known so far."""
    planned = f"planned {_minutes(visit.planned_minutes)}"
    start, end = visit.started_at, visit.ended_at
    if start is None:
        return f"Not started ({planned})"
    if end is None:
        return f"Started {start:%H:%M}, not ended ({planned})"
    spent = round((end - start).total_seconds() / 60)
    return f"{_minutes(spent)} ({start:%H:%M}–{end:%H:%M}; {planned})"


# ---------------------------------------------------------------- body


def _body(visit: Visit, framework: Framework,
          host: PluginHost | None) -> tuple[list[Block], list[str]]:
    """The plugins' sections, or the generic body when none answers (or one fails). A plugin
    whose sections are not all report blocks is disabled through the host, like one that
    raised, so it is named wherever failed plugins are (findings, submit, plugins list)."""
    if host is None:
        return b.generic_body(visit, framework), []
    before = {n for n, p in host.plugins.items() if p.status == "failed"}
    shaped: list[Block] = []
    answered = False
    for name, result in host.call_each("report_sections", visit=visit, framework=framework):
        if result is None:
            continue
        wrong = next((blk for blk in result if not isinstance(blk, BLOCKS)), None)
        if wrong is None:
            answered = True
            shaped.extend(result)
        else:
            host.returned_wrong(name, "report_sections", wrong, "a report block")
    failed = sorted(n for n, p in host.plugins.items() if p.status == "failed" and n not in before)
    if not answered:
        return b.generic_body(visit, framework), failed
    return shaped, failed


def version_mismatch(visit: Visit, framework: Framework, host: PluginHost | None) -> str:
    """Why a visit of another version of its framework cannot be exported: the preview shows
    it laid out on the installed version's items, which may not be the ones recorded."""
    if host is not None:
        return host.missing_plugin_message(visit.framework_id, visit.framework_version)
    return (f"this visit was recorded against {visit.framework_id} version "
            f"{visit.framework_version}, but version {framework.version} is installed")


def _outstanding(visit: Visit, framework: Framework, host: PluginHost | None,
                 failed: list[str]) -> list[Block]:
    """On a draft: what the quality check still asks for, so the preview shows it."""
    blocks: list[Block] = [
        Paragraph(f"Plugin '{name}' failed while shaping this record; the standard layout "
                  "is used.", style="alert")
        for name in failed
    ]
    findings = [f for f in check_record(visit, framework, host)
                if f.severity in ("problem", "warning")]
    if findings:
        blocks.append(Heading("Before this record can be finalised", 1))
        blocks.extend(
            Paragraph(f.message, label="Must fix" if f.severity == "problem" else "Check",
                      style="alert" if f.severity == "problem" else "muted")
            for f in findings
        )
    return blocks


def _roles(blocks: Iterable[Block]) -> set[str]:
    return {blk.role for blk in blocks if isinstance(blk, Table) and blk.role}


def _left_out(visit: Visit, framework: Framework, body: list[Block]) -> list[Block]:
    """Recommendations and action points the body did not show are added, never dropped."""
    roles = _roles(body)
    blocks: list[Block] = []
    if "recommendations" not in roles:
        blocks.extend(b.recommendations_blocks(visit, heading_level=1))
    if "actions" not in roles and visit.actions:
        blocks.extend(b.actions_blocks(visit, framework, None, heading_level=1,
                                       title="Action points"))
    return blocks


# ---------------------------------------------------------------- appendix


def _appendix(visit: Visit, framework: Framework, body: list[Block]) -> list[Block]:
    shown = {n.note_id for blk in body if isinstance(blk, NoteList) for n in blk.notes}
    unlinked = [n for n in visit.notes if not n.item_ids and n.id not in shown]
    elsewhere = [n for n in visit.notes if n.item_ids and n.id not in shown]
    blocks: list[Block] = []
    if unlinked or elsewhere or visit.evidence:
        blocks.append(Heading("Appendix", 1))
    if unlinked:
        blocks.extend(b.notes_block(unlinked, "Notes not linked to a criterion"))
    if elsewhere:
        blocks.extend(b.notes_block(elsewhere, "Notes linked to items outside this record"))
    if visit.evidence:
        blocks.append(Heading("Evidence seen", 2))
        blocks.append(Table(
            ("Evidence", "Kind", "Reference", "For"),
            tuple(
                (e.title, e.kind, e.reference, ", ".join(_item_name(framework, i)
                                                         for i in e.item_ids))
                for e in visit.evidence
            ),
            role="evidence",
        ))
    return blocks


def _item_name(framework: Framework, item_id: str) -> str:
    item = framework.item(item_id)
    return b.item_heading(item) if item is not None else item_id
