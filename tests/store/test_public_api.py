"""The package's public surface and its promises: sorted __all__, no Textual, one-line errors."""

from __future__ import annotations

import ast
import errno
import pickle
import subprocess
from pathlib import Path

import pytest

import assessor_tui.store as store
from assessor_tui.store import errors

from .helpers import PYTHON, subprocess_env

PACKAGE = Path(store.__file__).parent


def _isort_style(name: str) -> tuple[int, str]:
    """CONSTANTS, then Classes, then functions, each alphabetical (ruff's RUF022 order)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_complete() -> None:
    assert store.__all__ == sorted(store.__all__, key=_isort_style)
    assert all(hasattr(store, name) for name in store.__all__)
    for name in dir(errors):
        value = getattr(errors, name)
        if isinstance(value, type) and issubclass(value, errors.StoreError):
            assert name in store.__all__, f"{name} is a user-facing error but not exported"


def test_importing_the_store_loads_no_textual_and_prints_nothing() -> None:
    code = (
        "import sys, assessor_tui.store; print(any(m.startswith('textual') for m in sys.modules))"
    )
    result = subprocess.run(
        [PYTHON, "-c", code], capture_output=True, text=True, env=subprocess_env(), check=True
    )
    assert result.stdout == "False\n" and result.stderr == ""


def test_no_module_prints() -> None:
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        calls = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"print", "breakpoint"}
        ]
        assert calls == [], f"{path.name} prints"


ERRORS = [
    errors.StoreNotFound("/data"),
    errors.StoreExists("/data"),
    errors.StoreLocked("/data", 4242),
    errors.StoreLocked("/data"),
    errors.StoreClosed(),
    errors.InvalidPassphrase(),
    errors.WrongPassphrase(),
    errors.InvalidRecoveryKey("it has a typo"),
    errors.WrongRecoveryKey(),
    errors.KdfParamsRejected("memory 1KiB is below the minimum 8192KiB"),
    errors.UnsupportedFormat("store.key", 2),
    errors.BlobNotFound("ab" * 16),
    errors.DamagedFile("visits/0190.db", restored=True, reason="failed authentication"),
    errors.DamagedFile("visits/0190.db", restored=False),
    errors.SaveFailed("index.db", OSError(errno.ENOSPC, "No space left on device")),
    errors.SaveFailed("index.db", OSError(errno.EIO, "x"), had_previous=False),
    errors.StoreError("could not list visits: permission denied"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_every_error_is_one_clear_line_and_survives_pickling(error: errors.StoreError) -> None:
    message = str(error)
    assert message and "\n" not in message and "Traceback" not in message
    assert message[0].islower() or message[0] in "/'`" or message.startswith("visits")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and str(again) == message


def test_the_messages_users_will_see() -> None:
    assert str(ERRORS[12]) == (
        "visits/0190.db is damaged or was altered; the previous copy was restored"
    )
    assert str(ERRORS[13]) == (
        "visits/0190.db is damaged or was altered, and no good copy is left; "
        "nothing was overwritten"
    )
    assert str(ERRORS[14]) == (
        "could not save index.db: no space left on device; your previous copy is intact"
    )
    assert str(ERRORS[15]) == "could not save index.db: input/output error; nothing was written"
