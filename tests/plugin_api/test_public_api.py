"""`assessor_tui.plugin_api`, the one module plugins import from: its names are listed on
purpose, each resolves, and the built-in plugins, the scaffold and the tutorial use only it."""

from __future__ import annotations

import re
from pathlib import Path

import assessor_tui.plugin_api as api

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = [
    "API_VERSION",
    "NOT_RECORDED",
    "ActionPoint",
    "Actions",
    "Block",
    "BulletList",
    "Change",
    "Checklist",
    "CommandFunction",
    "CommandResult",
    "Criterion",
    "Edit",
    "EditRefused",
    "Editor",
    "Evidence",
    "Finding",
    "Framework",
    "Heading",
    "Item",
    "ListItem",
    "Note",
    "NoteList",
    "Paragraph",
    "Scale",
    "Section",
    "Table",
    "TableItem",
    "TextPrompt",
    "Visit",
    "VisitType",
    "actions_blocks",
    "answer_blocks",
    "checklist_blocks",
    "criterion_blocks",
    "generic_body",
    "hookimpl",
    "item_blocks",
    "item_heading",
    "level_label",
    "list_blocks",
    "notes_block",
    "recommendations_blocks",
    "summary_blocks",
    "table_blocks",
    "text_blocks",
    "visit_sections",
    "visit_type",
]
"""Every public name. Adding one is a promise to plugin authors; removing one breaks their
plugins and needs a new major API_VERSION."""
ASSESSOR_IMPORT = re.compile(r"^\s*(?:from|import)\s+(assessor_tui[\w.]*)", re.M)
ALLOWED = {"assessor_tui.plugin_api"}
ALLOWED_IN_TESTS = ALLOWED | {"assessor_tui.testing"}


def public_order(name: str) -> tuple[bool, bool, str]:
    """How ruff sorts ``__all__`` (RUF022): constants, then classes, then the rest."""
    return (not name.isupper(), not name[:1].isupper(), name)


def test_the_public_names_are_exactly_these_sorted() -> None:
    assert api.__all__ == PUBLIC
    assert api.__all__ == sorted(api.__all__, key=public_order)


def test_every_public_name_resolves() -> None:
    missing = [name for name in api.__all__ if getattr(api, name, None) is None]
    assert missing == []


def test_the_framework_table_and_the_record_table_are_told_apart() -> None:
    assert api.TableItem.__module__ == "assessor_tui.frameworks.model"
    assert api.Table.__module__ == "assessor_tui.record.document"


def test_the_helpers_plugins_need_are_reached_through_the_api() -> None:
    """The helpers the built-in plugins use are methods of the public classes."""
    for owner, method in [
        (api.Visit, "notes_for"),
        (api.Visit, "evidence_for"),
        (api.Framework, "next_item"),
        (api.Framework, "items"),
    ]:
        assert callable(getattr(owner, method)), f"{owner.__name__}.{method}"


def imports_of(text: str) -> set[str]:
    return set(ASSESSOR_IMPORT.findall(text))


def test_built_in_plugins_import_only_the_plugin_api() -> None:
    """import-linter checks this too; the test names the file that strays."""
    for path in sorted((ROOT / "plugins").glob("assessor_*/*.py")):
        assert imports_of(path.read_text(encoding="utf-8")) <= ALLOWED, path.name


def test_the_scaffold_imports_only_the_plugin_api_and_its_tests_the_kit() -> None:
    scaffold = ROOT / "src" / "assessor_tui" / "scaffold"
    for path in sorted(scaffold.glob("*.py.tmpl")):
        allowed = ALLOWED_IN_TESTS if path.name.startswith("test_") else ALLOWED
        assert imports_of(path.read_text(encoding="utf-8")) <= allowed, path.name


def test_the_tutorial_shows_imports_only_from_the_plugin_api() -> None:
    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    assert imports_of(text) <= ALLOWED_IN_TESTS
    assert "from assessor_tui.plugin_api import" in text
