"""A non-editable wheel install (what `pipx install .` does) gives a working `assessor`."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.packaging.conftest import clean_env, fresh_venv

BUILT_IN = ["ba-sef", "c4eo-schools-communities", "community-cohesion", "ice-mark", "norfolk-sipp"]


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_with_all_five_frameworks(
    tmp_path: Path, wheel: Path
) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for package in (
        "assessor_ice_mark",
        "assessor_ba_sef",
        "assessor_norfolk_sipp",
        "assessor_community_cohesion",
        "assessor_c4eo",
    ):
        assert f"{package}/__init__.py" in names
    for fid in BUILT_IN:  # the symlinked files are shipped as their real content
        yaml_name = next(n for n in names if n.endswith(f"/{fid}.yaml"))
        assert f"\nid: {fid}\n".encode() in zipfile.ZipFile(wheel).read(yaml_name)
    assert "assessor_tui/scaffold/plugin.py.tmpl" in names

    bin_dir = fresh_venv(tmp_path / "venv", str(wheel))
    out = subprocess.run(
        [str(bin_dir / "assessor"), "frameworks", "list", "--json"],
        check=True,
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=tmp_path,
        timeout=60,
    )
    rows = json.loads(out.stdout)
    assert [r["id"] for r in rows] == BUILT_IN
    assert all(r["plugin"] == r["id"] for r in rows)
    plugins = subprocess.run(
        [str(bin_dir / "assessor"), "plugins", "list", "--json"],
        check=True,
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=tmp_path,
        timeout=60,
    )
    assert {p["status"] for p in json.loads(plugins.stdout)} == {"ok"}
