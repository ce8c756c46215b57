"""kill -9 at hundreds of random moments: every acknowledged edit is still there.

One long-lived store; each round starts crash_writer.py (a real process, the
same interpreter), lets it edit for a random few milliseconds (or kills it
while it is still starting up), sends SIGKILL, then opens the store and
checks every edit the writer had printed. The writer prints an edit only
after the store call returned, so a printed edit is an acknowledged one.
Every third round the writer also changes the passphrase, so kills land in
the rewrite of store.key too: afterwards the acknowledged passphrase (or,
if the change was not acknowledged, the old or the new one) opens the store.
"""

from __future__ import annotations

import os
import random
import subprocess
import time
from collections import defaultdict
from pathlib import Path

from tinydb import where

from assessor_tui.store import FLOOR_KDF, Vault, WrongPassphrase

from .crash_writer import PASSPHRASE_CHANGE_AT, VISITS
from .helpers import HERE, PASSPHRASE, PYTHON, subprocess_env

ROUNDS = 220
STARTUP_KILLS = 0.15  # share of rounds killed before the writer is ready
MAX_EDIT_TIME = 0.03  # seconds of editing before the kill, at most
WRITER = str(HERE / "crash_writer.py")
OTHER_PASSPHRASE = "the other passphrase"


class Acknowledged:
    """What the writers printed, by target, and how to check a store holds it."""

    def __init__(self) -> None:
        self.by_target: dict[str, set[int]] = defaultdict(set)
        self.blobs: dict[int, str] = {}
        self.latest = -1
        self.passphrase_changes = 0
        self.seen: set[int] = set()

    def add(self, output: str) -> int:
        count = 0
        for line in output.splitlines(keepends=True):
            if line == "ready\n" or not line.endswith("\n"):
                continue
            counter_text, target, *rest = line.split()
            counter = int(counter_text)
            self.seen.add(counter)
            if target == "passphrase":
                self.passphrase_changes += 1
            elif target == "blob":
                self.blobs[counter] = rest[0]
            elif target == "latest":
                self.latest = max(self.latest, counter)
            else:
                self.by_target[target].add(counter)
            count += 1
        return count

    def check(self, vault: Vault, new_blobs: dict[int, str]) -> None:
        index = vault.index()
        present = {doc["n"] for doc in index.table("edits").all()}
        assert self.by_target["index"] <= present, "acknowledged index edits lost"
        for visit in VISITS:
            present = {doc["n"] for doc in vault.visit_db(visit).table("notes").all()}
            assert self.by_target[visit] <= present, f"acknowledged edits to {visit} lost"
        if self.latest >= 0:
            latest = index.table("latest").get(where("key") == "latest")
            assert latest is not None and latest["n"] >= self.latest, "acknowledged upsert lost"
        for counter, blob_id in new_blobs.items():
            assert vault.get_blob(blob_id) == f"attachment {counter}".encode()


def _read_until(writer: subprocess.Popen[str], start: str, read: list[str], seed: int) -> None:
    """Read the writer's lines (keeping them) until one starts with ``start``."""
    assert writer.stdout is not None
    while True:
        line = writer.stdout.readline()
        assert line, f"writer failed (seed {seed}): {writer.communicate()[1]}"
        read.append(line)
        if line.startswith(start):
            return


def _which_opens(data_dir: Path, passphrases: list[str]) -> str:
    for passphrase in passphrases:
        try:
            Vault.unlock(data_dir, passphrase).close()
        except WrongPassphrase:
            continue
        return passphrase
    raise AssertionError("neither the old nor the new passphrase opens the store")


def _temp_files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*.tmp")]


def test_acknowledged_edits_survive_sigkill(tmp_path: Path) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    data_dir = tmp_path / "data"
    Vault.init(data_dir, PASSPHRASE, kdf=FLOOR_KDF)[0].close()
    acknowledged = Acknowledged()
    env = subprocess_env()
    rounds_with_edits = startup_kills = 0

    passphrase = PASSPHRASE
    for round_number in range(ROUNDS):
        base = round_number * 100_000
        # Every third round also changes the passphrase (both copies of store.key) mid-edits.
        other = OTHER_PASSPHRASE if passphrase == PASSPHRASE else PASSPHRASE
        changes = [other] if round_number % 3 == 1 else []
        writer = subprocess.Popen(
            [PYTHON, WRITER, str(data_dir), passphrase, str(base), *changes],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        read: list[str] = []  # lines read before the kill are acknowledged edits too
        if rng.random() < STARTUP_KILLS:
            time.sleep(rng.uniform(0, 0.05))
            startup_kills += 1
        else:
            if not changes:
                wait_for = "ready\n"
            elif rng.random() < 0.5:  # kill somewhere in the change (Argon2id, then the save)
                wait_for = f"{base + PASSPHRASE_CHANGE_AT - 1} "
            else:  # let the change be acknowledged, then kill among the edits after it
                wait_for = f"{base + PASSPHRASE_CHANGE_AT} passphrase\n"
            _read_until(writer, wait_for, read, seed)
            time.sleep(rng.uniform(0, MAX_EDIT_TIME))
        writer.kill()
        output, errors = writer.communicate()
        output = "".join(read) + output
        assert writer.returncode == -9, f"writer ended by itself (seed {seed}): {errors}"
        blobs_before, changes_before = dict(acknowledged.blobs), acknowledged.passphrase_changes
        if acknowledged.add(output):
            rounds_with_edits += 1
        new_blobs = {c: b for c, b in acknowledged.blobs.items() if c not in blobs_before}
        if acknowledged.passphrase_changes > changes_before:
            passphrase = other  # acknowledged: only the new passphrase may open the store
        elif changes and base + PASSPHRASE_CHANGE_AT - 1 in acknowledged.seen:
            # Killed during the change, before it was acknowledged: either may be in force.
            passphrase = _which_opens(data_dir, [passphrase, other])

        with Vault.unlock(data_dir, passphrase) as vault:
            assert vault.restorations == (), f"a kill left a damaged file (seed {seed})"
            assert _temp_files(data_dir) == [], "leftover temp files were not cleaned at open"
            acknowledged.check(vault, new_blobs)

    with Vault.unlock(data_dir, passphrase) as vault:
        acknowledged.check(vault, acknowledged.blobs)
        assert vault.check() == []
    # The kills really landed at many different moments, mostly mid-editing.
    assert rounds_with_edits >= ROUNDS * 0.6, (rounds_with_edits, seed)
    assert startup_kills >= 10, (startup_kills, seed)
    assert acknowledged.passphrase_changes >= 10, (acknowledged.passphrase_changes, seed)
