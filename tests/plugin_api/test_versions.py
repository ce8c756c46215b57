"""Plugin API versions, and moving visits to a newer version of their framework."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

import assessor_tui
from assessor_tui.domain.edits import EditRefused
from assessor_tui.plugins.host import load_host
from assessor_tui.session import Session
from assessor_tui.store import FLOOR_KDF, Vault

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
