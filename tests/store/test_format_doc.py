"""docs/store-format.md is enough to decrypt a store: an independent reader.

The reader (the functions under "independent reader") uses only
`cryptography`, `struct` and `json` and the layout in docs/store-format.md;
assessor_tui is imported only to create the stores in the first place. The
second test runs the document's own §8 sketch as printed.
"""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from assessor_tui.store import FLOOR_KDF, Vault

PASSPHRASE = "a passphrase for the format test"
DOC = Path(__file__).resolve().parents[2] / "docs" / "store-format.md"
VISIT = "0190a5e2-7c3d-7b1e-8f00-0000000000d0"

# ----------------------------------------------------------------- independent reader (§3–§4)


def sha256(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SHA256())
    digest.update(data)
    return digest.finalize()


def hkdf(key: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(key)


def read_key_file(data: bytes, passphrase: str) -> tuple[bytes, bytes, bytes]:
    """(store id, key id, data key), with the checks of §3.3 (passphrase is ASCII here)."""
    assert len(data) >= 10 and data[:8] == b"ASTUIKEY"
    assert sha256(data[:-32]) == data[-32:]
    version, flags = struct.unpack_from(">HH", data, 8)
    assert (version, flags, len(data)) == (1, 0, 240)
    store_id, key_id = data[12:28], data[28:36]
    memory, iterations, lanes = struct.unpack_from(">III", data, 44)
    assert 8192 <= memory <= 2097152 and 1 <= iterations <= 20 and 1 <= lanes <= 16
    kek = Argon2id(
        salt=data[56:72], length=32, iterations=iterations, lanes=lanes, memory_cost=memory
    ).derive(passphrase.encode("utf-8"))
    data_key = AESGCM(kek).decrypt(data[72:84], data[84:132], data[0:36] + data[44:72])
    return store_id, key_id, data_key


def open_recovery_slot(data: bytes, recovery_text: str) -> bytes:
    """The data key from the recovery slot (§3.2), parsing the text as §3.4 says."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    compact = recovery_text.replace("-", "").replace(" ", "").upper()
    assert len(compact) == 56
    bits = "".join(format(alphabet.index(c), "05b") for c in compact)
    raw = bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits), 8))
    secret, check = raw[:32], raw[32:]
    assert sha256(b"assessor-tui recovery key v1" + secret)[:3] == check
    kek = hkdf(secret, data[132:148], b"assessor-tui/store/v1/recovery-kek")
    return AESGCM(kek).decrypt(data[148:160], data[160:208], data[0:36] + data[132:148])


def read_data_file(
    data: bytes, keys: tuple[bytes, bytes, bytes], kind: int, name: str
) -> tuple[int, bytes]:
    """(generation, plaintext), with the checks of §4.4."""
    store_id, key_id, data_key = keys
    assert len(data) >= 96 and data[:8] == b"ASTUIDAT"
    version, file_kind, flags = struct.unpack_from(">HBB", data, 8)
    assert (version, file_kind, flags) == (1, kind, 0)
    assert data[12:28] == store_id
    assert data[28:44] == sha256(name.encode())[:16]
    (generation,) = struct.unpack_from(">Q", data, 44)
    assert data[52:60] == key_id
    (length,) = struct.unpack_from(">Q", data, 88)
    assert length == len(data) - 96 and length >= 16 and generation >= 1
    header = data[:96]
    subkey = hkdf(data_key, header[60:76], b"assessor-tui/store/v1/file-key")
    return generation, AESGCM(subkey).decrypt(header[76:88], data[96:], header)


# ----------------------------------------------------------------------------------- the test


def test_a_store_decrypts_with_only_the_documented_format(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    vault, recovery = Vault.init(folder, PASSPHRASE, kdf=FLOOR_KDF)
    vault.index().insert({"title": "Visit 1 — Northgate"})
    vault.index().table("settings").insert({"theme": "dark"})
    vault.visit_db(VISIT).table("notes").insert({"text": "Met the SENCo"})
    blob_id = vault.put_blob(b"\x89PNG evidence")
    vault.close()

    key_file = (folder / "store.key").read_bytes()
    keys = read_key_file(key_file, PASSPHRASE)
    assert open_recovery_slot(key_file, recovery) == keys[2]
    assert (folder / "store.key.prev").read_bytes() == key_file

    generation, index = read_data_file(
        (folder / "index.db").read_bytes(), keys, kind=1, name="index:"
    )
    assert generation == 2
    assert json.loads(index) == {
        "_default": {"1": {"title": "Visit 1 — Northgate"}},
        "settings": {"1": {"theme": "dark"}},
    }
    assert index.isascii() and b'"_default":{"1"' in index  # compact, ASCII
    previous, first = read_data_file(
        (folder / "index.db.prev").read_bytes(), keys, kind=1, name="index:"
    )
    assert previous == 1
    assert json.loads(first) == {"_default": {"1": {"title": "Visit 1 — Northgate"}}}

    _, visit = read_data_file(
        (folder / "visits" / f"{VISIT}.db").read_bytes(), keys, kind=2, name=f"visit:{VISIT}"
    )
    assert json.loads(visit) == {"notes": {"1": {"text": "Met the SENCo"}}}

    _, blob = read_data_file(
        (folder / "blobs" / f"{blob_id}.bin").read_bytes(), keys, kind=3, name=f"blob:{blob_id}"
    )
    assert blob == b"\x89PNG evidence"


def test_the_sketch_in_the_document_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """§8's code, run as printed, decrypts an index it has never seen."""
    sketch = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert sketch is not None
    passphrase = re.search(r'^passphrase = "(.*)"$', sketch.group(1), re.M)
    assert passphrase is not None
    vault, _ = Vault.init(tmp_path, passphrase.group(1), kdf=FLOOR_KDF)
    vault.index().insert({"title": "from the sketch"})
    vault.close()
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(sketch.group(1), namespace)
    assert namespace["tables"] == {"_default": {"1": {"title": "from the sketch"}}}


# ------------------------------------------------------------- the document's own tables


KEY_FILE_FIELDS = [  # (offset, size, field): where read_key_file above looks
    (0, 8, "magic"),
    (8, 2, "format version"),
    (10, 2, "flags"),
    (12, 16, "store id"),
    (28, 8, "key id"),
    (36, 8, "generation"),
    (44, 4, "Argon2id memory"),
    (48, 4, "Argon2id iterations"),
    (52, 4, "Argon2id lanes"),
    (56, 16, "Argon2id salt"),
    (72, 12, "passphrase slot nonce"),
    (84, 48, "passphrase slot"),
    (132, 16, "recovery slot salt"),
    (148, 12, "recovery slot nonce"),
    (160, 48, "recovery slot"),
    (208, 32, "checksum"),
]
DATA_FILE_FIELDS = [  # where read_data_file above looks
    (0, 8, "magic"),
    (8, 2, "format version"),
    (10, 1, "file kind"),
    (11, 1, "flags"),
    (12, 16, "store id"),
    (28, 16, "file id"),
    (44, 8, "generation"),
    (52, 8, "key id"),
    (60, 16, "subkey salt"),
    (76, 12, "nonce"),
    (88, 8, "payload length"),
]


def _layout_table(heading: str) -> list[tuple[int, int, str]]:
    """The `| offset | size | field | … |` rows of the first table after ``heading``."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index(f"\n{heading}\n") :]
    rows = []
    for line in section.splitlines()[1:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].isdigit():
            rows.append((int(cells[0]), int(cells[1]) if cells[1].isdigit() else -1, cells[2]))
        elif rows and not line.startswith("|"):
            return rows
    return rows


def test_the_documented_layouts_are_the_ones_that_decrypt() -> None:
    """The byte tables of §3 and §4 say what the reader above (which decrypts real
    stores) does: a change to either, without the other, fails here."""
    key_rows = _layout_table("## 3. The key file, `store.key`")
    assert key_rows == KEY_FILE_FIELDS
    data_rows = _layout_table("## 4. Data files: `index.db`, `visits/*.db`, `blobs/*.bin`")
    assert data_rows[:-1] == DATA_FILE_FIELDS
    assert data_rows[-1][0] == 96 and data_rows[-1][2] == "payload"
    for rows, end in ((key_rows, 240), (data_rows[:-1], 96)):
        assert [offset for offset, _, _ in rows] == [0, *(o + s for o, s, _ in rows[:-1])]
        assert rows[-1][0] + rows[-1][1] == end
