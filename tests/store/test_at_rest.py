"""A lost laptop reveals nothing: no plaintext, passphrase or key in any file on disk."""

from __future__ import annotations

import base64
import os
import uuid
from pathlib import Path

from assessor_tui.store import FLOOR_KDF, Vault, parse_recovery_key

from .helpers import VISIT_A, VISIT_B, files_under


def _marker(label: str) -> str:
    return f"MARKER-{label}-{uuid.uuid4().hex}"


def _forms(text: str) -> list[bytes]:
    """The ways a string could leak: UTF-8, UTF-16, and as base64 or hex of UTF-8."""
    raw = text.encode()
    return [raw, text.encode("utf-16-le"), base64.b64encode(raw), raw.hex().encode()]


def test_no_marker_passphrase_or_key_appears_in_any_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    passphrase = _marker("passphrase")
    new_passphrase = _marker("new-passphrase")
    vault, recovery = Vault.init(data_dir, passphrase, kdf=FLOOR_KDF)
    markers = [_marker(label) for label in ("index", "visit-a", "visit-b", "blob", "table")]
    vault.index().insert({"title": markers[0], "school": "Northgate Primary"})
    vault.visit_db(VISIT_A).table("notes").insert({"text": markers[1]})
    vault.visit_db(VISIT_B).insert({"text": markers[2], "n": 1})
    vault.visit_db(VISIT_B).update({"n": 2})  # so a previous generation exists too
    vault.put_blob(markers[3].encode())
    vault.visit_db(VISIT_A).table(markers[4]).insert({"x": 1})  # table names are data too
    data_key = vault._sealer._data_key  # type: ignore[union-attr]  # white-box, on purpose
    vault.change_passphrase(passphrase, new_passphrase)
    vault.close()

    recovery_secret = parse_recovery_key(recovery)
    secrets = [*markers, passphrase, new_passphrase, recovery, recovery.replace("-", "")]
    files = files_under(data_dir)
    assert {"store.key", "store.key.prev", "index.db", f"visits/{VISIT_B}.db.prev"} <= set(files)
    for name, content in files.items():
        for secret in secrets:
            for form in _forms(secret):
                assert form not in content, f"{secret!r} found in {name}"
        assert data_key not in content, f"the data key is in {name}"
        assert recovery_secret not in content, f"the recovery secret is in {name}"
        assert b"Northgate" not in content


def test_files_and_folders_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    vault, _ = Vault.init(data_dir, "passphrase", kdf=FLOOR_KDF)
    vault.visit_db(VISIT_A).insert({"n": 1})
    vault.visit_db(VISIT_A).insert({"n": 2})
    vault.put_blob(b"x")
    vault.close()
    for path in [data_dir, *data_dir.rglob("*")]:
        mode = os.stat(path).st_mode & 0o777
        assert mode & 0o077 == 0, f"{path.relative_to(tmp_path)} is readable by others"
