"""Constants and helpers shared by the store tests (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import assessor_tui.store

PASSPHRASE = "correct horse battery staple"
VISIT_A = "0190a5e2-7c3d-7b1e-8f00-00000000000a"
VISIT_B = "0190a5e2-7c3d-7b1e-8f00-00000000000b"
PYTHON = sys.executable
HERE = Path(__file__).resolve().parent
SRC = Path(assessor_tui.store.__file__).resolve().parents[2]
"""The folder that holds the package, for subprocesses (works installed or not)."""


def subprocess_env() -> dict[str, str]:
    """The environment for a child interpreter that must import assessor_tui."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return env


def files_under(folder: Path) -> dict[str, bytes]:
    """Every regular file's bytes, by path relative to ``folder``."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def flip_bit(path: Path, bit: int) -> None:
    """Flip one bit of a file in place (bit 0 is the low bit of the first byte)."""
    data = bytearray(path.read_bytes())
    data[bit // 8] ^= 1 << (bit % 8)
    path.write_bytes(bytes(data))
