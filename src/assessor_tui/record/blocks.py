"""Building blocks for a record of visit, shared by the generic body and framework plugins.

A plugin's ``report_sections`` hook composes these instead of formatting by
hand, so every framework shows a judgement, its notes and its evidence the
same way, and notes linked to a criterion always appear under it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from assessor_tui.domain.visit import ActionPoint, Note, Visit
from assessor_tui.frameworks.model import (
    Actions,
    Checklist,
    Criterion,
    Framework,
    Item,
    ListItem,
    Section,
    Table,
    TextPrompt,
    VisitType,
)
from assessor_tui.record.document import (
    Block,
    BulletList,
    Heading,
    NoteLine,
    NoteList,
    Paragraph,
    paragraphs,
)
from assessor_tui.record.document import Table as TableBlock

NOT_RECORDED = "Not recorded."


def level_label(framework: Framework, scale_id: str | None, level: str | None) -> str:
    """The label a reader knows ("Partly met"), or the raw id when the scale lacks it."""
    if level is None:
        return ""
    scale = framework.scale(scale_id) if scale_id else None
    found = scale.level(level) if scale else None
    return found.label if found else level


def visit_type(visit: Visit, framework: Framework) -> VisitType | None:
    return framework.visit_type(visit.visit_type) if visit.visit_type else None


def visit_sections(visit: Visit, framework: Framework) -> list[Section]:
    """The sections the visit covers: its visit type's, or every section."""
    vt = visit_type(visit, framework)
    if vt is None:
        return list(framework.sections)
    return [s for s in framework.sections if s.id in vt.sections]


def item_heading(item: Item) -> str:
    """"1.1 Engagement of all schools": a criterion's short number as the source prints it;
    long ids ("partnerships-1") are internal and left out."""
    if item.kind == "criterion" and len(item.id) <= 5:
        return f"{item.id} {item.title}"
    return item.title


def text_blocks(text: str, *, label: str = "", empty: str = NOT_RECORDED) -> list[Block]:
    """User text as paragraphs (blank lines split them); ``empty`` when there is none."""
    parts = paragraphs(text)
    if not parts:
        return [Paragraph(empty, label=label, style="muted")] if empty else []
    return [Paragraph(parts[0], label=label), *(Paragraph(p) for p in parts[1:])]


def note_line(note: Note) -> NoteLine:
    return NoteLine(
        note_id=note.id,
        when=f"{note.at:%d %b %Y %H:%M}",
        text=note.text,
        source=note.source,
        with_whom=note.with_whom,
    )


def notes_block(notes: Iterable[Note], title: str = "Notes") -> list[Block]:
    lines = tuple(note_line(n) for n in sorted(notes, key=lambda n: n.at))
    return [NoteList(lines, title)] if lines else []


def evidence_block(visit: Visit, item_id: str) -> list[Block]:
    items = [_evidence_text(e.title, e.kind, e.reference) for e in visit.evidence_for(item_id)]
    return [Paragraph("", label="Evidence seen"), BulletList(tuple(items))] if items else []


def _evidence_text(title: str, kind: str, reference: str) -> str:
    detail = ", ".join(p for p in (kind, reference) if p)
    return f"{title} ({detail})" if detail else title


def criterion_blocks(
    visit: Visit,
    framework: Framework,
    criterion: Criterion,
    *,
    judgement_label: str = "Judgement",
    heading_level: int = 3,
) -> list[Block]:
    """A criterion's judgement, checklist, fields, rationale, evidence and linked notes."""
    judgement = visit.judgements.get(criterion.id)
    level = judgement.level if judgement else None
    blocks: list[Block] = [Heading(item_heading(criterion), heading_level)]
    label = level_label(framework, criterion.scale, level)
    blocks.append(
        Paragraph(label, label=judgement_label)
        if label
        else Paragraph("Not judged", label=judgement_label, style="muted")
    )
    if criterion.checklist is not None:
        ticked = set(judgement.checked) if judgement else set()
        blocks.append(BulletList(tuple(
            f"{'✓' if e.id in ticked else '✗'} {e.text}" for e in criterion.checklist.items
        )))
    for spec in criterion.fields:
        value = judgement.fields.get(spec.id, "") if judgement else ""
        if value.strip():
            blocks.extend(text_blocks(value, label=spec.label))
    if judgement and judgement.rationale.strip():
        blocks.extend(text_blocks(judgement.rationale, label="Rationale"))
    blocks.extend(evidence_block(visit, criterion.id))
    blocks.extend(notes_block(visit.notes_for(criterion.id)))
    return blocks


def answer_blocks(
    visit: Visit, framework: Framework, prompt: TextPrompt, *, heading_level: int = 3,
    fallback: str = "",
) -> list[Block]:
    """A prompt's answer (``fallback`` when it has none), its progress level and notes."""
    answer = visit.answers.get(prompt.id)
    text = answer.text if answer and answer.text.strip() else fallback
    blocks: list[Block] = [Heading(prompt.title, heading_level)]
    if prompt.scale:
        label = level_label(framework, prompt.scale, answer.level if answer else None)
        blocks.append(Paragraph(label or "Not judged", label="Progress",
                                style="body" if label else "muted"))
    blocks.extend(text_blocks(text))
    blocks.extend(evidence_block(visit, prompt.id))
    blocks.extend(notes_block(visit.notes_for(prompt.id)))
    return blocks


def table_rows(visit: Visit, framework: Framework, table: Table) -> list[tuple[str, ...]]:
    """Fixed rows first, in the framework's order, then the rows the assessor added."""
    recorded = {r.row_id: r for r in visit.rows if r.item_id == table.id and r.row_id}
    added = [r for r in visit.rows if r.item_id == table.id and not r.row_id]

    def cells(values: dict[str, str]) -> tuple[str, ...]:
        return tuple(
            level_label(framework, c.scale, values.get(c.id)) if c.kind == "level"
            else _cell(values.get(c.id), c.kind)
            for c in table.columns
        )

    rows = []
    for row in table.rows:
        found = recorded.get(row.id)
        rows.append((row.label, *cells(found.cells if found else {})))
    rows.extend((r.label, *cells(r.cells)) for r in added)
    return rows


def _cell(value: object, kind: str) -> str:
    if value is None:
        return ""
    text = str(value)
    return f"{text}%" if kind == "percent" and text and not text.endswith("%") else text


def table_blocks(
    visit: Visit, framework: Framework, table: Table, *, heading_level: int = 3
) -> list[Block]:
    columns = (table.row_header or "", *(c.label for c in table.columns))
    rows = table_rows(visit, framework, table)
    blocks: list[Block] = [Heading(table.title, heading_level)]
    blocks.append(TableBlock(columns, tuple(rows)) if rows
                  else Paragraph("No rows recorded.", style="muted"))
    blocks.extend(notes_block(visit.notes_for(table.id)))
    return blocks


def list_blocks(visit: Visit, item: ListItem, *, heading_level: int = 3) -> list[Block]:
    entries = tuple(e.text for e in visit.entries if e.item_id == item.id)
    blocks: list[Block] = [Heading(item.title, heading_level)]
    blocks.append(BulletList(entries) if entries else Paragraph("None recorded.", style="muted"))
    blocks.extend(notes_block(visit.notes_for(item.id)))
    return blocks


def checklist_blocks(visit: Visit, item: Checklist, *, heading_level: int = 3) -> list[Block]:
    ticked = set(visit.ticks.get(item.id, ()))
    blocks: list[Block] = [Heading(item.title, heading_level)]
    blocks.append(BulletList(tuple(
        f"{'✓' if e.id in ticked else '✗'} {e.text}" for e in item.items
    )))
    blocks.extend(notes_block(visit.notes_for(item.id)))
    return blocks


def actions_for(visit: Visit, framework: Framework, item: Actions | None) -> list[ActionPoint]:
    """Action points filed under ``item``; with None, every action point of the visit."""
    if item is None:
        return list(visit.actions)
    first = next((i for s in visit_sections(visit, framework) for i in s.items
                  if isinstance(i, Actions)), None)
    return [a for a in visit.actions
            if a.item_id == item.id or (a.item_id is None and first is not None
                                        and first.id == item.id)]


def actions_table(actions: Iterable[ActionPoint]) -> list[Block]:
    """Numbered as the quality check numbers them, with owner and due date spelled out."""
    rows = tuple(
        (str(n), a.text, a.owner or "(no owner)", _due(a.due),
         "Done" if a.status == "done" else "Open")
        for n, a in enumerate(actions, start=1)
    )
    if not rows:
        return [Paragraph("No action points recorded.", style="muted")]
    return [TableBlock(("#", "Action point", "Owner", "Due", "Status"), rows, role="actions")]


def _due(due: date | None) -> str:
    return f"{due:%d %b %Y}" if due else "(no date)"


def actions_blocks(
    visit: Visit, framework: Framework, item: Actions | None = None, *, heading_level: int = 3,
    title: str = "",
) -> list[Block]:
    heading = title or (item.title if item else "Agreed action points")
    blocks: list[Block] = [Heading(heading, heading_level)]
    blocks.extend(actions_table(actions_for(visit, framework, item)))
    if item is not None:
        blocks.extend(notes_block(visit.notes_for(item.id)))
    return blocks


def recommendations_blocks(visit: Visit, *, heading_level: int = 2,
                           title: str = "Recommendations") -> list[Block]:
    """Numbered as the quality check numbers them; owner and due date as for action
    points once any recommendation has one (frameworks that ask for neither stay plain)."""
    recs = visit.recommendations
    if not recs:
        return []
    if any(r.owner.strip() or r.due for r in recs):
        header: tuple[str, ...] = ("#", "Recommendation", "Owner", "Due")
        rows: tuple[tuple[str, ...], ...] = tuple(
            (str(n), r.text, r.owner or "(no owner)", _due(r.due))
            for n, r in enumerate(recs, start=1)
        )
    else:
        header = ("#", "Recommendation")
        rows = tuple((str(n), r.text) for n, r in enumerate(recs, start=1))
    return [Heading(title, heading_level), TableBlock(header, rows, role="recommendations")]


def item_blocks(visit: Visit, framework: Framework, item: Item, *,
                heading_level: int = 3) -> list[Block]:
    """Any item, shown the generic way for its kind."""
    if isinstance(item, Criterion):
        return criterion_blocks(visit, framework, item, heading_level=heading_level)
    if isinstance(item, TextPrompt):
        return answer_blocks(visit, framework, item, heading_level=heading_level)
    if isinstance(item, Table):
        return table_blocks(visit, framework, item, heading_level=heading_level)
    if isinstance(item, ListItem):
        return list_blocks(visit, item, heading_level=heading_level)
    if isinstance(item, Checklist):
        return checklist_blocks(visit, item, heading_level=heading_level)
    return actions_blocks(visit, framework, item, heading_level=heading_level)


def section_blocks(visit: Visit, framework: Framework, section: Section) -> list[Block]:
    blocks: list[Block] = [Heading(f"{section.title}", 1)]
    for item in section.items:
        blocks.extend(item_blocks(visit, framework, item, heading_level=2))
    return blocks


def summary_blocks(visit: Visit) -> list[Block]:
    """The assessor's summary under its heading, or nothing when there is none."""
    if not visit.summary.strip():
        return []
    return [Heading("Summary", 1), *text_blocks(visit.summary)]


def generic_body(visit: Visit, framework: Framework) -> list[Block]:
    """The body for a framework whose plugin does not shape its report: every section
    of the visit, every item the generic way."""
    blocks: list[Block] = summary_blocks(visit)
    for section in visit_sections(visit, framework):
        blocks.extend(section_blocks(visit, framework, section))
    return blocks
