"""Plugin API versions, and moving visits to a newer version of their framework."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import assessor_tui
from assessor_tui.domain.checks import EditRefused
from assessor_tui.plugins.host import load_host
from assessor_tui.session import Session
from assessor_tui.store import FLOOR_KDF, Vault

ASSESSOR = Path(sys.executable).with_name("assessor")
FRAMEWORK = """\
format: 1
id: local-review
version: "{version}"
title: Local review
publisher: Tests
source: Tests
scales:
  - id: yn
    levels: [{{id: "no", label: "No"}}, {{id: "yes", label: "Yes"}}]
sections:
  - id: s
    title: Section
    items:
      - {{kind: criterion, id: {first}, title: First, scale: yn}}
      - {{kind: criterion, id: c2, title: Second, scale: yn}}
"""


def plugin(api: str | None, **hooks) -> object:
    return SimpleNamespace(**({"ASSESSOR_API": api} if api else {}), **hooks)


@pytest.mark.parametrize(
    ("api", "status", "reason"),
    [
        (">=1.0,<2", "ok", ""),
        (None, "ok", ""),
        (">=2.0", "failed", "needs plugin API >=2.0, but this assessor provides plugin API 1.1"),
        (
            "one point oh",
            "failed",
            "ASSESSOR_API 'one point oh' is not a version range such as '>=1.0,<2'",
        ),
    ],
)
def test_api_range_is_checked_before_registering(api, status, reason) -> None:
    host = load_host(entry_points=False, plugins=[("p", plugin(api))], blocked=())
    assert (host.plugins["p"].status, host.plugins["p"].reason) == (status, reason)
    assert assessor_tui.API_VERSION == "1.1"


def test_built_in_plugins_declare_a_range_that_includes_this_api() -> None:
    host = load_host(blocked=())
    for name in (
        "ice-mark",
        "ba-sef",
        "norfolk-sipp",
        "community-cohesion",
        "c4eo-schools-communities",
    ):
        assert host.plugins[name].status == "ok"


def write(folder: Path, version: str, first: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "local.yaml").write_text(FRAMEWORK.format(version=version, first=first))


class Renames:
    """What a framework plugin's migration hook does: c1 became c1-new in version 2."""

    @assessor_tui.hookimpl
    def migrate_visit(self, visit, framework, from_version):
        if framework.id != "local-review" or from_version != "1":
            return None
        return {"c1": "c1-new"}


def test_a_visit_moves_to_the_new_version_with_its_judgements(tmp_path: Path) -> None:
    frameworks = tmp_path / "frameworks"
    write(frameworks, "1", "c1")
    vault, _ = Vault.init(tmp_path / "store", "passphrase!", kdf=FLOOR_KDF)
    with Session(
        vault, load_host(entry_points=False, frameworks_dir=frameworks, blocked=())
    ) as session:
        opened = session.new_visit("local-review", school="Hill School")
        visit_id = opened.visit.id
        opened.edit(
            lambda e: e.set_level("c1", "yes"),
            lambda e: e.set_level("c2", "no"),
            lambda e: e.add_note("Seen the log", ["c1", "c2"]),
        )
        opened.close()
    write(frameworks, "2", "c1-new")
    host = load_host(
        entry_points=False, plugins=[("renames", Renames())], frameworks_dir=frameworks, blocked=()
    )
    with Session(Vault.unlock(tmp_path / "store", "passphrase!"), host) as session:
        assert session.open(visit_id).visit.framework_version == "1"
        assert session.migrate(visit_id) == "1"
        visit = session.open(visit_id).visit
        assert visit.framework_version == "2"
        assert visit.level("c1-new") == "yes"
        assert visit.level("c2") == "no"
        assert "c1" not in visit.judgements
        assert visit.notes[0].item_ids == ("c1-new", "c2")
        assert session.migrate(visit_id) is None  # already current


def test_without_a_mapping_unknown_items_are_named_and_nothing_changes(tmp_path: Path) -> None:
    frameworks = tmp_path / "frameworks"
    write(frameworks, "1", "c1")
    vault, _ = Vault.init(tmp_path / "store", "passphrase!", kdf=FLOOR_KDF)
    host = load_host(entry_points=False, frameworks_dir=frameworks, blocked=())
    with Session(vault, host) as session:
        opened = session.new_visit("local-review", school="Hill School")
        visit_id = opened.visit.id
        opened.edit(lambda e: e.set_level("c1", "yes"))
        opened.close()
    write(frameworks, "2", "c1-new")
    host = load_host(entry_points=False, frameworks_dir=frameworks, blocked=())
    with Session(Vault.unlock(tmp_path / "store", "passphrase!"), host) as session:
        with pytest.raises(EditRefused) as info:
            session.migrate(visit_id)
        assert str(info.value) == (
            "local-review version 2 has no item c1; no installed plugin says where they went"
        )
        assert session.open(visit_id).visit.framework_version == "1"
        assert session.open(visit_id).visit.level("c1") == "yes"


class Drops:
    """Version 2 dropped c1: the migration hook says it is gone."""

    @assessor_tui.hookimpl
    def migrate_visit(self, visit, framework, from_version):
        return {"c1": None} if framework.id == "local-review" else None


def test_a_judgement_on_an_item_that_is_gone_is_kept_in_a_note(tmp_path: Path) -> None:
    frameworks = tmp_path / "frameworks"
    write(frameworks, "1", "c1")
    vault, _ = Vault.init(tmp_path / "store", "passphrase!", kdf=FLOOR_KDF)
    with Session(vault, load_host(entry_points=False, frameworks_dir=frameworks)) as session:
        opened = session.new_visit("local-review", school="Hill School")
        visit_id = opened.visit.id
        opened.edit(lambda e: e.set_level("c1", "yes"), lambda e: e.set_rationale("c1", "Seen"))
        opened.close()
    write(frameworks, "2", "c3")
    host = load_host(entry_points=False, plugins=[("drops", Drops())], frameworks_dir=frameworks)
    with Session(Vault.unlock(tmp_path / "store", "passphrase!"), host) as session:
        assert session.migrate(visit_id) == "1"
        visit = session.open(visit_id).visit
        assert (visit.framework_version, visit.judgements) == ("2", {})
        (note,) = visit.notes
        assert note.text.startswith("Recorded on c1, which local-review 2 no longer has: ")
        assert "level: yes" in note.text and "rationale: Seen" in note.text


def test_visits_migrate_on_the_command_line(tmp_path: Path) -> None:
    """A data-only framework's new version: the visit remembers 1 until it is moved to 2."""
    frameworks = tmp_path / "frameworks"
    write(frameworks, "1", "c1")
    env = {
        **os.environ,
        "ASSESSOR_DATA_DIR": str(tmp_path / "data"),
        "ASSESSOR_FRAMEWORKS_DIR": str(frameworks),
        "ASSESSOR_PASSPHRASE": "a passphrase for tests",
    }

    def assessor(*args: str) -> str:
        return subprocess.run([str(ASSESSOR), *args], capture_output=True, text=True, env=env,
                              check=True, timeout=60).stdout

    assessor("init")
    visit_id = assessor("visits", "new", "--framework", "local-review", "--school", "Hill").strip()
    assessor("visits", "judge", visit_id, "c1", "yes")
    write(frameworks, "2", "c1")

    def remembered() -> str:
        return json.loads(assessor("visits", "show", visit_id, "--json"))["visit"][
            "framework_version"]

    assert remembered() == "1"
    assert assessor("visits", "migrate", visit_id) == "moved from local-review version 1 to 2\n"
    assert assessor("visits", "migrate", visit_id) == "already on local-review version 2\n"
    assert remembered() == "2"
