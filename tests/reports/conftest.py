"""Visits as an assessor leaves them, for every framework, built in memory; and readers
that turn each export format back into plain text the way a person would see it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
from tests.domain.conftest import Session
from tests.tui.conftest import BUILT_INS

from assessor_tui.plugins.host import PluginHost, load_host

TZ = timezone(timedelta(hours=1))
START = datetime(2026, 3, 5, 9, 0, tzinfo=TZ)

HOSTILE = (
    "**not bold** <script>alert('x')</script> <b>tag</b> &amp; [link](http://evil.example) "
    "`code` | pipe\n# not a heading\n1. not a list\n=SUM(A1:A9)\n"
    "emoji 😀🎉 right-to-left שלום עולם مرحبا بالعالم ctrl\x07\x1b[31m end {nb} "
    + "long" * 120
)
"""Text an assessor might paste: Markdown, HTML, a formula, emoji, RTL, control bytes."""
HOSTILE_VISIBLE = ("**not bold**", "<script>alert('x')</script>", "<b>tag</b>", "&amp;",
                   "# not a heading", "1. not a list", "שלום עולם", "{nb}")


@pytest.fixture(scope="session")
def host() -> PluginHost:
    return load_host(entry_points=False, plugins=BUILT_INS, blocked=())


Make = Callable[..., Session]


@pytest.fixture
def make(host: PluginHost) -> Make:
    def build(framework_id: str, **visit: object) -> Session:
        framework = host.framework(framework_id)
        assert framework is not None
        visit.setdefault("school", "Hill School")
        visit.setdefault("assessor", "Ann Assessor")
        visit.setdefault("urn", "123456")
        visit.setdefault("scheduled", date(2026, 3, 5))
        session = Session(framework, **visit)
        session.do(lambda e: e.start(at=START))
        return session

    return build


def note(session: Session, text: str, items: tuple[str, ...] = (), minutes: int = 10,
         **kw: str) -> None:
    session.do(lambda e: e.add_note(text, items, at=START + timedelta(minutes=minutes), **kw))


def finish(session: Session, minutes: int = 170) -> None:
    session.do(lambda e: e.end(at=START + timedelta(minutes=minutes)))


def ice_visit(make: Make) -> Session:
    """Two partnership criteria validated, sectors short of five, notes linked and not."""
    s = make("ice-mark")
    s.do(lambda e: e.set_level("partnerships-1", "met"))
    s.do(lambda e: e.set_rationale("partnerships-1", "Partners listed in the plan."))
    for sector in ("primary-schools", "further-education", "higher-education"):
        s.do(lambda e, sector=sector: e.tick("partnerships-1", sector))
    s.do(lambda e: e.set_level("partnerships-2", "partly-met"))
    s.do(lambda e: e.set_level("leadership-1", "not-met"))
    note(s, "Head listed seven partners from memory", ("partnerships-1",), 15,
         source="interview", with_whom="Head teacher")
    note(s, "Car park full at 9am", (), 20)
    s.do(lambda e: e.add_evidence("Partnership agreement 2025", kind="document",
                                  reference="P-12", item_ids=["partnerships-1"]))
    finish(s)
    return s


def sectors_ids(session: Session) -> list[str]:
    criterion = session.framework.item("partnerships-1")
    return [e.id for e in criterion.checklist.items]  # type: ignore[union-attr]


def norfolk_visit(make: Make, visit_type: str = "visit-1", *, owner: str = "Head teacher",
                  due: date | None = date(2026, 4, 1)) -> Session:
    s = make("norfolk-sipp", visit_type=visit_type)
    answers = {
        "visit-1": {
            "summary": "Met the head and chair of governors; reviewed RAISEonline data.",
            "evaluation": "Progress in English is strong; mathematics lags.",
            "strengths-weaknesses": "Strength: English value added. Weakness: maths.",
            "comparison": "Above the local indicator, below the national one in maths.",
            "rationale": "Staff turnover in the maths department.",
            "targets": "62% five A*-C including English and maths in 2013.",
            "recommendations": "Recruit a second maths lead.",
        },
        "visit-2": {
            "summary": "Validated the SEF with the head.",
            "evaluation": "Self-evaluation is accurate and well evidenced.",
            "self-evaluation": "The SEF is rigorous; evidence files are thorough.",
            "recommendations": "Share the SEF with governors.",
        },
        "visit-3": {
            "summary": "Monitored improvement planning; observed two lessons.",
            "evaluation": "Planning is effective.",
            "planning": "The improvement plan is sharply focused.",
            "initiatives": "The literacy initiative has raised reading ages.",
            "report-to-governors": "Annual report drafted for the spring meeting.",
            "recommendations": "Evaluate the literacy initiative in June.",
        },
        "visit-4": {
            "objectives": "Three performance objectives agreed with governors.",
            "smart-objectives": "Raise maths attainment by 5% by July, monitored termly.",
            "comments": "Governors well prepared.",
        },
    }[visit_type]
    for suffix, text in answers.items():
        s.do(lambda e, suffix=suffix, text=text: e.set_answer(f"{visit_type}-{suffix}", text))
    if visit_type == "visit-2":
        s.do(lambda e: e.set_cell("visit-2-sef-grades", "achievement", "school-grade", "2"))
        s.do(lambda e: e.set_cell("visit-2-sef-grades", "achievement", "agreed-grade", "3"))
    if visit_type != "visit-4":
        s.do(lambda e: e.add_action("Review the maths scheme of work", owner=owner, due=due,
                                    item_id=f"{visit_type}-actions"))
    note(s, "Chair keen on targets", (f"{visit_type}-summary",) if visit_type != "visit-4"
         else (), 30)
    finish(s)
    return s


def ba_sef_visit(make: Make) -> Session:
    s = make("ba-sef")
    s.do(lambda e: e.set_level("1.1", "established"))
    s.do(lambda e: e.set_level("1.2", "developing"))
    s.do(lambda e: e.set_field("1.2", "development-focus", "Share attendance data termly"))
    s.do(lambda e: e.set_cell("key-outcomes-table", "overall-absence", "baseline", "6.1"))
    s.do(lambda e: e.set_cell("key-outcomes-table", "overall-absence", "term-1", "5.4"))
    row = s.do(lambda e: e.add_row("local-outcomes-table", "Reduce lateness"))
    s.do(lambda e: e.set_cell("local-outcomes-table", row.record_id, "baseline", "12"))
    s.do(lambda e: e.add_entry("secondary-schools", "Hill School"))
    note(s, "Data shared at heads' meeting", ("1.2",), 25)
    finish(s)
    return s


def cohesion_visit(make: Make) -> Session:
    s = make("community-cohesion")
    s.do(lambda e: e.set_level("1a", "embedded"))
    s.do(lambda e: e.set_field("1a", "next-steps", "Brief new governors in May"))
    s.do(lambda e: e.set_level("2a", "planned"))
    note(s, "Briefing minutes seen", ("1a",), 12)
    finish(s)
    return s


def c4eo_visit(make: Make) -> Session:
    s = make("c4eo-schools-communities")
    s.do(lambda e: e.set_level("priority-1", "developing"))
    s.do(lambda e: e.set_answer("priority-1", "Gap narrowed by 3 points"))
    s.do(lambda e: e.set_answer("q1", "Every school a community hub"))
    s.do(lambda e: e.set_answer("q7", "Pilot a family learning programme"))
    s.do(lambda e: e.add_action("Draft the pilot plan", owner="Deputy head",
                                due=date(2026, 6, 1)))
    finish(s)
    return s


# ---------------------------------------------------------------- readers


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False

    def handle_data(self, data: str) -> None:
        if not self.in_style:
            self.parts.append(data)


def html_text(markup: str) -> tuple[str, list[str]]:
    """The text a browser shows, and every tag it would build."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts), parser.tags


def docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def squash(text: str) -> str:
    """Whitespace-insensitive, for text a PDF wraps over several lines."""
    return "".join(text.split())


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path
