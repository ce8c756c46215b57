"""Printing for the CLI: aligned tables for people, JSON for scripts."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Sequence
from typing import Any

from assessor_tui.errors import AssessorError


class CommandError(AssessorError):
    """A command's own refusal (a file it cannot read, a missing option): printed as
    one line by the dispatcher, exit status ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = code


def utf8_output() -> None:
    """On Windows, output redirected to a file or a pipe is UTF-8, as everywhere else.

    Python writes it in the ANSI code page there (cp1252), which cannot hold most
    scripts, arrows or emoji: ``visits list --json > visits.json`` failed on a school
    name. The console itself is UTF-8 already."""
    if sys.platform != "win32":
        return
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.encoding.lower() not in (
            "utf-8", "utf8"
        ):
            stream.reconfigure(encoding="utf-8")


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    for row in [list(headers), *cells]:
        line = "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
        print(line.rstrip())


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)
