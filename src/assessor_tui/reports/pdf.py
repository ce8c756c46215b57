"""PDF with fpdf2 (pure Python): A4, a Unicode TrueType font embedded, DRAFT watermark.

fpdf2's built-in fonts are Latin-1 only, so the record embeds a Unicode font
found on the machine (reports/fonts.py: DejaVu Sans on Linux, Segoe UI or Arial
on Windows, Arial on macOS). Characters it lacks, such as emoji or Chinese, come
from fallback fonts when one is installed; a character no font has is printed as
"�" rather than silently dropped. User text is never parsed as markup
(``markdown=False``).
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Iterator

from assessor_tui.record.document import (
    Block,
    BulletList,
    Document,
    Heading,
    Paragraph,
    Table,
    paragraphs,
)
from assessor_tui.reports.fonts import coverage, fallback_fonts, find_fonts

Run = tuple[str, tuple[int, int, int], str]
"""(font style, colour, text): a piece of a line in one style."""
_TOKENS = re.compile(r"\n|[^\s]+")
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff"
                  "\U0001e800-\U0001efff]")
"""Hebrew, Arabic, Syriac, Thaana, N'Ko and the other right-to-left blocks."""

FAMILY = "body"
LINE = 5.2  # mm per line of 10 pt text
BLUE = (31, 78, 121)
ALERT = (156, 28, 28)
MUTED = (102, 102, 102)
REPLACEMENT = "\ufffd"


def _document_text(document: Document) -> Iterator[str]:
    yield from document.text()
    yield document.watermark


class _Writer:
    """Lays the document out on A4 pages; one instance per export."""

    def __init__(self, document: Document) -> None:
        from fpdf import FPDF

        self.doc = document
        self.pdf = pdf = FPDF(orientation="P", unit="mm", format="A4")
        pdf.str_alias_nb_pages = ""  # "{nb}" typed by a user stays as typed
        pdf.set_margins(18, 18, 18)
        pdf.set_auto_page_break(auto=True, margin=18)
        pdf.set_title(f"{document.title}: {document.subtitle}")
        pdf.set_creator("assessor-tui")
        self._widths: dict[tuple[str, float, str], float] = {}
        self.rtl = False  # the record holds right-to-left text: shape the pieces that do
        self.shaping = False
        self.unicode = self._load_fonts()
        # fpdf2 calls these hooks on every page; set on the instance rather than subclassed
        pdf.header = self._header  # type: ignore[method-assign]
        pdf.footer = self._footer  # type: ignore[method-assign]

    # ------------------------------------------------------------ fonts

    def _load_fonts(self) -> bool:
        fonts = find_fonts()
        pdf = self.pdf
        if fonts is None:
            self.covered: frozenset[int] | None = None
            return False
        pdf.add_font(FAMILY, "", fonts.regular)
        pdf.add_font(FAMILY, "B", fonts.bold)
        pdf.add_font(FAMILY, "I", fonts.italic)
        covered = set(coverage(fonts.regular))
        needed = {ord(c) for text in _document_text(self.doc) for c in text} - {10}
        missing = needed - covered
        fallbacks = []
        for n, path in enumerate(fallback_fonts()):
            if not missing:
                break
            if not os.path.isfile(path):
                continue
            cmap = coverage(path)
            if missing & cmap:
                name = f"fallback{n}"
                pdf.add_font(name, "", path)
                fallbacks.append(name)
                covered |= cmap
                missing -= cmap
        if fallbacks:
            pdf.set_fallback_fonts(fallbacks, exact_match=False)
        self.covered = frozenset(covered)
        # right-to-left text is laid out by HarfBuzz, piece by piece (see `shape`)
        self.rtl = any(unicodedata.bidirectional(chr(c)) in ("R", "AL") for c in needed)
        return True

    def text(self, value: str) -> str:
        """What the embedded fonts can draw: any other character becomes "�"."""
        if self.covered is None:
            return value.encode("latin-1", "replace").decode("latin-1")
        covered = self.covered
        if all(ord(c) in covered or c == "\n" for c in value):
            return value
        return "".join(c if ord(c) in covered or c == "\n" else REPLACEMENT for c in value)

    def shape(self, text: str) -> str:
        """``text``, with the shaping engine on only when it holds right-to-left letters.

        HarfBuzz orders and joins Hebrew and Arabic, but fpdf2 places shaped text glyph by
        glyph, which PDF viewers' search and copy (pdfium, as in Chrome) read as scattered
        letters: so the rest of the record is drawn unshaped. Call it before measuring or
        drawing any text."""
        if self.rtl:
            self._set_shaping(_RTL.search(text) is not None)
        return text

    def _set_shaping(self, wanted: bool) -> None:
        if wanted != self.shaping:
            self.pdf.set_text_shaping(wanted)
            self.shaping = wanted

    def font(self, style: str = "", size: float = 10,
             color: tuple[int, int, int] = (26, 26, 26)) -> None:
        self.pdf.set_font(FAMILY if self.unicode else "helvetica", style, size)
        self.pdf.set_text_color(*color)

    # ------------------------------------------------------------ page furniture

    def _header(self) -> None:
        """Runs inside an automatic page break too, so the shaping in use is put back."""
        shaping = self.shaping
        self._page_top()
        self._set_shaping(shaping)

    def _page_top(self) -> None:
        pdf = self.pdf
        if self.doc.watermark:
            with pdf.local_context(fill_opacity=0.12, text_color=ALERT):
                self.font("B", 96, ALERT)
                with pdf.rotation(35, x=pdf.w / 2, y=pdf.h / 2):
                    mark = self.shape(self.text(self.doc.watermark))
                    width = pdf.get_string_width(mark)
                    pdf.text(pdf.w / 2 - width / 2, pdf.h / 2 + 12, mark)
        pdf.set_y(10)
        self.font("", 8, MUTED)
        banner = f"{self.doc.title}: {self.doc.subtitle}"
        if self.doc.watermark:
            banner += f" ({self.doc.watermark}: not final until the visit is submitted)"
        pdf.cell(0, 4, self.shape(self.text(banner[:160])), new_x="LMARGIN", new_y="NEXT",
                 align="L")
        pdf.set_y(18)

    def _footer(self) -> None:
        pdf, shaping = self.pdf, self.shaping
        pdf.set_y(-12)
        self.font("", 8, MUTED)
        pdf.cell(0, 4, self.shape(f"Page {pdf.page_no()}"), align="C")
        self._set_shaping(shaping)

    # ------------------------------------------------------------ blocks

    def title(self) -> None:
        pdf, doc = self.pdf, self.doc
        self.font("B", 20, BLUE)
        pdf.multi_cell(0, 9, self.shape(self.text(doc.title)), new_x="LMARGIN", new_y="NEXT",
                       align="L")
        if doc.subtitle:
            self.font("", 14)
            pdf.multi_cell(0, 7, self.shape(self.text(doc.subtitle)), new_x="LMARGIN",
                           new_y="NEXT", align="L")
        pdf.ln(2)
        if doc.meta:
            self.table(("", ""), doc.meta, widths=(32, 142), header=False)

    def heading(self, block: Heading) -> None:
        size = {1: 15, 2: 12.5, 3: 11}[block.level]
        pdf = self.pdf
        if pdf.get_y() > pdf.h - 45:  # keep a heading with what follows it
            pdf.add_page()
        pdf.ln(4 if block.level == 1 else 2)
        self.font("B", size, BLUE if block.level < 3 else (26, 26, 26))
        pdf.multi_cell(0, size * 0.5, self.shape(self.text(block.text)), new_x="LMARGIN",
                       new_y="NEXT",
                       align="L")
        if block.level == 1:
            pdf.set_draw_color(*BLUE)
            pdf.set_line_width(0.5)
            pdf.line(pdf.l_margin, pdf.get_y() + 0.5, pdf.w - pdf.r_margin, pdf.get_y() + 0.5)
            pdf.set_line_width(0.2)
        pdf.ln(2)

    # ------------------------------------------------------------ text flow
    # fpdf2's own line breaking re-measures a line for every character it adds, which
    # makes a visit's 300 notes take seconds; words are measured once here instead.

    def width(self, style: str, size: float, text: str) -> float:
        key = (style, size, text)
        found = self._widths.get(key)
        if found is None:
            # the font only: setting a colour here would recolour the text being drawn
            self.pdf.set_font(FAMILY if self.unicode else "helvetica", style, size)
            found = self._widths[key] = self.pdf.get_string_width(self.shape(text))
        return found

    def wrap(self, runs: list[Run], width: float, first: float | None = None,
             size: float = 10) -> list[list[Run]]:
        """Runs of styled text broken into lines no wider than ``width`` (``first`` for the
        first line, after a label); a word longer than a line is cut."""
        lines: list[list[Run]] = [[]]
        room = first if first is not None else width
        used = 0.0
        for style, color, text in runs:
            space = self.width(style, size, " ")
            for token in _TOKENS.findall(self.text(text)):
                if token == "\n":
                    lines.append([])
                    room, used = width, 0.0
                    continue
                for piece in self._pieces(style, size, token, width):
                    w = self.width(style, size, piece)
                    gap = space if lines[-1] and used else 0.0
                    if used + gap + w > room and lines[-1]:
                        lines.append([])
                        room, used, gap = width, 0.0, 0.0
                    line = lines[-1]
                    if line and line[-1][0] == style and line[-1][1] == color:
                        line[-1] = (style, color, line[-1][2] + (" " if gap else "") + piece)
                    else:
                        line.append((style, color, (" " if gap else "") + piece))
                    used += gap + w
        return lines

    def _pieces(self, style: str, size: float, token: str, width: float) -> list[str]:
        if self.width(style, size, token) <= width:
            return [token]
        pieces, current, used = [], "", 0.0
        for char in token:
            w = self.width(style, size, char)
            if used + w > width and current:
                pieces.append(current)
                current, used = "", 0.0
            current += char
            used += w
        return [*pieces, current] if current else pieces

    def flow(self, runs: list[Run], *, indent: float = 0, size: float = 10,
             line: float = LINE) -> None:
        """Write runs as wrapped lines from the left margin + ``indent``."""
        pdf = self.pdf
        left = pdf.l_margin + indent
        width = pdf.w - pdf.r_margin - left
        for row in self.wrap(runs, width, size=size):
            if pdf.get_y() + line > pdf.page_break_trigger:
                pdf.add_page()
            pdf.set_x(left)
            for style, color, text in row:
                self.font(style, size, color)
                pdf.cell(self.width(style, size, text) + 0.01, line, self.shape(text))
            pdf.ln(line)

    def labelled(self, label: str, text: str, color: tuple[int, int, int] = (26, 26, 26),
                 style: str = "", indent: float = 0) -> None:
        """A bold label and plain text that wraps under it."""
        runs: list[Run] = []
        if label:
            runs.append((style or "B", color, f"{label}: " if text else label))
        if text:
            runs.append((style, color, text))
        self.flow(runs, indent=indent)

    def paragraph(self, block: Paragraph) -> None:
        color = {"alert": ALERT, "muted": MUTED}.get(block.style, (26, 26, 26))
        style = "I" if block.style == "muted" else ""
        parts = paragraphs(block.text) or [""]
        self.labelled(block.label, parts[0], color, style)
        for part in parts[1:]:
            self.labelled("", part, color, style)
        self.pdf.ln(1)

    def bullets(self, items: Iterable[tuple[str, str]]) -> None:
        """(lead, text) pairs: the lead in grey italics, as notes show their time."""
        pdf = self.pdf
        for lead, text in items:
            if pdf.get_y() + LINE > pdf.page_break_trigger:
                pdf.add_page()
            self.font("", 10)
            pdf.set_x(pdf.l_margin + 2)
            pdf.cell(4, LINE, self.shape("•" if self.unicode else "-"))
            runs: list[Run] = [("I", MUTED, f"{lead}: ")] if lead else []
            runs.append(("", (26, 26, 26), text))
            self.flow(runs, indent=6)
        pdf.ln(1)

    def table(self, columns: tuple[str, ...], rows: Iterable[tuple[str, ...]],
              widths: tuple[float, ...] | None = None, header: bool = True) -> None:
        """Bordered cells that wrap, the header repeated on every page the table spans."""
        pdf = self.pdf
        rows = list(rows)
        widths = widths or _widths(columns, rows, pdf.epw)
        pad, line, size = 1.2, 4.4, 9

        def cells(values: tuple[str, ...], style: str) -> list[list[list[Run]]]:
            return [self.wrap([(style, (26, 26, 26), v)], w - 2 * pad, size=size)
                    for v, w in zip(values, widths, strict=False)]

        def draw(values: tuple[str, ...], style: str, fill: bool) -> None:
            wrapped = cells(values, style)
            height = max(len(c) for c in wrapped) * line + 2 * pad
            if pdf.get_y() + height > pdf.page_break_trigger:
                pdf.add_page()
                if header and style != "B":
                    draw(columns, "B", True)
            x, y = pdf.l_margin, pdf.get_y()
            pdf.set_draw_color(150, 150, 150)
            pdf.set_fill_color(232, 238, 245)
            for lines, w in zip(wrapped, widths, strict=False):
                if header or fill:
                    pdf.rect(x, y, w, height, style="DF" if fill else "D")
                for n, row in enumerate(lines):
                    pdf.set_xy(x + pad, y + pad + n * line)
                    for run_style, color, text in row:
                        self.font(run_style, size, color)
                        pdf.cell(self.width(run_style, size, text) + 0.01, line,
                                 self.shape(text))
                x += w
            pdf.set_xy(pdf.l_margin, y + height)

        if header:
            draw(columns, "B", True)
        for row in rows:
            draw(tuple(self.text(c) for c in row), "", False)
        pdf.ln(3)

    def block(self, block: Block) -> None:
        if isinstance(block, Heading):
            self.heading(block)
        elif isinstance(block, Paragraph):
            self.paragraph(block)
        elif isinstance(block, BulletList):
            self.bullets(("", item) for item in block.items)
        elif isinstance(block, Table):
            self.table(block.columns, block.rows)
        else:
            self.font("B", 10)
            self.pdf.multi_cell(0, LINE, self.shape(self.text(block.title)), new_x="LMARGIN",
                                new_y="NEXT", align="L")
            self.bullets((n.lead(), n.text) for n in block.notes)

    def render(self) -> bytes:
        self.pdf.add_page()
        if not self.unicode:
            self.labelled("Note", "no Unicode font was found, so characters outside Latin-1 "
                          "are shown as '?'; see docs/reports.md", ALERT)
        self.title()
        for block in self.doc.blocks:
            self.block(block)
        return bytes(self.pdf.output())


def _widths(columns: tuple[str, ...], rows: list[tuple[str, ...]],
            total: float) -> tuple[float, ...]:
    """Every column wide enough for its longest word (so "document" is not cut), the rest
    of the page shared by how much text each column holds."""
    char = 1.8  # mm: an average character of 9 pt DejaVu Sans, with room to spare
    floors, weights = [], []
    for i, column in enumerate(columns):
        cells = [column, *(r[i] for r in rows if i < len(r))]
        longest_word = max((len(w) for c in cells for w in c.split()), default=1)
        floors.append(min(longest_word, 18) * char + 3)
        weights.append(max(min(max(len(c) for c in cells), 60), 1))
    total -= 0.1
    if sum(floors) >= total:
        return tuple(f * total / sum(floors) for f in floors)
    spare = total - sum(floors)
    return tuple(f + spare * w / sum(weights) for f, w in zip(floors, weights, strict=True))


def render(document: Document) -> bytes:
    return _Writer(document).render()

