"""Hook specifications: what a plugin may provide.

Implementations may accept fewer arguments than a spec names, so new
arguments can be added without breaking plugins. Types are imported only
for checking, to keep start-up light.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from assessor_tui.plugins.markers import hookspec

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from assessor_tui.domain.findings import Finding
    from assessor_tui.domain.visit import Visit
    from assessor_tui.frameworks.model import Framework

# ---------------------------------------------------------------- frameworks


@hookspec
def register_frameworks(register: Callable[[Framework | Path | Traversable], None]) -> None:
    """Call ``register`` with each framework this plugin provides: a loaded Framework
    or the path of a framework file. The host validates it and records the owner."""


# ---------------------------------------------------------------- evaluation


@hookspec
def evaluate_visit(visit: Visit, framework: Framework) -> Iterable[Finding] | None:
    """Return computed findings for a visit ("3 of 7 sectors: 5 needed").
    Return None when ``framework`` is not one of yours."""
