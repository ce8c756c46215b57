"""Markdown (CommonMark with pipe tables): the TUI preview and a plain-text record.

Every piece of user text is escaped, so "**bold**", "<script>", "# heading" or
"1. item" typed in a note reads back as those characters, never as markup.
"""

from __future__ import annotations

import re

from assessor_tui.record.document import (
    Block,
    BulletList,
    Document,
    Heading,
    NoteList,
    Paragraph,
    Table,
    paragraphs,
)

_EVERYWHERE = re.compile(r"([\\`*_{}\[\]()<>#|~&!])")
_LINE_START = re.compile(r"^(\s*)([-+=](?=[-+=\s]|$)|\d+[.)](?=\s|$))", re.MULTILINE)


def escape(text: str) -> str:
    """Plain text that CommonMark renders as itself, one hard line break per newline."""
    value = _EVERYWHERE.sub(r"\\\1", text.strip())
    value = _LINE_START.sub(_escape_start, value)
    lines = [line.strip() for line in value.split("\n")]
    return "\\\n".join(lines)


def _escape_start(match: re.Match[str]) -> str:
    marker = match.group(2)
    if marker[-1] in ".)":
        return f"{match.group(1)}{marker[:-1]}\\{marker[-1]}"
    return f"{match.group(1)}\\{marker}"


def _inline(text: str) -> str:
    """For table cells and list items, where a paragraph break cannot go."""
    return escape(" ".join(text.split()))


def _paragraph(block: Paragraph) -> list[str]:
    parts = paragraphs(block.text) or [""]
    first = escape(parts[0])
    if block.style == "muted" and first:
        first = f"*{first}*"
    if block.label:
        label = f"**{escape(block.label)}**"
        first = f"{label}: {first}" if first else label
    return [first, *(escape(p) for p in parts[1:])]


def _table(block: Table) -> list[str]:
    def row(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(_inline(c) or " " for c in cells) + " |"

    return ["\n".join([row(block.columns), "|" + "---|" * len(block.columns),
                       *(row(r) for r in block.rows)])]


def _notes(block: NoteList) -> list[str]:
    items = [
        f"- *{escape(n.lead())}*: " + escape(n.text).replace("\\\n", "\\\n  ")
        for n in block.notes
    ]
    return [f"**{escape(block.title)}**", "\n".join(items)]


def _block(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return ["#" * (block.level + 1) + " " + _inline(block.text)]
    if isinstance(block, Paragraph):
        return _paragraph(block)
    if isinstance(block, BulletList):
        return ["\n".join(f"- {_inline(item)}" for item in block.items)] if block.items else []
    if isinstance(block, Table):
        return _table(block)
    return _notes(block)


def render_text(document: Document) -> str:
    out = [f"# {_inline(document.title)}"]
    if document.subtitle:
        out.append(f"**{_inline(document.subtitle)}**")
    if document.watermark:
        out.append(f"> **{_inline(document.watermark)}**: not final until the visit is "
                   "submitted.")
    if document.meta:
        out.append("\n".join(f"- **{_inline(k)}:** {_inline(v)}" for k, v in document.meta))
    for block in document.blocks:
        out.extend(_block(block))
    return "\n\n".join(part for part in out if part) + "\n"


def render(document: Document) -> bytes:
    return render_text(document).encode("utf-8")
