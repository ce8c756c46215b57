"""Each format read back the way its reader would: what the school receives is all there,
in real headings and tables, with the DRAFT mark until the visit is submitted."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from tests.reports.conftest import (
    Make,
    csv_rows,
    docx_text,
    html_text,
    ice_visit,
    norfolk_visit,
    pdf_text,
    squash,
)

from assessor_tui import reports

RECORD_TEXT = (
    "Hill School",
    "Ann Assessor",
    "Investing in Community Engagement ICE Mark",
    "version 1",
    "05 March 2026",
    "2 h 50 min",
    "Range of partnerships: at least five sectors",
    "Partners listed in the plan.",
    "Head listed seven partners from memory",
    "Partnership agreement 2025",
    "Car park full at 9am",
)


def _export(session, host, fmt: str) -> bytes:
    return reports.export_visit(session.visit, session.framework, host, fmt)


def _submitted(session) -> None:
    session.do(lambda e: e.move_to("submitted"))


def test_markdown_renders_to_the_record(make: Make, host) -> None:
    s = ice_visit(make)
    text = _export(s, host, "md").decode()
    for expected in RECORD_TEXT:
        assert expected in text
    html = MarkdownIt("commonmark").enable("table").render(text)
    shown, _ = html_text(html)
    assert "<table>" in html and "<h2>Extent and Quality of Partnerships</h2>" in html
    assert "DRAFT" in shown
    # a criterion's note sits under it, before the next criterion's heading
    assert (shown.index("Range of partnerships") < shown.index("Head listed seven partners")
            < shown.index("Track record of at least two years"))


def test_preview_markdown_is_the_same_record(make: Make, host) -> None:
    s = ice_visit(make)
    preview = reports.record_markdown(s.visit, s.framework, host)
    assert preview.startswith("# Record of visit\n")
    assert "Head listed seven partners from memory" in preview


def test_html_is_self_contained_and_printable(make: Make, host) -> None:
    s = ice_visit(make)
    markup = _export(s, host, "html").decode()
    shown, tags = html_text(markup)
    for expected in RECORD_TEXT:
        assert expected in shown
    assert {"script", "link", "img", "iframe"}.isdisjoint(tags)
    assert "http" not in markup.split("</style>")[0]  # no external stylesheet or font
    assert "@page" in markup and "<h2" in markup and "<table" in markup
    assert 'class="watermark"' in markup


def test_docx_has_word_headings_tables_and_a_draft_watermark(make: Make, host) -> None:
    from docx import Document

    s = ice_visit(make)
    data = _export(s, host, "docx")
    doc = Document(io.BytesIO(data))
    headings = {(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith(
        ("Heading", "Title"))}
    assert ("Title", "Record of visit") in headings
    assert ("Heading 1", "Extent and Quality of Partnerships") in headings
    assert ("Heading 2", "Range of partnerships: at least five sectors") in headings
    assert all(t.style.name == "Table Grid" for t in doc.tables)
    meta = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert meta["School"] == "Hill School" and meta["Assessor"] == "Ann Assessor"
    text = docx_text(data)
    for expected in RECORD_TEXT:
        assert expected in text
    header = doc.sections[0].header
    assert "DRAFT" in header.paragraphs[0].text
    assert b"AssessorDraftWatermark" in _part(data, "word/header")


def _part(data: bytes, prefix: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return b"".join(z.read(n) for n in z.namelist() if n.startswith(prefix))


def test_submitted_visit_has_no_draft_mark_in_any_format(make: Make, host) -> None:
    s = ice_visit(make)
    _submitted(s)
    assert "DRAFT" not in _export(s, host, "md").decode()
    assert "DRAFT" not in html_text(_export(s, host, "html").decode())[0]
    docx = _export(s, host, "docx")
    assert "DRAFT" not in docx_text(docx) and b"Watermark" not in _part(docx, "word/")
    assert "DRAFT" not in pdf_text(_export(s, host, "pdf"))


def test_pdf_text_and_a_rendered_page(make: Make, host, out_dir: Path) -> None:
    import pypdfium2 as pdfium

    s = ice_visit(make)
    data = _export(s, host, "pdf")
    assert data.startswith(b"%PDF-")
    text = squash(pdf_text(data))
    for expected in RECORD_TEXT:
        assert squash(expected) in text
    assert "DRAFT" in text
    pdf = pdfium.PdfDocument(data)
    image = pdf[0].render(scale=1).to_pil().convert("L")
    image.save(out_dir / "record-page-1.png")
    width, height = image.size
    assert abs(width - 595) <= 1 and abs(height - 842) <= 1  # A4 at 72 dpi
    dark = sum(image.histogram()[:128])
    assert dark > 2000, "the first page should carry text"
    # the title sits near the top-left, inside the margins
    top = image.crop((40, 40, 300, 100))
    assert top.getextrema()[0] < 128


def test_csv_judgements_and_actions(make: Make, host) -> None:
    s = ice_visit(make)
    s.do(lambda e: e.add_action("Update the partnership list", owner="Deputy head"))
    rows = csv_rows(reports.export_visit(s.visit, s.framework, host, "csv"))
    assert len(rows) == len(s.framework.criteria())
    first = rows[0]
    assert first["item_id"] == "partnerships-1" and first["level_label"] == "Met"
    assert first["rationale" if "rationale" in first else "text"] == "Partners listed in the plan."
    assert first["notes"] == "1" and first["evidence"] == "1"
    assert first["checked"] == "further-education;higher-education;primary-schools"
    actions = csv_rows(reports.export_visit(s.visit, s.framework, host, "csv", table="actions"))
    assert actions == [{"number": "1", "action": "Update the partnership list",
                        "owner": "Deputy head", "due": "", "status": "open", "item_id": "",
                        "item": ""}]


def test_unknown_format_and_table_are_refused(make: Make, host) -> None:
    s = ice_visit(make)
    with pytest.raises(reports.ReportError, match="not a document format"):
        reports.export_visit(s.visit, s.framework, host, "odt")
    with pytest.raises(reports.ReportError, match="no CSV table 'notes'"):
        reports.export_visit(s.visit, s.framework, host, "csv", table="notes")


def _ink(data: bytes, words: str) -> list[tuple[int, int, int]]:
    """The coloured pixels of ``words`` on the first page: the text as a reader sees it."""
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(data)[0]
    found = page.get_textpage().search(words, match_case=True).get_next()
    assert found is not None, f"{words!r} is not on the first page"
    start, count = found
    boxes = [page.get_textpage().get_charbox(i) for i in range(start, start + count)]
    left, bottom = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, top = max(b[2] for b in boxes), max(b[3] for b in boxes)
    scale = 4
    image = page.render(scale=scale).to_pil().convert("RGB")
    height = page.get_height()
    crop = image.crop((int(left * scale), int((height - top) * scale),
                       int(right * scale) + 1, int((height - bottom) * scale) + 1))
    pixels = (crop.getpixel((x, y)) for x in range(crop.width) for y in range(crop.height))
    return [px for px in pixels if min(px) < 200]  # ink, not paper


def test_pdf_alert_and_muted_text_keep_their_colour(make: Make, host) -> None:
    """"Must fix" findings print red and muted lines grey along their whole text, not only
    the label (a measured word used to reset the colour to black)."""
    s = norfolk_visit(make, "visit-1", owner="")
    s.do(lambda e: e.set_answer("visit-1-recommendations", ""))
    data = _export(s, host, "pdf")
    red = _ink(data, "has no owner")
    assert red and max(r - g for r, g, _ in red) > 90, "the problem's text is not red"
    grey = _ink(data, "no key recommendations recorded")
    assert grey and min(min(px) for px in grey) > 70, "the warning's text is not grey"
