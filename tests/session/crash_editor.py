"""Writer for test_crash_edits.py: adds notes and levels through the session until killed.

Usage: python crash_editor.py DATA_DIR VISIT_ID FIRST_COUNTER
Prints "opening" before it opens the store and the visit, "ready" once they are open, then
``start <counter>`` before each edit and ``<counter> <note-id>`` only after the edit that made
it has returned; one write(2) a line, so the last whole line says where a kill landed.
"""

from __future__ import annotations

import os
import sys

from assessor_tui.plugins.host import load_host
from assessor_tui.session import Session
from tests.session.conftest import PASSPHRASE


def main() -> None:
    data_dir, visit_id, counter = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.write(1, b"opening\n")
    session = Session.unlock(data_dir, PASSPHRASE, load_host(blocked=()))
    opened = session.open(visit_id)
    criteria = [c.id for c in opened.framework.criteria()]
    levels = ["developing", "developed", "established", "enhancing"]
    os.write(1, b"ready\n")
    while True:
        item = criteria[counter % len(criteria)]
        os.write(1, f"start {counter}\n".encode())
        note, _ = opened.edit(
            lambda e, c=counter, i=item: e.add_note(f"note {c}", [i]),
            lambda e, c=counter, i=item: e.set_level(i, levels[c % 4]),
        )
        os.write(1, f"{counter} {note.record_id}\n".encode())
        counter += 1


if __name__ == "__main__":
    main()
