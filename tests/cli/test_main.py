"""The dispatcher, the one place in the CLI that catches broad errors: an AssessorError from a
command is one line, anything else is an internal error, a bug."""

from __future__ import annotations

import pytest

from assessor_tui.cli import plugin_cmd
from assessor_tui.cli.context import Context
from assessor_tui.cli.main import DEBUG_ENV, main
from assessor_tui.sync.client import Unreachable


def _command_raising(error: Exception) -> object:
    def command(ctx: Context) -> int:
        raise error

    return command


def test_an_error_a_user_may_see_is_printed_as_its_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    error = Unreachable("the server did not answer within 120 seconds; nothing was lost")
    monkeypatch.setattr(plugin_cmd, "cmd_new", _command_raising(error))
    assert main(["plugin", "new", "x"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "assessor: the server did not answer within 120 seconds; nothing was lost\n"


def test_a_bug_is_reported_as_an_internal_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(DEBUG_ENV, raising=False)
    monkeypatch.setattr(plugin_cmd, "cmd_new", _command_raising(KeyError("oops")))
    assert main(["plugin", "new", "x"]) == 70
    err = capsys.readouterr().err
    assert err.startswith("assessor: internal error: KeyError")
    assert err.count("\n") == 1
