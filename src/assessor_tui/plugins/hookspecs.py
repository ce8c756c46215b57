"""Hook specifications: what a plugin may provide.

Implementations may accept fewer arguments than a spec names, so new
arguments can be added without breaking plugins. Types are imported only
for checking, to keep start-up light.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from assessor_tui.plugins.markers import hookspec

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from assessor_tui.domain.findings import Finding
    from assessor_tui.domain.visit import Visit
    from assessor_tui.frameworks.model import Framework
    from assessor_tui.plugins.commands import CommandFunction
    from assessor_tui.record.document import Block

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


# ---------------------------------------------------------------- app


@hookspec
def register_panels(register: Callable[[str, str, str], None]) -> None:
    """Call ``register(framework_id, title, "package.module:Class")`` for each panel the
    app may show on a visit of that framework (the command palette lists it). The module
    is imported only by the app, so it may import Textual; the class is a Textual widget
    built as ``Class(visit, framework)`` with a ``refresh_from(visit)`` method."""


@hookspec
def register_commands(register: Callable[[str, str, CommandFunction], None]) -> None:
    """Call ``register(framework_id, title, run)`` for each command the assessor may run from
    the command palette on a visit of that framework (new in plugin API 1.1). ``run(visit,
    framework, current)`` returns a ``CommandResult`` (edits, an item to jump to, a message),
    a list of edits, or None; ``current`` is the item the assessor is on (name it only if
    needed). A command that raises or returns anything else is disabled for the session."""


# ---------------------------------------------------------------- versions


@hookspec(firstresult=True)
def migrate_visit(
    visit: Visit, framework: Framework, from_version: str
) -> Mapping[str, str | None] | None:
    """A visit recorded against ``from_version`` of ``framework`` is being moved to the
    installed version: return how item ids changed, ``{old id: new id}`` (or ``None`` for
    an item that no longer exists; its judgement is kept in a note). Ids you leave out
    stay as they are. Stops at the first non-None result: return None when ``framework``
    is not yours or nothing changed between the versions."""


# ---------------------------------------------------------------- reports


@hookspec
def report_sections(visit: Visit, framework: Framework) -> Iterable[Block] | None:
    """Return the body of the record of visit as blocks of ``assessor_tui.plugin_api``
    (composed with its block builders). Return None when ``framework`` is not one of
    yours; the generic body is used when no plugin answers. The header (school, date,
    assessor…), the appendix of notes not shown under an item, and any action points or
    recommendations you leave out are added by the builder."""


@hookspec
def check_record(visit: Visit, framework: Framework) -> Iterable[Finding] | None:
    """Return the framework's quality check of the record before it is finalised: a
    finding of severity "problem" blocks finalising, "warning" is shown but does not.
    Return None when ``framework`` is not one of yours."""
