"""The record of visit as a format-neutral document: headings, paragraphs, tables, lists.

Every exporter renders these few block kinds and nothing else, so a framework
plugin that shapes its report (the ``report_sections`` hook) gets the same
document in Markdown, HTML, Word and PDF. Text in blocks is always plain user
text: exporters escape it, never interpret it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

ParagraphStyle = Literal["body", "muted", "alert"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def clean(text: object) -> str:
    """User text made safe for any format: control characters and bidi overrides dropped.

    Newlines and tabs are kept (tabs as spaces), CRLF becomes LF. Bidi embedding and
    override characters are dropped because an unbalanced one reorders the rest of a
    line or table in Word and browsers; right-to-left letters themselves are kept.
    """
    value = "" if text is None else str(text)
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    value = value.replace("\u2028", "\n").replace("\u2029", "\n\n")
    value = _CONTROL.sub("", value).translate(_BIDI_CONTROLS).replace("\ufffe", "").replace(
        "\uffff", "")
    # a lone surrogate (a byte that was not UTF-8) cannot be encoded by any writer: it
    # shows as the replacement mark, so the reader sees something was there
    value = _SURROGATE.sub("\ufffd", value)
    return unicodedata.normalize("NFC", value)


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading below the document title: level 1 is a part, 2 a section, 3 an item."""

    text: str
    level: int = 1


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Plain text, optionally led by a bold label ("Judgement: Met")."""

    text: str
    label: str = ""
    style: ParagraphStyle = "body"


@dataclass(frozen=True, slots=True)
class BulletList:
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A table with a header row. ``role`` lets the builder see what a plugin already
    placed (``"actions"``, ``"recommendations"``) so nothing is shown twice or lost."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    role: str = ""


@dataclass(frozen=True, slots=True)
class NoteLine:
    note_id: str
    when: str
    text: str
    source: str = ""
    with_whom: str = ""

    def lead(self) -> str:
        """"10:42, interview with the head teacher" — what a reader sees before the text."""
        parts = [self.when]
        if self.source and self.source != "other":
            parts.append(f"{self.source} with {self.with_whom}" if self.with_whom else self.source)
        elif self.with_whom:
            parts.append(f"with {self.with_whom}")
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class NoteList:
    """Timestamped notes. Kept apart from bullet lists so the builder knows which notes
    a plugin showed, and puts every other note in the appendix."""

    notes: tuple[NoteLine, ...]
    title: str = "Notes"


Block = Heading | Paragraph | BulletList | Table | NoteList
BLOCKS = (Heading, Paragraph, BulletList, Table, NoteList)


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    subtitle: str = ""
    meta: tuple[tuple[str, str], ...] = ()
    watermark: str = ""
    blocks: tuple[Block, ...] = field(default_factory=tuple)

    def text(self) -> Iterator[str]:
        """Every piece of text in reading order (for tests, search and word counts)."""
        yield self.title
        if self.subtitle:
            yield self.subtitle
        for label, value in self.meta:
            yield f"{label}: {value}"
        yield from block_text(self.blocks)


def block_text(blocks: Iterable[Block]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, Heading):
            yield block.text
        elif isinstance(block, Paragraph):
            yield f"{block.label}: {block.text}" if block.label else block.text
        elif isinstance(block, BulletList):
            yield from block.items
        elif isinstance(block, Table):
            yield " | ".join(block.columns)
            yield from (" | ".join(row) for row in block.rows)
        elif isinstance(block, NoteList):
            yield from (f"{n.lead()}: {n.text}" for n in block.notes)


def paragraphs(text: str) -> list[str]:
    """User text split at blank lines; single line breaks stay inside a paragraph."""
    parts = re.split(r"\n\s*\n", text.strip("\n"))
    return [p.strip("\n") for p in parts if p.strip()]


def _clean_block(block: Block) -> Block:
    if isinstance(block, Heading):
        return Heading(clean(block.text), min(max(block.level, 1), 3))
    if isinstance(block, Paragraph):
        return Paragraph(clean(block.text), clean(block.label), block.style)
    if isinstance(block, BulletList):
        return BulletList(tuple(clean(i) for i in block.items))
    if isinstance(block, Table):
        width = len(block.columns)
        rows = tuple(
            tuple(clean(c) for c in (*row, *("",) * (width - len(row))))[:width]
            for row in block.rows
        )
        return Table(tuple(clean(c) for c in block.columns), rows, block.role)
    if isinstance(block, NoteList):
        return NoteList(
            tuple(NoteLine(n.note_id, clean(n.when), clean(n.text), clean(n.source),
                           clean(n.with_whom)) for n in block.notes),
            clean(block.title),
        )
    raise TypeError(f"not a report block: {type(block).__name__}")


def sanitised(document: Document) -> Document:
    """The document with every text cleaned and every table row as wide as its header,
    whoever built the blocks (a plugin may hand back anything)."""
    return Document(
        title=clean(document.title),
        subtitle=clean(document.subtitle),
        meta=tuple((clean(k), clean(v)) for k, v in document.meta),
        watermark=clean(document.watermark),
        blocks=tuple(_clean_block(blk) for blk in document.blocks),
    )
