"""The one place the TUI catches any exception, so that every failure is said one way.

A failure the assessor should read (a full disk, a refused edit, the server gone) is said in
its own sentence, ``str(error)``; anything else is a bug: said as "internal error: Type" and
logged with its traceback. Every other ``except`` in the TUI names the errors it expects.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from textual.app import App

log = logging.getLogger("assessor_tui.tui")

USER_ERRORS: tuple[str, ...] = (
    "assessor_tui.store.errors.StoreError",  # SessionError, SaveFailed, VisitNotFound, …
    "assessor_tui.domain.edits.EditRefused",  # CommandFailed: a plugin's command refused
    "assessor_tui.sync.client.SyncError",  # Unreachable, ServerRefused, AuthFailed, …
    "assessor_tui.reports.quality.ReportError",  # RecordNotReady
    "assessor_tui.frameworks.errors.FrameworkInvalid",
)
"""The roots of the errors whose ``str()`` is a sentence for the assessor.

Named, not imported: importing them would load httpx, pydantic and the framework model
before the visits list paints (tests/tui/test_cold_start.py), and an error of a module not
yet loaded cannot have been raised. When ``assessor_tui.errors.AssessorError`` (issue 17)
is the one root, ``user_errors()`` returns ``(AssessorError,)`` and this list goes.
"""

Severity = Literal["information", "warning", "error"]


def user_errors() -> tuple[type[Exception], ...]:
    """The classes of USER_ERRORS that are loaded now."""
    found = []
    for name in USER_ERRORS:
        module_name, _, class_name = name.rpartition(".")
        module = sys.modules.get(module_name)
        if module is not None:
            found.append(getattr(module, class_name))
    return tuple(found)


def failure_text(error: BaseException) -> str:
    """What the assessor reads about a failure: its sentence, or that it is a bug."""
    if isinstance(error, user_errors()):
        return str(error)
    return f"internal error: {type(error).__name__}"


@dataclass
class Failure:
    """What went wrong inside a ``tell_failure`` block; false while nothing has."""

    error: Exception | None = None
    text: str = ""

    def __bool__(self) -> bool:
        return self.error is not None


@contextmanager
def catch_failure(doing: str) -> Iterator[Failure]:
    """Run the block; if it raises, keep what went wrong in the yielded ``Failure`` and carry
    on after it. A bug (not one of USER_ERRORS) is logged, with ``doing`` saying when."""
    failure = Failure()
    try:
        yield failure
    except Exception as error:  # the one broad catch of the TUI: see the module's docstring
        failure.error = error
        failure.text = failure_text(error)
        if not isinstance(error, user_errors()):
            log.error("internal error while %s", doing, exc_info=error)


@contextmanager
def tell_failure(
    app: App[Any],
    message: str = "{}",
    *,
    tell: Callable[[str], object] | None = None,
    severity: Severity = "error",
    timeout: float = 10,
) -> Iterator[Failure]:
    """Run the block; if it raises, say so and carry on after it.

    ``message`` is the line shown, with ``{}`` where the failure's text goes (for example
    "Not quitting: could not save ({})"; replaced, not formatted, so a school's name may
    hold braces). ``tell`` shows it instead of a notification (a status line, or
    ``call_from_thread`` from a worker). The yielded ``Failure`` says what happened, for a
    caller that does more than tell.
    """
    with catch_failure(message) as failure:
        yield failure
    if failure:
        line = message.replace("{}", failure.text)
        if tell is not None:
            tell(line)
        else:
            app.notify(line, severity=severity, timeout=timeout)
