"""Hypothesis-made visits survive save → reopen, and export → import, unchanged."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from assessor_tui.domain.checks import EditRefused
from assessor_tui.session import Session
from assessor_tui.store import FLOOR_KDF, Vault
from tests.session.conftest import PASSPHRASE

TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40
).filter(str.strip)


@st.composite
def edit_plans(draw):
    """A framework and a list of (kind, arguments) edits drawn against it."""
    framework_id = draw(
        st.sampled_from(["ice-mark", "ba-sef", "community-cohesion", "c4eo-schools-communities"])
    )
    return framework_id, draw(
        st.lists(
            st.tuples(
                st.sampled_from(
                    [
                        "level",
                        "rationale",
                        "note",
                        "tick",
                        "action",
                        "answer",
                        "field",
                        "summary",
                        "delete-note",
                        "cell",
                        "row",
                        "entry",
                        "recommendation",
                        "evidence",
                    ]
                ),
                st.integers(0, 1000),
                TEXT,
            ),
            min_size=8,
            max_size=30,
        )
    )


def apply_plan(session: Session, framework_id: str, plan) -> str:
    opened = session.new_visit(framework_id, school="Hypothesis School", urn="100001")
    fw = opened.framework
    criteria = fw.criteria()
    prompts = [i for _, i in fw.items() if i.kind == "text"]
    tables = [i for _, i in fw.items() if i.kind == "table"]
    lists = [i for _, i in fw.items() if i.kind == "list"]
    for kind, n, text in plan:
        try:
            if kind == "level" and criteria:
                c = criteria[n % len(criteria)]
                scale = fw.scale(c.scale)
                opened.edit(
                    lambda e, c=c, s=scale, n=n: e.set_level(c.id, s.levels[n % len(s.levels)].id)
                )
            elif kind == "rationale" and criteria:
                c = criteria[n % len(criteria)]
                opened.edit(lambda e, c=c, t=text: e.set_rationale(c.id, t))
            elif kind == "note":
                ids = [criteria[n % len(criteria)].id] if criteria and n % 2 else []
                opened.edit(lambda e, t=text, ids=ids: e.add_note(t, ids, source="data"))
            elif kind == "tick":
                with_list = [c for c in criteria if c.checklist]
                if with_list:
                    c = with_list[n % len(with_list)]
                    entry = c.checklist.items[n % len(c.checklist.items)].id
                    opened.edit(
                        lambda e, c=c, en=entry, on=bool(n % 3): e.tick(c.id, en, checked=on)
                    )
            elif kind == "action":
                opened.edit(
                    lambda e, t=text, n=n: e.add_action(
                        t, owner="Head" if n % 2 else "", due="2027-03-01" if n % 3 else None
                    )
                )
            elif kind == "answer" and prompts:
                p = prompts[n % len(prompts)]
                opened.edit(lambda e, p=p, t=text: e.set_answer(p.id, t))
            elif kind == "field":
                with_fields = [c for c in criteria if c.fields]
                if with_fields:
                    c = with_fields[n % len(with_fields)]
                    opened.edit(lambda e, c=c, t=text: e.set_field(c.id, c.fields[0].id, t))
            elif kind == "summary":
                opened.edit(lambda e, t=text: e.set_summary(t))
            elif kind == "delete-note" and opened.visit.notes:
                note = opened.visit.notes[n % len(opened.visit.notes)]
                opened.edit(lambda e, i=note.id: e.delete(i))
            elif kind == "cell" and tables:
                t = tables[n % len(tables)]
                added = [r.id for r in opened.visit.rows if r.item_id == t.id and not r.row_id]
                rows = [r.id for r in t.rows] + added
                if rows:
                    row, col = rows[n % len(rows)], t.columns[n % len(t.columns)]
                    opened.edit(lambda e, t=t, r=row, c=col, v=text: e.set_cell(t.id, r, c.id, v))
            elif kind == "row" and tables:
                t = tables[n % len(tables)]
                opened.edit(lambda e, t=t, v=text: e.add_row(t.id, v))
            elif kind == "entry" and lists:
                item = lists[n % len(lists)]
                opened.edit(lambda e, i=item, v=text: e.add_entry(i.id, v))
            elif kind == "recommendation":
                opened.edit(lambda e, v=text: e.add_recommendation(v))
            elif kind == "evidence":
                ids = [criteria[n % len(criteria)].id] if criteria else []
                opened.edit(
                    lambda e, v=text, n=n, ids=ids: e.add_evidence(
                        v, kind="document", reference=f"REF-{n}", item_ids=ids
                    )
                )
        except EditRefused:
            pass
    visit_id = opened.visit.id
    opened.close()
    return visit_id


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(edit_plans())
def test_visits_survive_reopen_and_export_import(tmp_path_factory, host, plan) -> None:
    framework_id, edits = plan
    root: Path = tmp_path_factory.mktemp("rt")
    vault, _ = Vault.init(root / "a", PASSPHRASE, kdf=FLOOR_KDF)
    with Session(vault, host) as session:
        visit_id = apply_plan(session, framework_id, edits)
        before = session.open(visit_id)
        expected_visit = before.visit
        expected_records = dict(before.file.records)
        expected_outbox = before.file.outbox()
        event(f"records: {min(len(expected_records) // 5 * 5, 20)}+")
        exported = json.loads(json.dumps(session.export(visit_id)))
    with Session(Vault.unlock(root / "a", PASSPHRASE), host) as again:
        reopened = again.open(visit_id)
        assert reopened.visit == expected_visit
        assert reopened.file.records == expected_records
        assert reopened.file.outbox() == expected_outbox
    vault_b, _ = Vault.init(root / "b", PASSPHRASE, kdf=FLOOR_KDF)
    with Session(vault_b, host) as other:
        assert other.import_visit(exported) == visit_id
        imported = other.open(visit_id)
        assert imported.visit == expected_visit
        assert imported.file.records == expected_records
        assert imported.file.outbox() == expected_outbox
        reexported = other.export(visit_id)
    for doc in (exported, reexported):
        doc.pop("exported_at")
    assert reexported == exported
