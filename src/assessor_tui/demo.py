"""A throwaway store holding a realistic sample visit for each built-in framework.

``assessor demo`` opens the app on it, so a newcomer sees every kind of screen
at once. Nothing here touches the user's own store.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path

from assessor_tui.domain.edits import Editor
from assessor_tui.plugins.host import PluginHost
from assessor_tui.session import Session
from assessor_tui.store import FLOOR_KDF, Vault

DEMO_PASSPHRASE = "demo passphrase, not a secret"


def _at(start: datetime, minutes: int) -> datetime:
    return start + timedelta(minutes=minutes)


def _ice_mark(session: Session, start: datetime) -> None:
    start -= timedelta(days=7)
    v = session.new_visit(
        "ice-mark",
        school="Riverside Academy",
        urn="137246",
        local_authority="Norfolk",
        scheduled=start.date(),
        assessor="Demo Assessor",
    )
    v.edit(lambda e: e.start(at=start), lambda e: e.end(at=start + timedelta(minutes=175)))
    for sector in ("primary-schools", "further-education", "voluntary-organisations"):
        v.edit(partial(Editor.tick, item_id="partnerships-1", entry_id=sector))
    v.edit(
        lambda e: e.set_level("partnerships-1", "partly-met"),
        lambda e: e.set_rationale("partnerships-1", "Three sectors evidenced; FE link is new."),
        lambda e: e.set_level("partnerships-2", "met"),
        lambda e: e.set_level("leadership-1", "met"),
        lambda e: e.add_note(
            "Community manager: joint plan with the primary cluster since 2019",
            ["partnerships-1", "partnerships-2"],
            source="interview",
            with_whom="Community manager",
            at=_at(start, 12),
        ),
        lambda e: e.add_note(
            "Partnership agreement with the FE college, signed March",
            ["partnerships-3"],
            source="document",
            at=_at(start, 25),
        ),
        lambda e: e.add_evidence(
            "Community engagement strategy 2025",
            kind="policy",
            reference="CE-01",
            item_ids=["leadership-1"],
        ),
    )
    v.close()


def _ba_sef(session: Session, start: datetime) -> None:
    v = session.new_visit(
        "ba-sef",
        school="North Walsham Partnership",
        local_authority="Norfolk",
        scheduled=start.date(),
        assessor="Demo Assessor",
    )
    v.edit(lambda e: e.start(at=start))
    v.edit(
        lambda e: e.add_entry("secondary-schools", "North Walsham High School"),
        lambda e: e.add_entry("primary-schools", "Millfield Primary"),
        lambda e: e.set_level("1.1", "established"),
        lambda e: e.set_level("1.2", "developed"),
        lambda e: e.set_field("1.2", "development-focus", "Share termly attendance data"),
        lambda e: e.set_level("2.4", "developing"),
        lambda e: e.add_note(
            "Chair: every head attends; deputies deputise with full authority",
            ["1.1"],
            source="interview",
            with_whom="Chair of partnership",
            at=_at(start, 20),
        ),
    )
    table = session.framework("ba-sef").item("key-outcomes-table")
    # ba-sef's key-outcomes-table is a table with fixed rows (item() is typed Item | None)
    first_row = table.rows[0].id  # type: ignore[union-attr]
    v.edit(
        lambda e: e.set_cell("key-outcomes-table", first_row, "baseline", "4 of 9 good"),
        lambda e: e.set_cell("key-outcomes-table", first_row, "term-1", "5 of 9 good"),
    )
    v.close()


def _norfolk(session: Session, start: datetime) -> None:
    v = session.new_visit(
        "norfolk-sipp",
        school="Aylsham High School",
        urn="121152",
        local_authority="Norfolk",
        visit_type="visit-2",
        scheduled=start.date() + timedelta(days=14),
        assessor="Demo Assessor",
    )
    v.edit(
        lambda e: e.tick("visit-2-agenda", "1.1"),
        lambda e: e.set_cell("visit-2-sef-grades", "overall-effectiveness", "school-grade", "2"),
        lambda e: e.set_answer("visit-2-summary", "Met the head and chair; reviewed the SEF."),
        lambda e: e.add_action(
            "Update the SEF with the spring data",
            owner="Headteacher",
            due=date(2027, 2, 1),
            item_id="visit-2-actions",
        ),
        lambda e: e.add_action("Governors' self-review", item_id="visit-2-actions"),
    )
    v.close()


def _cohesion(session: Session, start: datetime) -> None:
    v = session.new_visit(
        "community-cohesion",
        school="Hill Primary School",
        urn="120998",
        scheduled=start.date() - timedelta(days=30),
    )
    v.edit(lambda e: e.start(at=start - timedelta(days=30)))
    v.edit(
        lambda e: e.set_level("1a", "embedded"),
        lambda e: e.set_field("1a", "next-steps", "Brief new governors in the autumn"),
        lambda e: e.set_level("1b", "under-way"),
    )
    v.close()


def _c4eo(session: Session, start: datetime) -> None:
    v = session.new_visit(
        "c4eo-schools-communities",
        school="Broadland Children's Services",
        scheduled=start.date() + timedelta(days=30),
    )
    v.edit(lambda e: e.set_answer("q1", "Every school an extended school by 2028."))
    v.close()


def make_demo_store(folder: Path, host: PluginHost, now: datetime | None = None) -> Session:
    """Create the demo store in ``folder`` and return it unlocked."""
    start = (now or datetime.now().astimezone()).replace(second=0, microsecond=0)
    start -= timedelta(minutes=40)
    vault, _ = Vault.init(folder, DEMO_PASSPHRASE, kdf=FLOOR_KDF)
    session = Session(vault, host)
    samples = {
        "c4eo-schools-communities": _c4eo,
        "community-cohesion": _cohesion,
        "norfolk-sipp": _norfolk,
        "ba-sef": _ba_sef,
        "ice-mark": _ice_mark,
    }
    for framework_id, make in samples.items():
        if framework_id in host.frameworks:  # a disabled plugin just has no sample
            make(session, start)
    return session
