"""tui/failures.py: a failure the assessor should read is said in its own sentence, anything
else as "internal error: Type" and logged; no other TUI module catches every exception."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest

import assessor_tui.tui
from assessor_tui.store import SaveFailed, StoreClosed
from assessor_tui.tui.failures import catch_failure, failure_text, tell_failure

TUI = Path(assessor_tui.tui.__file__).parent


class Notices:
    """Stands in for the app: keeps what it was asked to notify."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def notify(self, line: str, *, severity: str, timeout: float) -> None:
        self.lines.append((line, severity))


def test_a_user_facing_error_is_said_in_its_own_sentence() -> None:
    app: Any = Notices()
    with tell_failure(app, "Not quitting: could not save ({})") as failed:
        raise StoreClosed()
    assert failed and isinstance(failed.error, StoreClosed)
    assert app.lines == [(f"Not quitting: could not save ({StoreClosed()})", "error")]


def test_anything_else_is_an_internal_error_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app: Any = Notices()
    with caplog.at_level(logging.ERROR, "assessor_tui.tui"), tell_failure(app) as failed:
        {}["missing"]
    assert failed.text == "internal error: KeyError"
    assert app.lines == [("internal error: KeyError", "error")]
    assert caplog.records[0].exc_info is not None  # the traceback is in the log


def test_a_block_that_does_not_fail_says_nothing() -> None:
    app: Any = Notices()
    told: list[str] = []
    with tell_failure(app, tell=told.append) as failed:
        pass
    assert not failed and app.lines == [] and told == []


def test_tell_replaces_the_notification_and_braces_in_the_message_are_kept() -> None:
    app: Any = Notices()
    told: list[str] = []
    with tell_failure(app, "Visit to {St Mary's}: {}", tell=told.append):
        raise SaveFailed("visits/v.db", OSError(28, "No space left on device"))
    assert told == ["Visit to {St Mary's}: could not save visits/v.db: no space left on device; "
                    "your previous copy is intact"]
    assert app.lines == []


def test_catch_failure_keeps_the_failure_without_telling() -> None:
    with catch_failure("reading") as failed:
        raise StoreClosed()
    assert failed.text == str(StoreClosed())


def test_every_assessor_error_is_told_in_its_own_words() -> None:
    from assessor_tui.domain.checks import EditRefused
    from assessor_tui.session import SessionError

    assert failure_text(SessionError("this visit needs plugin 'x'")) == (
        "this visit needs plugin 'x'"
    )
    assert failure_text(KeyError("at")) == "internal error: KeyError"
    assert failure_text(EditRefused("a submitted visit is read-only")) == (
        "a submitted visit is read-only"
    )


def test_no_other_tui_module_catches_every_exception() -> None:
    broad = re.compile(r"except (Base)?Exception\b|suppress\((Base)?Exception\b")
    found = [
        path.relative_to(TUI).as_posix()
        for path in sorted(TUI.rglob("*.py"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if broad.search(line)
    ]
    # failures.py is the helper; a plugin's panel is isolated like any plugin code (a
    # plugin's sys.exit() ends the panel, not the app), and the host disables the plugin
    assert found == ["failures.py", "screens/plugin_panel.py"]
