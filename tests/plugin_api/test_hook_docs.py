"""Every hook has a test of its own and a docs entry with its exact signature."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from assessor_tui.plugins import hookspecs

ROOT = Path(__file__).resolve().parents[2]


def hooks() -> dict[str, str]:
    """Hook name → signature as the docs must show it."""
    return {
        name: f"{name}{inspect.signature(fn)}".replace("'", "")
        for name, fn in vars(hookspecs).items()
        if callable(fn) and hasattr(fn, "assessor_tui_spec")
    }


def test_every_hook_is_documented_with_its_exact_signature() -> None:
    docs = (ROOT / "docs" / "plugins.md").read_text()
    documented = set(re.findall(r"^### `(\w+)\(", docs, flags=re.M))
    missing = [sig for name, sig in hooks().items() if f"### `{sig}`" not in docs]
    assert missing == [], "docs/plugins.md lacks (or has a stale signature for) these hooks"
    assert documented == set(hooks()), "docs/plugins.md documents hooks that do not exist"


def test_every_hook_has_a_test_of_its_own() -> None:
    tests = "\n".join(p.read_text() for p in (ROOT / "tests").rglob("test_*.py"))
    untested = [name for name in hooks() if f"def test_hook_{name}(" not in tests]
    assert untested == []
