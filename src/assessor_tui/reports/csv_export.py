"""CSV for spreadsheets: one table of judgements (and answers), one of action points.

UTF-8 with a byte-order mark, so Excel shows accents and non-Latin scripts; a
cell that a spreadsheet would run as a formula (``=HYPERLINK(…)``) is prefixed
with an apostrophe, so an exported note can never execute.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from assessor_tui.domain.visit import Visit
from assessor_tui.frameworks.model import Criterion, Framework, TextPrompt
from assessor_tui.record.blocks import item_heading, level_label, visit_sections
from assessor_tui.record.document import clean

TABLES = ("judgements", "actions")
_NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?%?$")

JUDGEMENT_COLUMNS = (
    "section", "item_id", "kind", "title", "level", "level_label", "text", "checked",
    "fields", "notes", "evidence",
)
ACTION_COLUMNS = ("number", "action", "owner", "due", "status", "item_id", "item")


def safe_cell(value: object) -> str:
    """Text a spreadsheet shows as text: formulas defused, numbers left alone."""
    text = clean("" if value is None else value)
    if text[:1] in ("=", "+", "-", "@") and not _NUMBER.match(text):
        return "'" + text
    return text


def _write(columns: tuple[str, ...], rows: Iterable[Iterable[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([safe_cell(c) for c in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def judgements(visit: Visit, framework: Framework) -> bytes:
    """Every criterion and prompt of the visit's sections, judged or not, one per row."""
    rows = []
    for section in visit_sections(visit, framework):
        for item in section.items:
            scale: str | None
            if isinstance(item, Criterion):
                j = visit.judgements.get(item.id)
                level = j.level if j else None
                text = j.rationale if j else ""
                checked = ";".join(j.checked) if j else ""
                fields = "; ".join(f"{k}: {v}" for k, v in j.fields.items()) if j else ""
                scale = item.scale
            elif isinstance(item, TextPrompt):
                a = visit.answers.get(item.id)
                level, text = (a.level, a.text) if a else (None, "")
                checked = fields = ""
                scale = item.scale
            else:
                continue
            rows.append((
                section.id, item.id, item.kind, item_heading(item), level or "",
                level_label(framework, scale, level), text, checked, fields,
                len(visit.notes_for(item.id)), len(visit.evidence_for(item.id)),
            ))
    return _write(JUDGEMENT_COLUMNS, rows)


def actions(visit: Visit, framework: Framework) -> bytes:
    def item_title(item_id: str | None) -> str:
        item = framework.item(item_id) if item_id else None
        return item.title if item else ""

    rows = [
        (n, a.text, a.owner, a.due.isoformat() if a.due else "", a.status, a.item_id or "",
         item_title(a.item_id))
        for n, a in enumerate(visit.actions, start=1)
    ]
    return _write(ACTION_COLUMNS, rows)
