"""Output redirected to a file on Windows is UTF-8: Python would write it in the ANSI code
page (cp1252) there, which has no room for most school names' characters."""

from __future__ import annotations

import io
import json
import sys

import pytest

from assessor_tui.cli.output import print_json, utf8_output

SCHOOL = "Ysgol Gymraeg → 北京 école ✓"


def redirected() -> io.TextIOWrapper:
    """What Windows gives a program whose output goes to a file: cp1252 text."""
    return io.TextIOWrapper(io.BytesIO(), encoding="cp1252", newline="")


def test_redirected_json_is_utf8_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    out, err = redirected(), redirected()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "platform", "win32")
    utf8_output()
    print_json({"school": SCHOOL})
    out.flush()
    written = out.buffer.getvalue()  # type: ignore[attr-defined]
    assert json.loads(written.decode("utf-8")) == {"school": SCHOOL}
    assert err.encoding == "utf-8"


def test_elsewhere_the_output_encoding_is_left_as_chosen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On Linux and macOS the locale (or PYTHONIOENCODING) decides, as the user set it."""
    out = redirected()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "platform", "linux")
    utf8_output()
    assert out.encoding == "cp1252"
