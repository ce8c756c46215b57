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
from pathlib import Path

from assessor_tui.plugins.host import load_host
from assessor_tui.session import Session
from assessor_tui.store import FLOOR_KDF, Vault
from tests.session.conftest import PASSPHRASE

ROUNDS = 60
ROOT = Path(__file__).resolve().parents[2]


def test_every_acknowledged_edit_survives_kill_9(tmp_path: Path) -> None:
    host = load_host(blocked=())
    vault, _ = Vault.init(tmp_path / "store", PASSPHRASE, kdf=FLOOR_KDF)
    with Session(vault, host) as session:
        visit_id = session.new_visit("ba-sef", school="Crash School").visit.id
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    rng = random.Random(20261123)
    acknowledged: dict[int, str] = {}
    counter = required = 0
    for _ in range(ROUNDS):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.session.crash_editor", str(tmp_path / "store"),
             visit_id, str(counter)],
            stdout=subprocess.PIPE, env=env, cwd=ROOT)
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"ready\n"
        # wait for a few acknowledged edits (however loaded the machine), then kill at a
        # random moment: mid-write, between writes, or before the next edit
        waited = [proc.stdout.readline().decode() for _ in range(rng.randint(0, 3))]
        required += len(waited)
        time.sleep(rng.uniform(0.0, 0.03))
        proc.kill()
        out = "".join(waited) + proc.stdout.read().decode()
        proc.wait()
        for line in out.splitlines(keepends=True):
            if line.endswith("\n"):
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
    assert len(acknowledged) >= required > ROUNDS // 2  # edits really happened between kills
