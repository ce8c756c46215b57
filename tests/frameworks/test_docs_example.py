"""The worked example in docs/frameworks.md is a valid framework file."""

from __future__ import annotations

import re
from pathlib import Path

from assessor_tui.frameworks.loader import load_bytes
from assessor_tui.frameworks.model import Criterion, Table

DOC = Path(__file__).resolve().parents[2] / "docs" / "frameworks.md"


def test_worked_example_loads() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), flags=re.S)
    example = next(b for b in blocks if b.startswith("format: 1"))
    fw = load_bytes(example.encode(), "frameworks.md")
    assert fw.id == "safeguarding-review"
    assert [i.kind for _, i in fw.items()] == [
        "criterion",
        "table",
        "list",
        "checklist",
        "text",
        "actions",
    ]
    criterion = fw.criteria()[0]
    assert isinstance(criterion, Criterion)
    assert criterion.checklist is not None and criterion.checklist.min_checked == 2
    table = fw.item("training")
    assert isinstance(table, Table) and table.extendable
    assert fw.visit_types[0].record == "required"
