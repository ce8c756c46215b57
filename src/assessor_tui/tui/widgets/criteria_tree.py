"""The framework's items by section, each with a status glyph and its level in words."""

from __future__ import annotations

from typing import Any

from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from assessor_tui.domain.visit import Visit
from assessor_tui.frameworks.model import Criterion, Framework, Item, TextPrompt

KIND_GLYPH = {"table": "▦", "list": "≡", "checklist": "☰", "text": "✎", "actions": "→"}


def item_label(item: Item, visit: Visit, framework: Framework, width: int = 40) -> str:
    """Never colour alone: a glyph says judged (✔) or not (○), and ! flags no evidence."""
    if isinstance(item, Criterion):
        level = visit.level(item.id)
        scale = framework.scale(item.scale)
        found = scale.level(level) if scale and level else None
        label = found.label if found else ""
        evidenced = visit.notes_for(item.id) or visit.evidence_for(item.id)
        glyph = "✔" if level else "○"
        flag = " " if evidenced else "!"
        text = f"{glyph}{flag}{item.id} {item.title}"
        text = text if len(text) <= width else text[: width - 1] + "…"
        return f"{text} · {label}" if label else text
    answered = isinstance(item, TextPrompt) and item.id in visit.answers
    glyph = KIND_GLYPH.get(item.kind, "·")
    text = f"{glyph}{'✔' if answered else ' '}{item.id} {item.title}"
    return text if len(text) <= width else text[: width - 1] + "…"


class CriteriaTree(Tree[str]):
    """Sections expand to items; the node's data is the item id."""

    def __init__(self, framework: Framework, section_ids: set[str] | None, **kwargs: Any) -> None:
        super().__init__(framework.title, **kwargs)
        self.framework = framework
        self.section_ids = section_ids
        self.item_nodes: dict[str, TreeNode[str]] = {}
        self.show_root = False
        self.guide_depth = 2

    def build(self, visit: Visit) -> None:
        self.clear()
        self.item_nodes.clear()
        for section in self.framework.sections:
            if self.section_ids is not None and section.id not in self.section_ids:
                continue
            node = self.root.add(f"{section.id}  {section.title}", data="", expand=True)
            for item in section.items:
                leaf = node.add_leaf(item_label(item, visit, self.framework), data=item.id)
                self.item_nodes[item.id] = leaf

    def relabel(self, visit: Visit, item_ids: list[str] | None = None) -> None:
        for item_id in item_ids or list(self.item_nodes):
            item = self.framework.item(item_id)
            node = self.item_nodes.get(item_id)
            if item is not None and node is not None:
                node.set_label(item_label(item, visit, self.framework))

    def select_item(self, item_id: str) -> None:
        node = self.item_nodes.get(item_id)
        if node is not None:
            self.move_cursor(node)
            self.scroll_to_node(node)

    def step(self, delta: int, shown: str | None = None) -> str | None:
        """Move to the next (or previous) item, skipping section rows; from ``shown`` (the
        item on screen) while the cursor has not reached a row yet (before the first frame)."""
        ids = list(self.item_nodes)
        current = self.cursor_node.data if self.cursor_node else shown
        index = ids.index(current) if current in ids else -1
        target = min(max(index + delta, 0), len(ids) - 1) if ids else None
        if target is None:
            return None
        self.select_item(ids[target])
        return ids[target]
