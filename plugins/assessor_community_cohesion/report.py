"""The community cohesion report: each step of the six-point framework with its progress,
what was found, and the next steps, then every next step gathered in one list."""

from __future__ import annotations

from assessor_tui.plugin_api import (
    Block,
    Criterion,
    Framework,
    Heading,
    Paragraph,
    Table,
    Visit,
    criterion_blocks,
    item_blocks,
    item_heading,
    summary_blocks,
)

FRAMEWORK_ID = "community-cohesion"
NEXT_STEPS = "next-steps"


def sections(visit: Visit, framework: Framework) -> list[Block] | None:
    if framework.id != FRAMEWORK_ID:
        return None
    blocks: list[Block] = summary_blocks(visit)
    for section in framework.sections:
        blocks.append(Heading(f"Step {section.id}: {section.title}", 1))
        for item in section.items:
            if isinstance(item, Criterion):
                blocks.extend(criterion_blocks(visit, framework, item,
                                                 judgement_label="Progress", heading_level=2))
            else:
                blocks.extend(item_blocks(visit, framework, item, heading_level=2))
    rows = tuple(
        (item_heading(c), visit.judgements[c.id].fields[NEXT_STEPS])
        for c in framework.criteria()
        if c.id in visit.judgements and visit.judgements[c.id].fields.get(NEXT_STEPS, "").strip()
    )
    blocks.append(Heading("Next steps", 1))
    blocks.append(Table(("Step", "Next steps"), rows) if rows
                  else Paragraph("No next steps recorded.", style="muted"))
    return blocks
