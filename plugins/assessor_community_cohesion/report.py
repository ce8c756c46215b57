"""The community cohesion report: each step of the six-point framework with its progress,
what was found, and the next steps, then every next step gathered in one list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assessor_tui.frameworks.model import Criterion
from assessor_tui.record import blocks as b
from assessor_tui.record.document import Block, Heading, Paragraph, Table

if TYPE_CHECKING:
    from assessor_tui.domain.visit import Visit
    from assessor_tui.frameworks.model import Framework

FRAMEWORK_ID = "community-cohesion"
NEXT_STEPS = "next-steps"


def sections(visit: Visit, framework: Framework) -> list[Block] | None:
    if framework.id != FRAMEWORK_ID:
        return None
    blocks: list[Block] = b.summary_blocks(visit)
    for section in framework.sections:
        blocks.append(Heading(f"Step {section.id}: {section.title}", 1))
        for item in section.items:
            if isinstance(item, Criterion):
                blocks.extend(b.criterion_blocks(visit, framework, item,
                                                 judgement_label="Progress", heading_level=2))
            else:
                blocks.extend(b.item_blocks(visit, framework, item, heading_level=2))
    rows = tuple(
        (b.item_heading(c), visit.judgements[c.id].fields[NEXT_STEPS])
        for c in framework.criteria()
        if c.id in visit.judgements and visit.judgements[c.id].fields.get(NEXT_STEPS, "").strip()
    )
    blocks.append(Heading("Next steps", 1))
    blocks.append(Table(("Step", "Next steps"), rows) if rows
                  else Paragraph("No next steps recorded.", style="muted"))
    return blocks
