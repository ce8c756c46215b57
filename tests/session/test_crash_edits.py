"""kill -9 while the assessor edits: every acknowledged note and level is there after.

The store's own crash test kills raw writes; this one kills a real session
making real edits, so the record and its change-log entry are checked together.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from assessor_tui.plugins.host import load_host
from assessor_tui.session import Session
from assessor_tui.store import FLOOR_KDF, Vault
from tests.session.conftest import PASSPHRASE

NEEDED = {"in an edit": 45, "while opening": 5, "outside the session": 5}
"""Kills that must land in each place before the test ends: 55 rounds on any machine, however
loaded, as each round aims for a place still short."""
MAX_ROUNDS = 500
"""A bound, not a pace: only an editor that never reaches the moments aimed for gets there."""
JITTER = 0.03
"""Seconds, at most, between seeing an edit start and the kill, so kills spread over the edit;
where a kill landed is read from the editor's output, never assumed from the delay."""
ROOT = Path(__file__).resolve().parents[2]


def _whole_lines(proc: subprocess.Popen[bytes], until: str) -> list[str]:
    """The editor's lines up to the first that starts with ``until``."""
    assert proc.stdout is not None
    lines: list[str] = []
    while not lines or not lines[-1].startswith(until):
        line = proc.stdout.readline().decode()
        assert line.endswith("\n"), f"the editor ended by itself after {lines}"
        lines.append(line)
    return lines


def where_killed(output: str) -> str:
    lines = [line for line in output.splitlines(keepends=True) if line.endswith("\n")]
    if "opening\n" not in lines:
        return "outside the session"  # the interpreter was still starting
    if "ready\n" not in lines:
        return "while opening"
    return "in an edit" if lines[-1].startswith("start ") else "outside the session"


def test_every_acknowledged_edit_survives_kill_9(tmp_path: Path) -> None:
    host = load_host(blocked=())
    vault, _ = Vault.init(tmp_path / "store", PASSPHRASE, kdf=FLOOR_KDF)
    with Session(vault, host) as session:
        visit_id = session.new_visit("ba-sef", school="Crash School").visit.id
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    rng = random.Random(20261123)
    acknowledged: dict[int, str] = {}
    landed: Counter[str] = Counter()
    counter = 0
    for _ in range(MAX_ROUNDS):
        short = {what: need - landed[what] for what, need in NEEDED.items() if landed[what] < need}
        if not short:
            break
        aim = rng.choices(list(short), weights=list(short.values()))[0]
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.session.crash_editor", str(tmp_path / "store"),
             visit_id, str(counter)],
            stdout=subprocess.PIPE, env=env, cwd=ROOT)
        assert proc.stdout is not None
        read: list[str] = []  # lines read before the kill are acknowledged edits too
        if aim == "while opening":
            read += _whole_lines(proc, "opening")
        elif aim == "in an edit":
            # a few acknowledged edits (however loaded the machine), then kill in the next one
            read += _whole_lines(proc, "ready")
            for _ in range(rng.randint(1, 4)):
                read += _whole_lines(proc, "start ")
            time.sleep(rng.uniform(0.0, JITTER))
        proc.kill()
        out = "".join(read) + proc.stdout.read().decode()
        proc.wait()
        landed[where_killed(out)] += 1
        for line in out.splitlines(keepends=True):
            if line.endswith("\n") and line[0].isdigit():
                n, note_id = line.split()
                acknowledged[int(n)] = note_id
        counter = max(acknowledged, default=counter - 1) + 2  # skip any unacknowledged one

        with Session(Vault.unlock(tmp_path / "store", PASSPHRASE), host) as session:
            opened = session.open(visit_id)
            notes = {n.id: n.text for n in opened.visit.notes}
            logged = {c.record_id for c in opened.file.outbox() if c.type == "note"}
            for n, note_id in acknowledged.items():
                assert notes.get(note_id) == f"note {n}"
                assert note_id in logged  # the change log holds every acknowledged edit
            assert set(notes) <= logged
    # the kills really landed in every place that matters, however long that took
    assert all(landed[what] >= need for what, need in NEEDED.items()), dict(landed)
