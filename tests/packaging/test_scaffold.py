"""`assessor plugin new`: scaffold → install in a fresh venv → listed → its own tests pass."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.conftest import clean_env, fresh_venv

ASSESSOR = Path(sys.executable).with_name("assessor")


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
    subprocess.run(
        [str(ASSESSOR), "plugin", "new", "safeguarding-review", "--path", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    plugin = tmp_path / "assessor-safeguarding-review"
    framework = plugin / "src" / "assessor_safeguarding_review" / "safeguarding-review.yaml"
    valid = subprocess.run(
        [str(ASSESSOR), "frameworks", "validate", str(framework)], capture_output=True, text=True
    )
    assert valid.returncode == 0, valid.stdout

    bin_dir = fresh_venv(tmp_path / "venv", str(wheel), "pytest")
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "-e", str(plugin)],
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
    assert "4 passed" in tests.stdout
