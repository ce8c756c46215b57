"""What is left to do at a glance: criteria judged, and criteria with no evidence yet."""

from __future__ import annotations

from dataclasses import dataclass

from assessor_tui.domain.visit import Visit
from assessor_tui.frameworks.model import Framework


@dataclass(frozen=True, slots=True)
class Coverage:
    """``judged`` of ``total``: criteria with a level, and prompts answered (or levelled)."""

    judged: int
    total: int
    without_evidence: tuple[str, ...]

    @property
    def percent(self) -> int:
        return round(100 * self.judged / self.total) if self.total else 100


def coverage(visit: Visit, framework: Framework) -> Coverage:
    """Counted over the visit's sections (all of them with no visit type)."""
    visit_type = framework.visit_type(visit.visit_type) if visit.visit_type else None
    sections = set(visit_type.sections) if visit_type else None
    items = [
        i
        for s in framework.sections
        if sections is None or s.id in sections
        for i in s.items
        if i.kind in ("criterion", "text")
    ]
    criteria = [i for i in items if i.kind == "criterion"]
    evidenced = {i for n in visit.notes for i in n.item_ids}
    evidenced |= {i for e in visit.evidence for i in e.item_ids}

    def done(item_id: str) -> bool:
        answer = visit.answers.get(item_id)
        return visit.level(item_id) is not None or bool(
            answer and (answer.text.strip() or answer.level)
        )

    return Coverage(
        sum(1 for i in items if done(i.id)),
        len(items),
        tuple(c.id for c in criteria if c.id not in evidenced),
    )
