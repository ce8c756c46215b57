"""What the store keeps for every edit: stamped records, a change log, tombstones."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from assessor_tui.domain.clock import parse
from assessor_tui.session import Session


def test_every_edit_is_a_stamped_record_and_a_logged_change(
    make_session: Callable[[str], Session],
) -> None:
    session = make_session("store")
    opened = session.new_visit("ba-sef", school="Hill School", urn="100001")
    visit_id = opened.visit.id
    assert uuid.UUID(visit_id).version == 7  # time-ordered ids
    device = session.repo.clock.device
    assert device == session.vault.device_id.replace("-", "")[:16]

    edits = [
        lambda e: e.set_level("1.1", "established"),
        lambda e: e.set_rationale("1.1", "Minutes seen"),
        lambda e: e.add_note("Met the head", ["1.1", "1.2"], source="interview"),
        lambda e: e.add_evidence("Board minutes", kind="minutes", reference="B-1"),
        lambda e: e.add_action("Share data", owner="Head", due="2027-01-31"),
    ]
    made = [change for edit in edits for change in opened.edit(edit)]
    note_id = made[2].record_id
    made += opened.edit(lambda e: e.delete(note_id))

    log = opened.file.outbox()
    assert [c.id for c in log][1:] == [c.id for c in made]  # after the visit's creation
    assert [(c.type, c.op) for c in log][-1] == ("note", "delete")
    stamps = [c.hlc for c in log]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    for record in opened.file.records.values():
        assert record.created <= record.updated
        assert record.device == device and parse(record.updated)[2] == device
    note = opened.file.records[note_id]
    assert note.deleted and note.data["text"] == "Met the head"  # a tombstone, kept
    assert [n.id for n in opened.visit.notes] == []
    opened.close()
    assert session.open(visit_id).file.records[note_id].deleted  # and so on disk
