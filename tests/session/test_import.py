"""An import file comes from outside: what would name a file in the store is checked first,
and a refused import says where the problem is and writes nothing."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assessor_tui.session import Session, SessionError


@pytest.fixture
def exported(make_session: Callable[[str], Session]) -> dict[str, Any]:
    session = make_session("source")
    opened = session.new_visit("ice-mark", school="Hill School")
    blob_id = session.vault.put_blob(b"minutes of the partnership board")
    opened.edit(lambda e: e.add_evidence("Board minutes", blob_id=blob_id))
    visit_id = opened.visit.id
    opened.close()
    return session.export(visit_id)


def _spoil_visit_id(doc: dict[str, Any], value: str) -> None:
    header = next(r for r in doc["records"] if r["type"] == "visit")
    header["id"] = value
    for item in doc["records"] + doc["outbox"]:
        item["visit_id"] = value
    for change in doc["outbox"]:
        if change["type"] == "visit":
            change["record_id"] = value


def _bad_base64(doc: dict[str, Any]) -> None:
    doc["blobs"] = {blob_id: "not base64!" for blob_id in doc["blobs"]}


def _bad_blob_id(doc: dict[str, Any]) -> None:
    doc["blobs"] = {"../../store.key": next(iter(doc["blobs"].values()))}


CASES = {
    "attachment not base64": (_bad_base64, r"^not an exported visit: blobs\.[0-9a-f]{32}: .*64"),
    "attachment id a path": (_bad_blob_id, r"^not an exported visit: blobs\.\.\./\.\./store\.key"),
    "visit id not a UUID": (
        lambda doc: _spoil_visit_id(doc, "../index"),
        r"^not an exported visit: records: .*visit id '\.\./index' is not a UUID",
    ),
    "visit id in capitals": (
        lambda doc: _spoil_visit_id(doc, doc["records"][0]["visit_id"].upper()),
        r"^not an exported visit: records: .*must be written '[0-9a-f-]{36}'",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_import_is_refused_before_anything_is_written(
    case: str,
    exported: dict[str, Any],
    make_session: Callable[[str], Session],
    tmp_path: Path,
) -> None:
    spoil, message = CASES[case]
    doc = copy.deepcopy(exported)
    spoil(doc)
    target = make_session("target")
    with pytest.raises(SessionError, match=message):
        target.import_visit(doc)
    assert target.vault.visit_ids() == [] and target.vault.blob_ids() == []
    assert target.import_visit(exported) == exported["visit"]["id"]  # the real one goes in


def test_export_import_export_is_lossless_with_attachments(
    exported: dict[str, Any], make_session: Callable[[str], Session]
) -> None:
    """The attachment keeps its id, so the evidence record and the change log that name it
    are exactly as exported, and the file still opens from the imported visit."""
    target = make_session("target")
    visit_id = target.import_visit(copy.deepcopy(exported))
    assert target.export(visit_id) == exported
    (evidence,) = target.open(visit_id).visit.evidence
    assert target.vault.get_blob(evidence.blob_id) == b"minutes of the partnership board"
    with pytest.raises(Exception, match="is already in this store"):
        target.import_visit(exported)
    assert target.vault.blob_ids() == [evidence.blob_id]


def test_importing_a_visit_of_a_missing_framework_names_the_plugin(
    exported: dict[str, Any], make_session: Callable[[str], Session]
) -> None:
    doc = copy.deepcopy(exported)
    for item in doc["records"] + doc["outbox"]:
        for fields in (item.get("data"), item.get("fields")):
            if fields and "framework_id" in fields:
                fields["framework_id"] = "no-such-framework"
    target = make_session("target")
    with pytest.raises(SessionError) as refused:
        target.import_visit(doc)
    assert str(refused.value).startswith(
        "this visit needs framework 'no-such-framework' version 1, which no installed plugin "
        "provides: install the plugin that provides 'no-such-framework'")
    assert target.vault.visit_ids() == [] and target.vault.blob_ids() == []
