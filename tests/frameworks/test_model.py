"""A loaded framework is immutable: the app and every plugin share the one instance."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest
from pydantic import ValidationError

from assessor_tui.frameworks.loader import load_file
from assessor_tui.frameworks.model import Criterion, Framework

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ba_sef() -> Framework:
    return load_file(ROOT / "frameworks" / "ba-sef.yaml")


def test_fields_cannot_be_reassigned(ba_sef: Framework) -> None:
    with pytest.raises(ValidationError, match="frozen"):
        ba_sef.title = "Something else"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        ba_sef.criteria()[0].scale = "other"  # type: ignore[misc]
    assert isinstance(ba_sef.sections, tuple)
    assert isinstance(ba_sef.sections[0].items, tuple)


def test_descriptors_cannot_be_changed_in_place(ba_sef: Framework) -> None:
    """The one mapping in the model: a plugin's stray write would rewrite it for everyone."""
    criterion = ba_sef.item("1.1")
    assert isinstance(criterion, Criterion) and criterion.descriptors is not None
    before = dict(criterion.descriptors)
    for change in (
        lambda d: d.__setitem__("developing", "rewritten"),
        lambda d: d.update(developing="rewritten"),
        lambda d: d.pop("developing"),
        lambda d: d.setdefault("extra", "added"),
        lambda d: d.clear(),
    ):
        with pytest.raises(TypeError, match="a loaded framework cannot be changed"):
            change(criterion.descriptors)
    assert dict(criterion.descriptors) == before
    assert ba_sef.to_dict()["sections"][3]["items"][0]["descriptors"] == before


def test_copies_are_equal_and_still_immutable(ba_sef: Framework) -> None:
    for copied in (pickle.loads(pickle.dumps(ba_sef)), copy.deepcopy(ba_sef)):
        assert copied == ba_sef
        criterion = copied.item("1.1")
        assert isinstance(criterion, Criterion) and criterion.descriptors is not None
        with pytest.raises(TypeError):
            criterion.descriptors["developing"] = "rewritten"
