"""kill -9 at hundreds of moments: every acknowledged edit is still there.

One long-lived store; each round starts crash_writer.py (a real process, the
same interpreter), sends SIGKILL at a moment the round aims for, then opens the
store and checks every edit the writer had printed. The writer prints an edit
only after the store call returned, so a printed edit is an acknowledged one;
it also prints when it starts opening the store and each call, so the test
knows where every kill landed, whatever the machine's pace. Rounds go on until
enough kills have landed in each place that matters: inside a save, inside a
passphrase change (the rewrite of both copies of store.key), while the store
opens (it tidies up after the previous kill) and outside any store call; and
until enough passphrase changes were acknowledged. After a change the
acknowledged passphrase (or, if the kill cut the change short, the old or the
new one) opens the store.
"""

from __future__ import annotations

import os
import random
import subprocess
import time
from collections import Counter, defaultdict
from pathlib import Path

from tinydb import where

from assessor_tui.store import FLOOR_KDF, Vault, WrongPassphrase

from .crash_writer import PASSPHRASE_CHANGE_AT, VISITS
from .helpers import HERE, PASSPHRASE, PYTHON, subprocess_env

NEEDED = {
    "in a save": 120,
    "in a passphrase change": 10,
    "while opening": 10,
    "outside the store": 10,  # before opening it, or between two calls
    "passphrase changed": 10,  # acknowledged changes (then killed among the edits after)
}
"""Kills that must land in each place (and acknowledged passphrase changes) before the test
ends; about 170 rounds on any machine, however loaded, as each round aims for what is missing."""
MAX_ROUNDS = 1_500
"""A bound, not a pace: only a writer that never reaches the moments aimed for gets there."""
JITTER = {"in a save": 0.01, "in a passphrase change": 0.03}
"""Seconds, at most, between seeing a call start and the kill, so kills spread over the call;
where a kill landed is read from the writer's output, never assumed from the delay."""
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
            if line in ("opening\n", "ready\n") or line.startswith("start ") or not (
                line.endswith("\n")
            ):
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


def where_killed(output: str, change_at: int | None) -> str:
    """Where the writer was when the kill landed, from the whole lines it printed."""
    lines = [line for line in output.splitlines(keepends=True) if line.endswith("\n")]
    if "opening\n" not in lines:
        return "outside the store"  # the interpreter was still starting
    if "ready\n" not in lines:
        return "while opening"
    if lines[-1].startswith("start "):
        return "in a passphrase change" if int(lines[-1].split()[1]) == change_at else "in a save"
    return "outside the store"  # between two calls


def _aim(rng: random.Random, landed: Counter[str]) -> str:
    """What this round aims for: something still short, the shortest the likeliest."""
    short = {what: need - landed[what] for what, need in NEEDED.items() if landed[what] < need}
    return rng.choices(list(short), weights=list(short.values()))[0]


def test_acknowledged_edits_survive_sigkill(tmp_path: Path) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    data_dir = tmp_path / "data"
    Vault.init(data_dir, PASSPHRASE, kdf=FLOOR_KDF)[0].close()
    acknowledged = Acknowledged()
    env = subprocess_env()
    landed: Counter[str] = Counter()

    passphrase = PASSPHRASE
    for round_number in range(MAX_ROUNDS):
        if all(landed[what] >= need for what, need in NEEDED.items()):
            break
        aim = _aim(rng, landed)
        base = round_number * 100_000
        change_at = base + PASSPHRASE_CHANGE_AT
        other = OTHER_PASSPHRASE if passphrase == PASSPHRASE else PASSPHRASE
        # A round aiming at a save changes the passphrase a third of the time, so edits
        # made under a freshly changed passphrase are killed too.
        changing = aim in ("in a passphrase change", "passphrase changed") or (
            aim == "in a save" and rng.random() < 1 / 3
        )
        writer = subprocess.Popen(
            [PYTHON, WRITER, str(data_dir), passphrase, str(base), *([other] if changing else [])],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        read: list[str] = []  # lines read before the kill are acknowledged edits too
        if aim == "while opening":
            _read_until(writer, "opening\n", read, seed)
        elif aim == "in a passphrase change":
            _read_until(writer, f"start {change_at}\n", read, seed)
            time.sleep(rng.uniform(0, JITTER[aim]))
        elif aim != "outside the store":  # a save, maybe after an acknowledged change
            _read_until(writer, f"{change_at} passphrase\n" if changing else "ready\n", read, seed)
            for _ in range(rng.randint(0, 5)):  # a few acknowledged edits first
                _read_until(writer, "start ", read, seed)
            _read_until(writer, "start ", read, seed)
            time.sleep(rng.uniform(0, JITTER["in a save"]))
        writer.kill()
        output, errors = writer.communicate()
        output = "".join(read) + output
        assert writer.returncode == -9, f"writer ended by itself (seed {seed}): {errors}"
        landed[where_killed(output, change_at if changing else None)] += 1
        blobs_before, changes_before = dict(acknowledged.blobs), acknowledged.passphrase_changes
        acknowledged.add(output)
        new_blobs = {c: b for c, b in acknowledged.blobs.items() if c not in blobs_before}
        if acknowledged.passphrase_changes > changes_before:
            passphrase = other  # acknowledged: only the new passphrase may open the store
            landed["passphrase changed"] += 1
        elif changing and f"start {change_at}\n" in output:
            # Killed during the change, before it was acknowledged: either may be in force.
            passphrase = _which_opens(data_dir, [passphrase, other])

        with Vault.unlock(data_dir, passphrase) as vault:
            assert vault.restorations == (), f"a kill left a damaged file (seed {seed})"
            assert _temp_files(data_dir) == [], "leftover temp files were not cleaned at open"
            acknowledged.check(vault, new_blobs)

    # The kills really landed in every place that matters, however long that took.
    assert all(landed[what] >= need for what, need in NEEDED.items()), (dict(landed), seed)
    with Vault.unlock(data_dir, passphrase) as vault:
        acknowledged.check(vault, acknowledged.blobs)
        assert vault.check() == []
