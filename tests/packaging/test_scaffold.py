"""`assessor plugin new`: scaffold → install in a fresh venv → listed → its own tests pass."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.conftest import clean_env, fresh_venv

ASSESSOR = Path(sys.executable).with_name("assessor")
ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```python\n# (\S+)\n(.*?)^```$", re.M | re.S)


def scaffold(tmp_path: Path, name: str = "safeguarding-review") -> Path:
    subprocess.run(
        [str(ASSESSOR), "plugin", "new", name, "--path", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    return tmp_path / f"assessor-{name}"


def test_the_tutorial_shows_the_scaffolds_own_code(tmp_path: Path) -> None:
    """docs/plugins.md's code blocks headed by a file name are that file's code, verbatim, so
    the tutorial cannot drift from what `assessor plugin new` writes."""
    plugin = scaffold(tmp_path)
    blocks = BLOCK.findall((ROOT / "docs" / "plugins.md").read_text())
    shown = [(name, code) for name, code in blocks if not name.endswith(".yaml")]
    assert len(shown) >= 8
    for name, code in shown:
        assert code.strip() in (plugin / name).read_text(), f"docs/plugins.md: {name} differs"


def test_the_scaffolds_own_tests_pass_and_its_code_is_clean(tmp_path: Path) -> None:
    plugin = scaffold(tmp_path)
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "tests"],
        capture_output=True,
        text=True,
        cwd=plugin,
        env={**os.environ, "PYTHONPATH": str(plugin / "src")},
        timeout=300,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "7 passed" in tests.stdout
    lint = subprocess.run(
        [str(Path(sys.executable).with_name("ruff")), "check", "--isolated", "--select",
         "E,F,W,I", "--line-length", "100", "."],
        capture_output=True,
        text=True,
        cwd=plugin,
    )
    assert lint.returncode == 0, lint.stdout


def test_scaffold_refuses_bad_names_and_existing_folders(tmp_path: Path) -> None:
    bad = subprocess.run(
        [str(ASSESSOR), "plugin", "new", "Bad_Name", "--path", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert bad.stderr == (
        "assessor: 'Bad_Name' is not a plugin name: use lowercase words "
        "joined by hyphens, e.g. safeguarding-review\n"
    )
    subprocess.run(
        [str(ASSESSOR), "plugin", "new", "twice", "--path", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    again = subprocess.run(
        [str(ASSESSOR), "plugin", "new", "twice", "--path", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert again.stderr == (
        f"assessor: {tmp_path / 'assessor-twice'} already exists; nothing was written\n"
    )


@pytest.mark.slow
def test_scaffolded_plugin_installs_lists_and_passes_its_tests(tmp_path: Path, wheel: Path) -> None:
    plugin = scaffold(tmp_path)
    framework = plugin / "src" / "assessor_safeguarding_review" / "safeguarding-review.yaml"
    valid = subprocess.run(
        [str(ASSESSOR), "frameworks", "validate", str(framework)], capture_output=True, text=True
    )
    assert valid.returncode == 0, valid.stdout

    bin_dir = fresh_venv(tmp_path / "venv", str(wheel), "pytest")
    subprocess.run(  # as its README says: with the test extras (pytest-asyncio for the panel)
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "-e", f"{plugin}[test]"],
        check=True,
        timeout=600,
        env=clean_env(),
    )
    listed = subprocess.run(
        [str(bin_dir / "assessor"), "frameworks", "list", "--json"],
        check=True,
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=tmp_path,
        timeout=60,
    )
    rows = {r["id"]: r for r in json.loads(listed.stdout)}
    assert rows["safeguarding-review"]["plugin"] == "safeguarding-review"
    assert len(rows) == 6
    tests = subprocess.run(
        [str(bin_dir / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=plugin,
        timeout=300,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "7 passed" in tests.stdout
