"""Pasted text is text: Markdown, HTML, formulas, emoji, right-to-left scripts, control
bytes and very long lines come out as typed in every format, and never break a file."""

from __future__ import annotations

import io
import zipfile

import pytest
from markdown_it import MarkdownIt
from tests.domain.conftest import Session
from tests.reports.conftest import (
    HOSTILE,
    HOSTILE_VISIBLE,
    Make,
    csv_rows,
    docx_text,
    html_text,
    ice_visit,
    pdf_text,
    squash,
)

from assessor_tui import reports


@pytest.fixture
def hostile(make: Make):
    s = make("ice-mark", school="Hill <i>School</i> 😀 שלום")
    s.do(lambda e: e.set_level("partnerships-1", "met"))
    s.do(lambda e: e.set_rationale("partnerships-1", HOSTILE))
    s.do(lambda e: e.add_note(HOSTILE, ["partnerships-1"], with_whom="<b>Head</b>"))
    s.do(lambda e: e.add_note("=HYPERLINK(\"http://evil.example\")"))
    s.do(lambda e: e.add_action(HOSTILE, owner="=cmd|' /C calc'!A0"))
    return s


def test_markdown_shows_the_text_and_builds_no_markup(hostile, host) -> None:
    text = reports.export_visit(hostile.visit, hostile.framework, host, "md").decode()
    html = MarkdownIt("commonmark").enable("table").render(text)
    shown, tags = html_text(html)
    for visible in HOSTILE_VISIBLE:
        assert visible in shown, visible
    assert "Hill <i>School</i> 😀 שלום" in shown
    assert {"script", "b", "i", "a", "code", "ol"}.isdisjoint(tags)
    assert "\x07" not in text and "\x1b" not in text


def test_html_escapes_everything(hostile, host) -> None:
    markup = reports.export_visit(hostile.visit, hostile.framework, host, "html").decode()
    shown, tags = html_text(markup)
    for visible in HOSTILE_VISIBLE:
        assert visible in shown, visible
    assert {"script", "b", "i", "a"}.isdisjoint(tags)
    assert "\x07" not in markup and "\x1b" not in markup


def test_docx_is_valid_and_holds_the_text(hostile, host) -> None:
    data = reports.export_visit(hostile.visit, hostile.framework, host, "docx")
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    text = docx_text(data)
    for visible in HOSTILE_VISIBLE:
        assert visible in text, visible
    assert "😀🎉" in text and "مرحبا بالعالم" in text


def test_pdf_embeds_a_unicode_font_and_keeps_the_text(hostile, host) -> None:
    data = reports.export_visit(hostile.visit, hostile.framework, host, "pdf")
    text = squash(pdf_text(data))
    for visible in ("**notbold**", "<script>alert('x')</script>", "#notaheading", "{nb}",
                    "long" * 20):
        assert visible in text, visible
    assert b"/FontFile2" in data  # an embedded TrueType font, not a Latin-1 core font
    assert b"DejaVu" in data


def test_csv_defuses_formulas(hostile, host) -> None:
    actions = csv_rows(reports.export_visit(hostile.visit, hostile.framework, host, "csv",
                                            table="actions"))
    assert actions[0]["owner"] == "'=cmd|' /C calc'!A0"
    assert actions[0]["action"].startswith("**not bold**")
    judgements = csv_rows(reports.export_visit(hostile.visit, hostile.framework, host, "csv"))
    assert "\x07" not in judgements[0]["text"]
    assert "\n=SUM(A1:A9)" in judgements[0]["text"]  # inside a cell, not a formula


def test_bidi_overrides_cannot_reorder_the_record(make: Make, host) -> None:
    s = make("ice-mark")
    s.do(lambda e: e.add_note("invoice\u202egnp.exe"))
    for fmt in ("md", "html"):
        data = reports.export_visit(s.visit, s.framework, host, fmt).decode()
        assert "\u202e" not in data and "invoicegnp.exe" in data


def test_a_visit_of_another_framework_version_names_the_plugin_and_version(
    make: Make, host
) -> None:
    """Recorded against Norfolk 2011-12, opened where the plugin provides 2012-13: the
    record is refused in every document format, naming the plugin and both versions."""
    installed = host.framework("norfolk-sipp")
    older = installed.model_copy(update={"version": "2011-12"})
    s = Session(older, school="Hill School", visit_type="visit-1")
    expected = ("this visit was recorded against framework 'norfolk-sipp' version 2011-12, "
                "but plugin 'norfolk-sipp' provides version 2012-13: install the version of "
                "'norfolk-sipp' that provides 2011-12 to export the record (the JSON export "
                "works without it)")
    for fmt in ("md", "html", "docx", "pdf", "csv"):
        with pytest.raises(reports.ReportError) as refused:
            reports.export_visit(s.visit, installed, host, fmt)
        assert str(refused.value) == expected
    # the preview still opens, and says at the top why it cannot be exported
    preview = reports.record_markdown(s.visit, installed, host)
    first = preview[preview.index("- **Produced:**"):].split("\n\n")[1]
    assert first.startswith("**Cannot export**: this visit was recorded against framework")
    assert "version 2011-12" in first and "provides version 2012-13" in first


def test_a_visit_of_an_absent_framework_names_the_plugin_to_install(host) -> None:
    from tests.tui.conftest import BUILT_INS

    from assessor_tui.plugins.host import load_host

    without = load_host(entry_points=False, blocked=(),
                        plugins=[p for p in BUILT_INS if p[0] != "ba-sef"])
    assert without.missing_plugin_message("ba-sef", "2009") == (
        "this visit needs framework 'ba-sef' version 2009, which no installed plugin "
        "provides: install the plugin that provides 'ba-sef' (usually named 'ba-sef')"
    )


def test_right_to_left_note_leaves_the_rest_of_the_pdf_searchable(make: Make, host) -> None:
    """Only right-to-left text goes through the shaping engine: a shaped line is placed glyph
    by glyph, which PDF viewers (pdfium, as in Chrome) read as scattered letters, so a
    Hebrew note used to make "Ann Assessor" unfindable on the whole page."""
    import pypdfium2 as pdfium

    s = ice_visit(make)
    s.do(lambda e: e.add_note("שלום עולם مرحبا بالعالم", ["partnerships-1"]))
    data = reports.export_visit(s.visit, s.framework, host, "pdf")
    page = pdfium.PdfDocument(data)[0].get_textpage()
    for words in ("Record of visit", "Ann Assessor", "Range of partnerships",
                  "Partners listed in the plan."):
        assert page.search(words, match_case=True).get_next() is not None, words
    text = pdf_text(data)
    assert "שלום" in text and "مرحبا" in text  # still there, and extractable
