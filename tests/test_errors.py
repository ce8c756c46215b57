"""One root for every error a user may see: each family is an ``AssessorError``, the tree in
errors.py's docstring names every one of them, and the server's own errors stay apart."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import assessor_tui
from assessor_tui import errors
from assessor_tui.cli.output import CommandError
from assessor_tui.domain.checks import EditRefused
from assessor_tui.errors import AssessorError
from assessor_tui.frameworks.errors import FrameworkInvalid
from assessor_tui.reports.quality import ReportError
from assessor_tui.scaffold import ScaffoldError
from assessor_tui.server.service import ServiceError
from assessor_tui.session import SessionError
from assessor_tui.store.errors import StoreError
from assessor_tui.sync.client import SyncError

FAMILIES = [
    StoreError, SessionError, EditRefused, FrameworkInvalid, SyncError, ReportError,
    ScaffoldError, CommandError,
]

INTERNAL = {
    # never shown: the reader that knows the file's name turns it into DamagedFile
    "assessor_tui.store.errors.FormatError",
    # never shown: the plugin host turns it into a disabled plugin with a reason
    "assessor_tui.plugins.answers.WrongResult",
    # never shown as a sentence: a screen asking for the visit after it closed is a bug
    "assessor_tui.tui.state.NoVisitOpen",
    # never shown: the loader turns it into a Problem of FrameworkInvalid
    "assessor_tui.frameworks.loader._BadValue",
}
"""Exceptions defined in src/ that are neither user-facing nor the server's."""


def _every_module() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(assessor_tui.__path__, "assessor_tui."):
        if info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)
        names.append(info.name)
    return names


def _subclasses(root: type[BaseException]) -> set[type[BaseException]]:
    """Every class of the app below ``root``, through Python's own classes too."""
    seen: set[type[BaseException]] = set()
    todo = [root]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return {c for c in seen if c.__module__.startswith("assessor_tui.")}


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.__name__)
def test_every_family_a_user_may_see_has_the_one_root(family: type[Exception]) -> None:
    assert issubclass(family, AssessorError)


def test_an_edit_refusal_and_a_scaffold_refusal_are_still_value_errors() -> None:
    assert issubclass(EditRefused, ValueError) and issubclass(ScaffoldError, ValueError)


def test_a_session_error_is_not_a_store_error() -> None:
    assert not issubclass(SessionError, StoreError)


def test_the_tree_in_the_docstring_names_every_error_class() -> None:
    _every_module()
    tree = errors.__doc__ or ""
    missing = sorted(c.__name__ for c in _subclasses(AssessorError) if c.__name__ not in tree)
    assert missing == [], f"add these to the tree in errors.py's docstring: {missing}"


def test_every_other_exception_is_internal_or_the_servers() -> None:
    _every_module()
    server = _subclasses(ServiceError) | {ServiceError}
    others = {
        f"{c.__module__}.{c.__qualname__}"
        for c in _subclasses(Exception) - _subclasses(AssessorError) - server
        if c is not AssessorError
    }
    assert others == INTERNAL, "a user-facing error must subclass AssessorError"


def test_the_server_family_stays_apart() -> None:
    assert not issubclass(ServiceError, AssessorError)
    assert "ServiceError" in (errors.__doc__ or "")


def test_a_command_error_exits_with_its_code_and_the_rest_with_one() -> None:
    assert CommandError("no", code=3).exit_code == 3
    assert SessionError("no").exit_code == 1
