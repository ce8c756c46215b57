"""One process at a time: a second one is told the store is open elsewhere."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from assessor_tui.store import StoreLocked, Vault

from .helpers import PASSPHRASE, PYTHON, subprocess_env

OPEN_AND_REPORT = """
import sys
from assessor_tui.store import StoreError, Vault
try:
    vault = Vault.unlock(sys.argv[1], sys.argv[2])
except StoreError as error:
    print(type(error).__name__, error, sep=": ")
    sys.exit(3)
print("opened")
if sys.argv[3:] == ["hold"]:
    sys.stdout.flush()
    sys.stdin.read()  # keep the store open until the test says so
"""


def _second_process(data_dir: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PYTHON, "-c", OPEN_AND_REPORT, str(data_dir), PASSPHRASE, *extra],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )


def test_a_second_process_gets_store_locked(vault: Vault, data_dir: Path) -> None:
    out, err = _second_process(data_dir).communicate(timeout=30)
    assert err == ""
    assert out.strip() == (
        f"StoreLocked: the store in {data_dir} is open in another assessor process "
        f"(process {os.getpid()}); close it there first"
    )
    vault.close()
    out, _ = _second_process(data_dir).communicate(timeout=30)
    assert out.strip() == "opened"


def test_a_killed_holder_leaves_no_stale_lock(vault: Vault, data_dir: Path) -> None:
    vault.close()
    holder = _second_process(data_dir, "hold")
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "opened\n"
        with pytest.raises(StoreLocked) as caught:
            Vault.unlock(data_dir, PASSPHRASE)
        assert caught.value.pid == holder.pid
    finally:
        holder.kill()
        holder.communicate(timeout=30)
    Vault.unlock(data_dir, PASSPHRASE).close()


def test_the_same_process_cannot_open_a_store_twice(vault: Vault, data_dir: Path) -> None:
    with pytest.raises(StoreLocked):
        Vault.unlock(data_dir, PASSPHRASE)
    vault.visit_db("0190a5e2-7c3d-7b1e-8f00-000000000001").insert({"still": "works"})
