"""The B&A partnership self-evaluation report: the profile (current rating of every
sub-element, strand by strand), the development focuses, the key-outcomes table with
baseline and term progress, and the local outcomes."""

from __future__ import annotations

from assessor_tui.plugin_api import (
    Block,
    BulletList,
    Criterion,
    Framework,
    Heading,
    ListItem,
    Paragraph,
    Section,
    Table,
    TableItem,
    Visit,
    criterion_blocks,
    item_heading,
    level_label,
    list_blocks,
    summary_blocks,
    table_blocks,
)

FRAMEWORK_ID = "ba-sef"
FOCUS_FIELD = "development-focus"
KEY_OUTCOMES = "key-outcomes-table"
LOCAL_OUTCOMES = "local-outcomes-table"


def _strands(framework: Framework) -> list[tuple[Section, list[Criterion]]]:
    found = []
    for section in framework.sections:
        criteria = [i for i in section.items if isinstance(i, Criterion)]
        if criteria:
            found.append((section, criteria))
    return found


def sections(visit: Visit, framework: Framework) -> list[Block] | None:
    if framework.id != FRAMEWORK_ID:
        return None
    from assessor_ba_sef import evaluate_visit

    profiles = {
        f.item_id: f.message
        for f in evaluate_visit(visit, framework) or ()
        if f.code == f"{FRAMEWORK_ID}.profile"
    }
    blocks: list[Block] = summary_blocks(visit)

    blocks.append(Heading("Profile", 1))
    for section, criteria in _strands(framework):
        blocks.append(Heading(f"Strand {section.id}: {section.title}", 2))
        if section.id in profiles:
            blocks.append(Paragraph(profiles[section.id], style="muted"))
        blocks.append(
            Table(
                ("Sub-element", "Current rating"),
                tuple(
                    (
                        item_heading(c),
                        level_label(framework, c.scale, visit.level(c.id)) or "Not rated",
                    )
                    for c in criteria
                ),
            )
        )

    blocks.append(Heading("Development focuses", 1))
    focuses = [
        f"{item_heading(c)}: {visit.judgements[c.id].fields[FOCUS_FIELD]}"
        for _, criteria in _strands(framework)
        for c in criteria
        if c.id in visit.judgements and visit.judgements[c.id].fields.get(FOCUS_FIELD, "").strip()
    ]
    blocks.append(
        BulletList(tuple(focuses))
        if focuses
        else Paragraph("No development focus recorded.", style="muted")
    )

    for item_id, title in ((KEY_OUTCOMES, "Key outcomes"), (LOCAL_OUTCOMES, "Local outcomes")):
        item = framework.item(item_id)
        if isinstance(item, TableItem):
            blocks.append(Heading(title, 1))
            blocks.extend(table_blocks(visit, framework, item, heading_level=2)[1:])

    members = [i for _, i in framework.items() if isinstance(i, ListItem)]
    if any(e.item_id in {m.id for m in members} for e in visit.entries):
        blocks.append(Heading("Membership of partnership", 1))
        for item in members:
            blocks.extend(list_blocks(visit, item, heading_level=2))

    blocks.append(Heading("Sub-elements in detail", 1))
    for section, criteria in _strands(framework):
        blocks.append(Heading(f"Strand {section.id}: {section.title}", 2))
        for criterion in criteria:
            blocks.extend(
                criterion_blocks(visit, framework, criterion, judgement_label="Current rating")
            )
    return blocks
