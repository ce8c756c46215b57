"""The TUI's report preview and its export dialog, driven as an assessor drives them: `p`
shows the record rendered from Markdown, `e` asks for a format and a file and writes it."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from rich.text import Text
from tests.notifications import told
from tests.reports.conftest import docx_text, pdf_text
from tests.tui.conftest import PASSPHRASE
from tests.tui.helpers import NOW, add_visit, app_for, open_only_visit, wait_for, wait_for_screen
from textual.content import Content
from textual.widgets import Input, Markdown

from assessor_tui.plugins.host import PluginHost
from assessor_tui.session import Session
from assessor_tui.store import FLOOR_KDF, Vault
from assessor_tui.tui.app import AssessorApp


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def session(store_dir: Path, host: PluginHost) -> Iterator[Session]:
    """An unlocked store (fast KDF) holding one Norfolk visit 1 under way, whose second
    action point has no owner and whose note is written in Markdown."""
    vault, _ = Vault.init(store_dir, PASSPHRASE, kdf=FLOOR_KDF)
    session = Session(vault, host)
    visit_id = add_visit(session, "norfolk-sipp", "Hill School", visit_type="visit-1",
                         assessor="Ann Assessor")
    opened = session.open(visit_id)
    opened.edit(
        lambda e: e.start(at=NOW),
        lambda e: e.set_answer("visit-1-summary", "Met the head and the chair of governors."),
        lambda e: e.set_answer("visit-1-evaluation", "Mathematics lags English."),
        lambda e: e.add_action("Review the maths scheme", owner="Head teacher",
                               due=date(2025, 4, 1), item_id="visit-1-actions"),
        lambda e: e.add_action("Brief the governors", item_id="visit-1-actions"),
        lambda e: e.add_note("**Chair** keen on <b>targets</b>", ["visit-1-summary"], at=NOW),
    )
    opened.close()
    yield session
    if not vault.closed:
        session.close()


def shown(app: AssessorApp) -> str:
    """The preview's text as rendered blocks (headings, paragraphs, table cells)."""
    record = app.screen.query_one("#record", Markdown)
    rendered = (block.render() for block in record.query("*"))
    return "\n".join(str(r) for r in rendered if isinstance(r, Content | Text | str))


def notices(app: AssessorApp) -> list[str]:
    return told(app)


async def open_preview(pilot) -> None:
    """From the visits list: open the only visit, then `p` for its record."""
    await open_only_visit(pilot)
    await pilot.press("p")
    await wait_for_screen(pilot, "PreviewScreen")


async def export_from_dialog(pilot, app: AssessorApp, fmt: str, path: Path,
                             table: str | None = None) -> None:
    """`e` on the preview, the format (and CSV table) and file typed over the defaults,
    enter."""
    await pilot.press("e")
    await wait_for_screen(pilot, "FormScreen")
    assert app.screen.query_one("#f-format", Input).value == "pdf"  # the default
    assert app.screen.query_one("#f-path", Input).value.endswith(".pdf")
    assert app.screen.query_one("#f-table", Input).value == "judgements"
    app.screen.query_one("#f-format", Input).value = fmt
    if table is not None:
        app.screen.query_one("#f-table", Input).value = table
    app.screen.query_one("#f-path", Input).value = str(path)
    app.screen.query_one("#f-path", Input).focus()
    await pilot.press("enter")
    await wait_for_screen(pilot, "PreviewScreen")


async def test_preview_shows_the_record_and_exports_it(host: PluginHost, store_dir: Path,
                                                       session: Session, tmp_path: Path) -> None:
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_preview(pilot)
        await wait_for(pilot, lambda: "Summary of activities" in shown(app),
                       what="the record in the preview")
        text = shown(app)
        for expected in ("Record of visit", "Hill School", "Ann Assessor",
                         "Before this record can be finalised",
                         "action point 2 (\u201cBrief the governors\u201d) has no owner",
                         "Met the head and the chair of governors.",
                         "**Chair** keen on <b>targets</b>",  # as typed, not bold
                         "Review the maths scheme", "Head teacher"):
            assert expected in text, expected

        await export_from_dialog(pilot, app, "docx", tmp_path / "record.pdf")
        target = tmp_path / "record.docx"  # the extension follows the format
        await wait_for(pilot, lambda: f"Exported to {target}" in notices(app),
                       what="the export notice")
        assert not (tmp_path / "record.pdf").exists()
        assert stat.S_IMODE(target.stat().st_mode) == 0o600  # a record is personal data
        doc = Document(str(target))
        assert ("Heading 1", "Summary of activities") in {(p.style.name, p.text)
                                                          for p in doc.paragraphs}
        assert "**Chair** keen on <b>targets</b>" in docx_text(target.read_bytes())

        await export_from_dialog(pilot, app, "PDF", tmp_path / "record.pdf")
        await wait_for(pilot, lambda: f"Exported to {tmp_path / 'record.pdf'}" in notices(app),
                       what="the PDF export notice")
        assert "Brief the governors" in pdf_text((tmp_path / "record.pdf").read_bytes())
        await pilot.press("ctrl+q")


async def test_export_dialog_refuses_an_unknown_format_and_an_unwritable_file(
    host: PluginHost, store_dir: Path, session: Session, tmp_path: Path
) -> None:
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_preview(pilot)
        await export_from_dialog(pilot, app, "odt", tmp_path / "record.odt")
        await wait_for(pilot, lambda: any("'odt' is not a format" in m for m in notices(app)),
                       what="the refusal")
        assert not (tmp_path / "record.odt").exists()

        missing = tmp_path / "no-such-folder" / "record.html"
        await export_from_dialog(pilot, app, "html", missing)
        await wait_for(pilot, lambda: any(m.startswith("Not exported:") for m in notices(app)),
                       what="the write error")
        assert type(app.screen).__name__ == "PreviewScreen"  # the app carries on
        await pilot.press("ctrl+q")


async def test_export_dialog_writes_either_csv_table(
    host: PluginHost, store_dir: Path, session: Session, tmp_path: Path
) -> None:
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_preview(pilot)
        await export_from_dialog(pilot, app, "csv", tmp_path / "actions.csv", table="Actions")
        await wait_for(pilot, lambda: any("actions.csv" in m for m in notices(app)),
                       what="the CSV export notice")
        actions = (tmp_path / "actions.csv").read_text(encoding="utf-8-sig")
        assert "Review the maths scheme" in actions and "Head teacher" in actions
        assert "Brief the governors" in actions
        await export_from_dialog(pilot, app, "csv", tmp_path / "other.csv", table="notes")
        await wait_for(pilot, lambda: any("no CSV table 'notes'" in m for m in notices(app)),
                       what="the refusal of an unknown table")
        assert not (tmp_path / "other.csv").exists()
        await pilot.press("ctrl+q")
