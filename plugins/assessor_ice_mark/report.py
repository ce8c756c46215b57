"""The ICE Mark validation report: per area, each criterion's validation with the notes
and evidence behind it, the partnership sectors finding, and an overall recommendation
that names every criterion not yet met.

The source does not state an award rule; the recommendation follows the app's
reading used by the key-criteria finding: every key (bold) criterion must be met.
"""

from __future__ import annotations

from assessor_tui.plugin_api import (
    Block,
    BulletList,
    Criterion,
    Framework,
    Heading,
    Paragraph,
    Table,
    Visit,
    criterion_blocks,
    item_blocks,
    level_label,
    summary_blocks,
)

FRAMEWORK_ID = "ice-mark"
SECTORS_CRITERION = "partnerships-1"
MET = "met"


def sections(visit: Visit, framework: Framework) -> list[Block] | None:
    if framework.id != FRAMEWORK_ID:
        return None
    from assessor_ice_mark import evaluate_visit  # the same rules the TUI shows

    findings = {f.code: f for f in evaluate_visit(visit, framework) or ()}
    blocks: list[Block] = summary_blocks(visit)
    blocks += _overview(visit, framework)
    for section in framework.sections:
        blocks.append(Heading(section.title, 1))
        for item in section.items:
            if not isinstance(item, Criterion):
                blocks.extend(item_blocks(visit, framework, item, heading_level=2))
                continue
            blocks.extend(criterion_blocks(visit, framework, item, judgement_label="Validation",
                                             heading_level=2))
            if item.id == SECTORS_CRITERION and f"{FRAMEWORK_ID}.sectors" in findings:
                blocks.append(Paragraph(findings[f"{FRAMEWORK_ID}.sectors"].message,
                                        label="Sectors"))
                if f"{FRAMEWORK_ID}.sectors-met" in findings:
                    blocks.append(Paragraph(findings[f"{FRAMEWORK_ID}.sectors-met"].message,
                                            label="Check", style="alert"))
    blocks += _recommendation(visit, framework)
    return blocks


def _overview(visit: Visit, framework: Framework) -> list[Block]:
    """One line per area: how many criteria were validated at each level."""
    rows = []
    for section in framework.sections:
        criteria = [i for i in section.items if isinstance(i, Criterion)]
        levels = [visit.level(c.id) for c in criteria]
        rows.append((section.title, str(len(criteria)), str(levels.count(MET)),
                     str(sum(1 for lv in levels if lv not in (None, MET))),
                     str(levels.count(None))))
    return [Heading("Validation by area", 1),
            Table(("Area", "Criteria", "Met", "Not yet met", "Not judged"), tuple(rows))]


def _recommendation(visit: Visit, framework: Framework) -> list[Block]:
    criteria = framework.criteria()
    key = [c for c in criteria if c.key]
    short = [c for c in criteria if visit.level(c.id) != MET]
    key_short = [c for c in key if visit.level(c.id) != MET]
    blocks: list[Block] = [Heading("Overall recommendation", 1)]
    if not key_short:
        blocks.append(Paragraph(
            f"All {len(key)} key criteria are met: the school is recommended for the ICE Mark."))
    else:
        blocks.append(Paragraph(
            f"{len(key_short)} of {len(key)} key criteria are not yet met: the school is not "
            "yet recommended for the ICE Mark."))
    if short:
        blocks.append(Paragraph(f"{len(short)} of {len(criteria)} criteria", label="Not yet met"))
        blocks.append(BulletList(tuple(
            f"{c.title}: "
            + (level_label(framework, c.scale, visit.level(c.id)) or "not judged")
            + (" (key criterion)" if c.key else "")
            for c in short
        )))
    return blocks
