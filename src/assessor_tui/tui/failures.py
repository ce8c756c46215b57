"""The one place the TUI catches any exception, so that every failure is said one way.

A failure the assessor should read (a full disk, a refused edit, the server gone) is said in
its own sentence, ``str(error)``; anything else is a bug: said as "internal error: Type" and
logged with its traceback. Every other ``except`` in the TUI names the errors it expects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from textual.app import App

from assessor_tui.errors import AssessorError

log = logging.getLogger("assessor_tui.tui")

Severity = Literal["information", "warning", "error"]


def failure_text(error: BaseException) -> str:
    """What the assessor reads about a failure: its sentence, or that it is a bug."""
    if isinstance(error, AssessorError):
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
    on after it. A bug (not an AssessorError) is logged, with ``doing`` saying when."""
    failure = Failure()
    try:
        yield failure
    except Exception as error:  # the one broad catch of the TUI: see the module's docstring
        failure.error = error
        failure.text = failure_text(error)
        if not isinstance(error, AssessorError):
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
    with catch_failure(message if message != "{}" else "an action of the app") as failure:
        yield failure
    if failure:
        line = message.replace("{}", failure.text)
        if tell is not None:
            tell(line)
        else:
            app.notify(line, severity=severity, timeout=timeout)
