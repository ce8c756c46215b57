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


def _validator():
    from jsonschema import Draft202012Validator

    schema = json.loads((ROOT / "docs" / "framework.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_shipped_files_and_the_docs_example_pass_the_published_schema() -> None:
    """An editor or CI of a plugin author checks files against the published schema:
    every file we ship, and the worked example, must pass it."""
    import yaml

    validator = _validator()
    docs = (ROOT / "docs" / "frameworks.md").read_text().split("```yaml\n")[1:]
    example = next(b.split("```")[0] for b in docs if b.startswith("format: 1"))
    documents = {p.name: p.read_text() for p in sorted((ROOT / "frameworks").glob("*.yaml"))}
    documents["frameworks.md"] = example
    assert len(documents) == 6
    for name, text in documents.items():
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(text))]
        assert errors == [], name


def test_the_schema_refuses_what_the_loader_refuses_for_its_shape() -> None:
    import yaml

    validator = _validator()
    good = yaml.safe_load((ROOT / "frameworks" / "community-cohesion.yaml").read_text())
    unknown_kind = json.loads(json.dumps(good))
    unknown_kind["sections"][0]["items"][0]["kind"] = "slider"
    missing_id = json.loads(json.dumps(good))
    del missing_id["id"]
    wrong_type = json.loads(json.dumps(good))
    wrong_type["sections"] = "all of them"
    for bad in (unknown_kind, missing_id, wrong_type):
        assert list(validator.iter_errors(bad)), bad.get("id")
