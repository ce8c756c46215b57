"""Word (.docx) with python-docx: real Heading styles (so Word's navigation pane and
table of contents work), tables in the "Table Grid" style, and a DRAFT watermark
in the page header of every page until the visit is submitted.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

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

ALERT = RGBColor(0x9C, 0x1C, 0x1C)
MUTED = RGBColor(0x66, 0x66, 0x66)

# Word's own watermark: a VML text path in the header, behind the text, on every page.
_WATERMARK = """<w:pict {ns} xmlns:v="urn:schemas-microsoft-com:vml"
 xmlns:o="urn:schemas-microsoft-com:office:office">
<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800"
 path="m@7,l@8,m@5,21600l@6,21600e">
<v:path textpathok="t" o:connecttype="custom"/>
<v:textpath on="t" fitshape="t"/>
</v:shapetype>
<v:shape id="AssessorDraftWatermark" o:spid="_x0000_s2049" type="#_x0000_t136"
 style="position:absolute;margin-left:0;margin-top:0;width:470pt;height:150pt;rotation:315;
z-index:-251654144;mso-position-horizontal:center;mso-position-horizontal-relative:margin;
mso-position-vertical:center;mso-position-vertical-relative:margin"
 fillcolor="#e6b8b8" stroked="f">
<v:fill opacity=".5"/>
<v:textpath style="font-family:&quot;Calibri&quot;;font-size:1pt" string="{text}"/>
</v:shape>
</w:pict>"""


def _xml_attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def _watermark(doc: DocxDocument, text: str) -> None:
    header = doc.sections[0].header
    para = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
    run = para.add_run(f"{text}: not final until the visit is submitted")
    run.bold = True
    run.font.color.rgb = ALERT
    shape = para.add_run()
    shape._r.append(parse_xml(_WATERMARK.format(ns=nsdecls("w"), text=_xml_attr(text))))


def _lines(para: DocxParagraph, text: str, *, italic: bool = False,
           color: RGBColor | None = None) -> None:
    """Text with its line breaks kept (python-docx turns "\\n" into Word line breaks)."""
    run = para.add_run(text)
    run.italic = italic or None
    if color is not None:
        run.font.color.rgb = color


def _paragraph(doc: DocxDocument, block: Paragraph) -> None:
    parts = paragraphs(block.text) or [""]
    color = {"alert": ALERT, "muted": MUTED}.get(block.style)
    for n, part in enumerate(parts):
        para = doc.add_paragraph()
        if n == 0 and block.label:
            label = para.add_run(f"{block.label}: " if part else block.label)
            label.bold = True
            if color is not None:
                label.font.color.rgb = color
        _lines(para, part, italic=block.style == "muted", color=color)


def _table(doc: DocxDocument, block: Table) -> DocxTable:
    table: DocxTable = doc.add_table(rows=1, cols=len(block.columns))  # returns it, untyped
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, block.columns, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
    _repeat_header(table)
    for row in block.rows:
        # python-docx leaves Table.add_row unannotated (it returns a _Row)
        cells = table.add_row().cells  # type: ignore[no-untyped-call]
        for cell, text in zip(cells, row, strict=True):
            _lines(cell.paragraphs[0], text)
    doc.add_paragraph()
    return table


def _repeat_header(table: DocxTable) -> None:
    """A long table repeats its header row on every printed page."""
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(parse_xml(f'<w:tblHeader {nsdecls("w")} w:val="true"/>'))


def _notes(doc: DocxDocument, block: NoteList, styles: Styles) -> None:
    title = doc.add_paragraph()
    title.add_run(block.title).bold = True
    for note in block.notes:
        para = doc.add_paragraph(style=styles["List Bullet"])
        lead = para.add_run(f"{note.lead()}: ")
        lead.italic = True
        lead.font.color.rgb = MUTED
        _lines(para, note.text)


Styles = dict[str, Any]


def _styles(doc: DocxDocument) -> Styles:
    """Looked up once: python-docx finds a style by name by scanning every style."""
    names = ("List Bullet", "Heading 1", "Heading 2", "Heading 3", "Title", "Subtitle")
    return {name: doc.styles[name] for name in names}


def _block(doc: DocxDocument, block: Block, styles: Styles) -> None:
    if isinstance(block, Heading):
        doc.add_paragraph(block.text, style=styles[f"Heading {block.level}"])
    elif isinstance(block, Paragraph):
        _paragraph(doc, block)
    elif isinstance(block, BulletList):
        for item in block.items:
            _lines(doc.add_paragraph(style=styles["List Bullet"]), item)
    elif isinstance(block, Table):
        _table(doc, block)
    else:
        _notes(doc, block, styles)


def build(document: Document) -> DocxDocument:
    doc = new_docx()
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    doc.core_properties.title = f"{document.title}: {document.subtitle}"
    doc.core_properties.subject = document.subtitle
    if document.watermark:
        _watermark(doc, document.watermark)
    styles = _styles(doc)
    doc.add_paragraph(document.title, style=styles["Title"])
    if document.subtitle:
        doc.add_paragraph(document.subtitle, style=styles["Subtitle"])
    if document.meta:
        meta = doc.add_table(rows=0, cols=2)
        meta.style = "Table Grid"
        for label, value in document.meta:
            cells = meta.add_row().cells
            cells[0].paragraphs[0].add_run(label).bold = True
            _lines(cells[1].paragraphs[0], value)
        doc.add_paragraph()
    for block in document.blocks:
        _block(doc, block, styles)
    return doc


def render(document: Document) -> bytes:
    out = io.BytesIO()
    build(document).save(out)
    return out.getvalue()
