"""No import cycles among the plugin host's modules, the report modules or the top-level
packages, counting imports made only for type checking too.

lint-imports checks the same packages (pyproject.toml) but leaves type-only imports out,
since they cost nothing at run time; a cycle through them still ties the modules together
for a reader and for mypy, so this test counts them.
"""

from __future__ import annotations

import grimp
import pytest

PACKAGES = ["assessor_tui", "assessor_tui.plugins", "assessor_tui.record", "assessor_tui.reports"]


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("assessor_tui", exclude_type_checking_imports=False, cache_dir=None)


@pytest.mark.parametrize("package", PACKAGES)
def test_the_children_of_a_package_import_one_another_without_a_cycle(
    graph: grimp.ImportGraph, package: str
) -> None:
    assert graph.nominate_cycle_breakers(package) == set()
