"""`assessor frameworks …` and `assessor plugins list`, as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.distributions import make_distribution

Run = Callable[..., subprocess.CompletedProcess[str]]

BUILT_IN = ["ba-sef", "c4eo-schools-communities", "community-cohesion", "ice-mark", "norfolk-sipp"]

LOCAL = """\
format: 1
id: local-framework
version: "2024.1"
title: A local framework
publisher: A local authority
source: Our own guidance, 2024
scales:
  - id: yn
    levels: [{id: "no", label: "No"}, {id: "yes", label: "Yes"}]
sections:
  - id: s1
    title: Safeguarding
    items:
      - {kind: criterion, id: c1, title: Single central record checked, scale: yn}
      - {kind: criterion, id: c2, title: Training log seen, scale: yn}
"""


def test_list_shows_the_five_built_in_frameworks(assessor: Run) -> None:
    result = assessor("frameworks", "list", "--json", check=True)
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == BUILT_IN
    for row in rows:
        assert row["plugin"] == row["id"]
        assert row["items"] >= row["criteria"]
        assert row["version"] and row["title"]
    by_id = {r["id"]: r for r in rows}
    assert by_id["ice-mark"]["criteria"] == 34
    assert by_id["ba-sef"]["criteria"] == 21
    assert by_id["community-cohesion"]["criteria"] == 12
    assert by_id["norfolk-sipp"]["items"] == 28
    assert result.stderr == ""


def test_list_as_a_table(assessor: Run) -> None:
    out = assessor("frameworks", "list", check=True).stdout.splitlines()
    assert out[0].split() == ["ID", "VERSION", "CRITERIA", "ITEMS", "PLUGIN", "TITLE"]
    assert [line.split()[0] for line in out[1:]] == BUILT_IN


def test_a_dropped_yaml_file_appears_and_a_bad_one_is_reported(
    assessor: Run, tmp_path: Path
) -> None:
    folder = tmp_path / "frameworks"
    folder.mkdir()
    (folder / "local.yaml").write_text(LOCAL)
    (folder / "broken.yaml").write_text(LOCAL.replace("scale: yn}", "scale: stars}", 1))
    result = assessor("frameworks", "list", "--frameworks-dir", str(folder))
    assert result.returncode == 0
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:]}
    assert lines["local-framework"][:5] == [
        "local-framework",
        "2024.1",
        "2",
        "2",
        "user-frameworks",
    ]
    assert result.stderr == (
        "warning: skipped broken.yaml:14: sections[0].items[0].scale: unknown scale 'stars'; "
        "defined scales: yn\n"
    )


def test_dropped_files_that_used_to_crash_the_listing_are_reported(
    assessor: Run, tmp_path: Path
) -> None:
    """An impossible date, an alias inside its own anchor: each is one warning line."""
    folder = tmp_path / "frameworks"
    folder.mkdir()
    (folder / "dated.yaml").write_text(LOCAL.replace('"2024.1"', "2024-13-01"))
    (folder / "loop.yaml").write_text(LOCAL.replace("id: local-framework", "id: &me [*me]"))
    result = assessor("frameworks", "list", "--json", "--frameworks-dir", str(folder))
    assert result.returncode == 0
    assert [r["id"] for r in json.loads(result.stdout)] == BUILT_IN
    assert result.stderr.splitlines() == [
        "warning: skipped dated.yaml:3: cannot read '2024-13-01' as a date: "
        "month must be in 1..12; put it in quotes if it is text",
        "warning: skipped loop.yaml:2: alias '*me' is inside its own anchor '&me', "
        "so it never ends",
    ]


def test_data_dir_frameworks_folder_is_the_default(assessor: Run, tmp_path: Path) -> None:
    (tmp_path / "frameworks").mkdir()
    (tmp_path / "frameworks" / "local.yaml").write_text(LOCAL)
    result = assessor("--data-dir", str(tmp_path), "frameworks", "list", "--json", check=True)
    assert "local-framework" in [r["id"] for r in json.loads(result.stdout)]


def test_show_json_is_the_format_1_vocabulary(assessor: Run) -> None:
    data = json.loads(assessor("frameworks", "show", "ba-sef", "--json", check=True).stdout)
    assert data["format"] == 1
    assert data["id"] == "ba-sef"
    assert {"version", "title", "publisher", "source", "scales", "sections"} <= set(data)
    criterion = next(i for s in data["sections"] for i in s["items"] if i["id"] == "1.1")
    assert criterion["kind"] == "criterion"
    assert criterion["scale"] == "ba-level"
    assert list(criterion["descriptors"]) == ["developing", "developed", "established", "enhancing"]
    assert criterion["fields"][0]["id"] == "development-focus"


def test_show_json_round_trips_through_validate(assessor: Run, tmp_path: Path) -> None:
    """What `show --json` prints is itself a valid framework file (JSON is YAML)."""
    for fid in BUILT_IN:
        path = tmp_path / f"{fid}.yaml"
        path.write_text(assessor("frameworks", "show", fid, "--json", check=True).stdout)
        result = assessor("frameworks", "validate", str(path))
        assert result.returncode == 0, result.stdout


def test_show_outline(assessor: Run) -> None:
    out = assessor("frameworks", "show", "ice-mark", check=True).stdout
    assert "ice-validation: Not met < Partly met < Met (also: Not seen)" in out
    assert "checklist of 7 (at least 5)" in out


def test_show_unknown_framework_is_one_line(assessor: Run) -> None:
    result = assessor("frameworks", "show", "nope")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "assessor: no framework 'nope' (installed: " + ", ".join(BUILT_IN) + ")\n"
    )


def test_validate_valid_and_invalid_files(assessor: Run, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(LOCAL)
    result = assessor("frameworks", "validate", str(good))
    assert result.returncode == 0
    assert result.stdout == (
        f"{good}: valid: local-framework 2024.1, 1 sections, 2 criteria, 2 items\n"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(LOCAL.replace('version: "2024.1"\n', "").replace("scale: yn}", "scale: x}"))
    result = assessor("frameworks", "validate", str(good), str(bad))
    assert result.returncode == 1
    assert result.stdout.splitlines()[1:] == [
        f"{bad}:1: version: missing",
    ]
    assert result.stderr == "1 of 2 files invalid\n"
    assert "Traceback" not in result.stderr


def test_validate_the_shipped_framework_files(assessor: Run) -> None:
    root = Path(__file__).resolve().parents[2]
    files = sorted(str(p) for p in (root / "frameworks").glob("*.yaml"))
    assert len(files) == 5
    result = assessor("frameworks", "validate", *files)
    assert result.returncode == 0, result.stdout
    assert all(": valid: " in line for line in result.stdout.splitlines())


def test_plugins_list(assessor: Run) -> None:
    data = json.loads(assessor("plugins", "list", "--json", check=True).stdout)
    by_name = {p["name"]: p for p in data}
    assert set(BUILT_IN) <= set(by_name)
    for name in BUILT_IN:
        assert by_name[name]["status"] == "ok"
        assert by_name[name]["frameworks"] == [name]
        assert "register_frameworks" in by_name[name]["hooks"]
        assert "evaluate_visit" in by_name[name]["hooks"]


def test_plugins_list_says_what_each_plugin_provides(assessor: Run, tmp_path: Path) -> None:
    """A plugin with rules only is not shown as providing nothing."""
    site = tmp_path / "site"
    make_distribution(site, "rules_only", {"rules-only": """\
        import assessor_tui

        @assessor_tui.hookimpl
        def evaluate_visit(visit, framework):
            return None
        """}, version="1.0")
    out = assessor("plugins", "list", env={"PYTHONPATH": str(site)}, check=True).stdout
    rows = {line.split()[0]: line.split() for line in out.splitlines()}
    assert rows["NAME"] == ["NAME", "VERSION", "PROVIDES", "STATUS"]
    assert rows["rules-only"] == ["rules-only", "1.0", "rules", "ok"]
    assert rows["ba-sef"][2:] == ["ba-sef;", "rules,", "report,", "panels,", "commands", "ok"]


def test_plugins_list_shows_disabled(assessor: Run) -> None:
    out = assessor(
        "plugins", "list", env={"ASSESSOR_DISABLE_PLUGINS": "ice-mark"}, check=True
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("ice-mark "))
    assert line.split()[2:] == ["-", "disabled:", "blocked", "by", "ASSESSOR_DISABLE_PLUGINS"]
    frameworks = assessor(
        "frameworks", "list", env={"ASSESSOR_DISABLE_PLUGINS": "ice-mark"}, check=True
    ).stdout
    assert "ice-mark" not in frameworks


def test_usage_errors_exit_2_without_traceback(assessor: Run) -> None:
    result = assessor("frameworks", "fly")
    assert result.returncode == 2
    assert "invalid choice: 'fly'" in result.stderr
    assert "Traceback" not in result.stderr


SHIPPED = Path(__file__).resolve().parents[2] / "frameworks"
HEAVY = (
    "textual", "rich", "fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg",
    "httpx", "httpcore", "assessor_tui.tui", "assessor_tui.server",
)
"""Textual and the server stack: what a non-TUI command must not pay to import."""


@pytest.mark.parametrize(
    "argv",
    [
        ["frameworks", "list"],
        ["frameworks", "list", "--json"],
        ["frameworks", "show", "ba-sef"],
        ["frameworks", "show", "norfolk-sipp", "--json"],
        ["frameworks", "validate", str(SHIPPED / "ice-mark.yaml")],
        ["frameworks", "schema"],
        ["plugins", "list"],
        ["plugins", "list", "--json"],
    ],
    ids=" ".join,
)
def test_non_tui_commands_do_not_import_textual_or_the_server(argv: list[str]) -> None:
    code = (
        "import sys, io, contextlib\n"
        "from assessor_tui.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    status = main({argv!r})\n"
        f"heavy = {HEAVY!r}\n"
        "print(status, sorted(m for m in sys.modules "
        "if m in heavy or m.startswith(tuple(h + '.' for h in heavy))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert out.splitlines()[-1] == "0 []"
