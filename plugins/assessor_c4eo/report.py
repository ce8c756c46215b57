"""The C4EO schools and communities review: progress on the three priorities, the answer
to each of the seven questions, and the next steps (question 7 and the action points)."""

from __future__ import annotations

from assessor_tui.plugin_api import (
    Block,
    Framework,
    Heading,
    Item,
    Table,
    TextPrompt,
    Visit,
    actions_blocks,
    answer_blocks,
    item_blocks,
    level_label,
    summary_blocks,
    text_blocks,
)

FRAMEWORK_ID = "c4eo-schools-communities"
PRIORITIES = "priorities"
NEXT = "q7"


def sections(visit: Visit, framework: Framework) -> list[Block] | None:
    if framework.id != FRAMEWORK_ID:
        return None
    blocks: list[Block] = summary_blocks(visit)
    priorities = framework.section(PRIORITIES)
    if priorities is not None:
        blocks.append(Heading(priorities.title, 1))
        blocks.append(Table(("Priority", "Progress"), tuple(
            (item.title, level_label(framework, item.scale, _level(visit, item.id))
             or "Not judged")
            for item in priorities.items if isinstance(item, TextPrompt)
        )))
    for section in framework.sections:
        if section.id != PRIORITIES:
            blocks.append(Heading(section.title, 1))
        for n, item in enumerate(section.items, start=1):
            blocks.extend(_prompt(visit, framework, item, n if section.id == PRIORITIES else 0))
    blocks.append(Heading("Next steps", 1))
    proposal = visit.answers.get(NEXT)
    question = framework.item(NEXT)
    blocks.extend(text_blocks(proposal.text if proposal else "",
                                label=question.title if question else "Next steps"))
    blocks.extend(actions_blocks(visit, framework, None, heading_level=2,
                                   title="Action points"))
    return blocks


def _level(visit: Visit, item_id: str) -> str | None:
    answer = visit.answers.get(item_id)
    return answer.level if answer else None


def _prompt(visit: Visit, framework: Framework, item: Item, number: int) -> list[Block]:
    if not isinstance(item, TextPrompt):
        return item_blocks(visit, framework, item, heading_level=2)
    blocks = answer_blocks(visit, framework, item, heading_level=2)
    if item.id.startswith("q") and item.id[1:].isdigit():
        blocks[0] = Heading(f"{item.id.upper()}. {item.title}", 2)
    elif number:
        blocks[0] = Heading(f"Priority {number}: {item.title}", 2)
    return blocks
