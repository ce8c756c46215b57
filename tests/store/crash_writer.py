"""Writer for test_crash.py: edits the store in a loop until it is killed.

Usage: python crash_writer.py DATA_DIR PASSPHRASE FIRST_COUNTER [NEW_PASSPHRASE]

Writes "opening" before it opens the store and "ready" once it is open; then, for each
edit, ``start <counter>`` just before the store call and, only after the call has returned
(the edit is acknowledged), ``<counter> <target>`` or, for an attachment,
``<counter> blob <blob-id>``. Every line is one write(2), so a line is whole or absent, and
the last whole line says where a kill landed: a ``start`` line without its acknowledgement
means inside the store call. Given NEW_PASSPHRASE, its third edit changes the passphrase to
it instead (printed as ``<counter> passphrase``).
"""

from __future__ import annotations

import os
import sys

from tinydb import where

from assessor_tui.store import Vault

VISITS = (
    "0190a5e2-7c3d-7b1e-8f00-0000000000c1",
    "0190a5e2-7c3d-7b1e-8f00-0000000000c2",
    "0190a5e2-7c3d-7b1e-8f00-0000000000c3",
)
TARGETS = ("index", *VISITS, "blob", "latest")
PASSPHRASE_CHANGE_AT = 2


def edit(vault: Vault, counter: int) -> str:
    """One acknowledged edit; returns what to print after the counter."""
    target = TARGETS[counter % len(TARGETS)]
    text = f"note {counter} " + "x" * (counter % 97)
    if target == "index":
        vault.index().table("edits").insert({"n": counter, "text": text})
    elif target == "blob":
        return f"blob {vault.put_blob(f'attachment {counter}'.encode())}"
    elif target == "latest":
        vault.index().table("latest").upsert(
            {"key": "latest", "n": counter}, where("key") == "latest"
        )
    else:
        vault.visit_db(target).table("notes").insert({"n": counter, "text": text})
    return target


def main() -> None:
    data_dir, passphrase, first = sys.argv[1], sys.argv[2], int(sys.argv[3])
    new_passphrase = sys.argv[4] if len(sys.argv) > 4 else None
    os.write(1, b"opening\n")
    vault = Vault.unlock(data_dir, passphrase)
    os.write(1, b"ready\n")
    counter = first
    while True:
        os.write(1, f"start {counter}\n".encode())
        if new_passphrase and counter == first + PASSPHRASE_CHANGE_AT:
            vault.change_passphrase(passphrase, new_passphrase)
            what = "passphrase"
        else:
            what = edit(vault, counter)
        os.write(1, f"{counter} {what}\n".encode())  # one write: a line is whole or absent
        counter += 1


if __name__ == "__main__":
    main()
