"""The published JSON Schema is the model's, and it accepts what the loader accepts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from assessor_tui.frameworks.schema import framework_schema, schema_text

ROOT = Path(__file__).resolve().parents[2]


def test_published_schema_matches_the_model() -> None:
    published = (ROOT / "docs" / "framework.schema.json").read_text()
    assert published == schema_text(), (
        "docs/framework.schema.json is stale: run "
        "`python -m assessor_tui.frameworks.schema > docs/framework.schema.json`"
    )


def test_schema_command_prints_it() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "assessor_tui", "frameworks", "schema"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out) == framework_schema()


def test_schema_names_every_item_kind() -> None:
    schema = framework_schema()
    kinds = {
        d["properties"]["kind"]["const"]
        for d in schema["$defs"].values()
        if "kind" in d.get("properties", {}) and "const" in d["properties"]["kind"]
    }
    assert kinds == {"criterion", "table", "list", "checklist", "text", "actions"}
