"""Export of a full-size visit to each format: the time an assessor waits at the end of
a visit for the record (goal: under one second each).

The visit: ICE Mark plus a sixth area of 26 criteria, so 60 criteria all judged with a
rationale, 300 notes of ~400 characters (most linked to a criterion, some not), 50
evidence items and 10 action points, built in memory through the same validated edits
the app makes. ``python -m bench.bench_reports`` prints the table.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bench.harness import median, ms, percentile, print_rows, timings

if TYPE_CHECKING:
    from assessor_tui.domain.records import Change
    from assessor_tui.domain.visit import Visit
    from assessor_tui.frameworks.model import Framework
    from assessor_tui.plugins.host import PluginHost

REPEAT = 7
WORDS = ("pupils", "governors", "partnership", "attendance", "behaviour", "evidence",
         "leadership", "curriculum", "community", "outcomes", "inclusion", "staff", "parents",
         "survey", "policy", "review", "termly", "strategy", "data", "progress", "wellbeing")


def _framework() -> tuple[PluginHost, Framework]:
    """The built-in plugins, and ICE Mark grown to 60 criteria."""
    import assessor_ba_sef
    import assessor_c4eo
    import assessor_community_cohesion
    import assessor_ice_mark
    import assessor_norfolk_sipp
    from assessor_tui.frameworks.model import Framework
    from assessor_tui.plugins.host import load_host

    plugins = [("ba-sef", assessor_ba_sef), ("c4eo-schools-communities", assessor_c4eo),
               ("community-cohesion", assessor_community_cohesion),
               ("ice-mark", assessor_ice_mark), ("norfolk-sipp", assessor_norfolk_sipp)]
    host = load_host(entry_points=False, plugins=plugins, blocked=())
    ice = host.framework("ice-mark")
    assert ice is not None
    data = ice.to_dict()
    data["sections"].append({
        "id": "extra",
        "title": "A sixth area (benchmark only)",
        "items": [{"kind": "criterion", "id": f"extra-{n}", "title": f"Extra criterion {n}",
                   "scale": "ice-validation"} for n in range(1, 27)],
    })
    return host, Framework.model_validate(data)


def full_size_visit() -> tuple[PluginHost, Framework, Visit, dict[str, Any]]:
    """(host, framework, visit, lossless export) for one full-size ICE Mark visit."""
    from assessor_tui.domain.assemble import assemble
    from assessor_tui.domain.clock import HybridClock
    from assessor_tui.domain.edits import Editor
    from assessor_tui.domain.exchange import EXPORT_FORMAT, ExportFile
    from assessor_tui.domain.new_visit import new_visit_change
    from assessor_tui.domain.records import apply_change

    rng = random.Random(6)
    host, framework = _framework()
    clock = HybridClock("bench")
    records: dict[str, Any] = {}
    changes = []

    def apply(change: Change) -> None:
        records[change.record_id] = apply_change(records.get(change.record_id), change)
        changes.append(change)

    def words(n: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(n))

    apply(new_visit_change(framework, clock, school="Hill School", assessor="Ann Assessor",
                           scheduled=date(2026, 3, 5)))
    visit = assemble(records.values())
    start = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)

    def edit(fn: Callable[[Editor], Change]) -> None:
        nonlocal visit
        apply(fn(Editor(framework, visit, records, clock)))
        visit = assemble(records.values())

    criteria = [c.id for c in framework.criteria()]
    levels = ["met", "partly-met", "not-met"]
    edit(lambda e: e.start(at=start))
    # edits straight into the records (assembling after each would dominate the set-up)
    e = Editor(framework, visit, records, clock)
    for n, cid in enumerate(criteria):
        apply(e.set_level(cid, levels[n % 3]))
        apply(e.set_rationale(cid, words(40)))
    for n in range(300):
        linked = [criteria[n % len(criteria)]] if n % 5 else []
        apply(e.add_note(words(60), linked, source="interview", with_whom="Head teacher",
                         at=start + timedelta(seconds=30 * n)))
    for n in range(50):
        apply(e.add_evidence(f"Document {n}: {words(4)}", kind="document",
                             reference=f"D-{n}", item_ids=[criteria[n % len(criteria)]]))
    for n in range(10):
        apply(e.add_action(words(12), owner="Deputy head", due=date(2026, 4, 1 + n)))
    apply(e.end(at=start + timedelta(hours=3)))
    visit = assemble(records.values())
    lossless = ExportFile(
        format=EXPORT_FORMAT, version=1, exported_at=start.isoformat(),
        visit=visit.model_dump(mode="json"),
        records=sorted(records.values(), key=lambda r: (r.created, r.id)),
        outbox=changes,
    ).model_dump(mode="json")
    return host, framework, visit, lossless


def run() -> list[tuple[str, str, str]]:
    from assessor_tui import reports

    host, framework, visit, lossless = full_size_visit()
    assert len(visit.judgements) == 60 and len(visit.notes) == 300 and len(visit.evidence) == 50
    rows = []
    build = timings(lambda: reports.build_record(visit, framework, host), repeat=REPEAT)
    rows.append((f"build the record (document model; median of {REPEAT}; p90)",
                 f"{ms(median(build))}; {ms(percentile(build, 90))}", "-"))
    for fmt in reports.FORMATS:
        def export(fmt: str = fmt) -> bytes:
            return reports.export_visit(visit, framework, host, fmt, lossless=lossless)

        size = len(export())
        times = timings(export, repeat=REPEAT)
        rows.append((f"export to {fmt} ({size / 1024:.0f} KiB; median of {REPEAT}; p90)",
                     f"{ms(median(times))}; {ms(percentile(times, 90))}", "< 1000 ms"))
    preview = timings(lambda: reports.record_markdown(visit, framework, host), repeat=REPEAT)
    rows.append(("record_markdown() for the TUI preview (median)", ms(median(preview)),
                 "< 1000 ms"))
    return rows


if __name__ == "__main__":
    print_rows("Reports (full-size visit: 60 judgements, 300 notes, 50 evidence items)", run())
