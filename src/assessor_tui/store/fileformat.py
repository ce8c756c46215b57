"""The encrypted file format shared by index.db, visits/*.db and blobs/*.bin.

Layout (format 1, integers big-endian; docs/store-format.md §4)::

    0   8  magic "ASTUIDAT"          52  8  key id (as in store.key)
    8   2  format version (1)        60 16  subkey salt (fresh per write)
    10  1  file kind                 76 12  nonce (fresh per write)
    11  1  flags (0)                 88  8  payload length (ciphertext + 16-byte tag)
    12 16  store id                  96  …  payload
    28 16  file id
    44  8  generation

Payload = AES-256-GCM(key = HKDF-SHA256(data key, salt, FILE_KEY_INFO),
nonce, plaintext, associated data = the whole 96-byte header). The reader is
told which store, file and kind it expects, so a file copied in from another
visit or another store fails even before decryption, and any changed byte
fails authentication. Nothing is returned that was not authenticated.
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import FormatError
from .kdf import KEY_SIZE

__all__ = [
    "DATA_MAGIC",
    "DATA_VERSION",
    "FILE_KEY_INFO",
    "HEADER_SIZE",
    "FileKind",
    "Header",
    "Opened",
    "Sealer",
    "file_id_for",
]

DATA_MAGIC = b"ASTUIDAT"
DATA_VERSION = 1
FILE_KEY_INFO = b"assessor-tui/store/v1/file-key"
"""HKDF-SHA256 info string: data key + per-write salt → that write's AES-256-GCM key."""

SUBKEY_SALT_SIZE = 16
NONCE_SIZE = 12
TAG_SIZE = 16

_HEADER = struct.Struct(">8sHBB16s16sQ8s16s12sQ")
HEADER_SIZE = _HEADER.size  # 96


class _Raw(NamedTuple):
    magic: bytes
    version: int
    kind: int
    flags: int
    store_id: bytes
    file_id: bytes
    generation: int
    key_id: bytes
    salt: bytes
    nonce: bytes
    payload_length: int


class FileKind(IntEnum):
    """What a file holds; part of the header, so an index cannot pass for a visit."""

    INDEX = 1
    VISIT = 2
    BLOB = 3


def file_id_for(kind: FileKind, name: str = "") -> bytes:
    """First 16 bytes of SHA-256("index:" | "visit:<id>" | "blob:<id>")."""
    return hashlib.sha256(f"{kind.name.lower()}:{name}".encode()).digest()[:16]


@dataclass(frozen=True)
class Header:
    """The 96 bytes in front of every payload, all of them authenticated."""

    kind: FileKind
    store_id: bytes
    file_id: bytes
    generation: int
    key_id: bytes
    salt: bytes
    nonce: bytes
    payload_length: int

    def pack(self) -> bytes:
        return _HEADER.pack(
            DATA_MAGIC,
            DATA_VERSION,
            int(self.kind),
            0,
            self.store_id,
            self.file_id,
            self.generation,
            self.key_id,
            self.salt,
            self.nonce,
            self.payload_length,
        )


@dataclass(frozen=True)
class Opened:
    """A file's authenticated content and the generation that wrote it."""

    generation: int
    plaintext: bytes


class Sealer:
    """Seals and opens the files of one store under its data key (held only in memory)."""

    __slots__ = ("_data_key", "key_id", "store_id")

    def __init__(self, data_key: bytes, store_id: bytes, key_id: bytes) -> None:
        if len(data_key) != KEY_SIZE:
            raise ValueError(f"the data key is {KEY_SIZE} bytes")
        self._data_key = data_key
        self.store_id = store_id
        self.key_id = key_id

    def _aead(self, salt: bytes) -> AESGCM:
        subkey = HKDF(
            algorithm=hashes.SHA256(), length=KEY_SIZE, salt=salt, info=FILE_KEY_INFO
        ).derive(self._data_key)
        return AESGCM(subkey)

    def seal(self, kind: FileKind, file_id: bytes, generation: int, plaintext: bytes) -> bytes:
        """Header + ciphertext, under a fresh subkey and nonce."""
        salt, nonce = os.urandom(SUBKEY_SALT_SIZE), os.urandom(NONCE_SIZE)
        header = Header(
            kind=kind,
            store_id=self.store_id,
            file_id=file_id,
            generation=generation,
            key_id=self.key_id,
            salt=salt,
            nonce=nonce,
            payload_length=len(plaintext) + TAG_SIZE,
        ).pack()
        return header + self._aead(salt).encrypt(nonce, plaintext, header)

    def open(self, data: bytes, kind: FileKind, file_id: bytes) -> Opened:
        """Check then decrypt; FormatError says which check failed.

        Order: size, magic, version, flags, kind, store id, file id, key id,
        payload length, generation, then AES-GCM authentication of it all.
        """
        if len(data) < HEADER_SIZE:
            raise FormatError(f"truncated: {len(data)} bytes, shorter than the header")
        h = _Raw._make(_HEADER.unpack_from(data, 0))
        if h.magic != DATA_MAGIC:
            raise FormatError("not an assessor-tui data file (bad magic)")
        if h.version != DATA_VERSION:
            raise FormatError(f"unknown format version {h.version} (damaged, or from a newer app)")
        if h.flags != 0:
            raise FormatError(f"unknown flags {h.flags:#04x}")
        if h.kind != kind:
            raise FormatError(f"holds file kind {h.kind}, expected {int(kind)} ({kind.name})")
        if h.store_id != self.store_id:
            raise FormatError("belongs to another store")
        if h.file_id != file_id:
            raise FormatError("is another file of this store (swapped or renamed)")
        if h.key_id != self.key_id:
            raise FormatError("was encrypted under another data key")
        if h.payload_length != len(data) - HEADER_SIZE:
            raise FormatError(
                f"payload is {len(data) - HEADER_SIZE} bytes but the header says "
                f"{h.payload_length} (truncated or extended)"
            )
        if h.payload_length < TAG_SIZE:
            raise FormatError("payload shorter than its authentication tag")
        if h.generation < 1:
            raise FormatError("generation 0 is never written")
        try:
            plaintext = self._aead(h.salt).decrypt(h.nonce, data[HEADER_SIZE:], data[:HEADER_SIZE])
        except InvalidTag:
            raise FormatError("failed authentication (altered, damaged or wrong key)") from None
        return Opened(generation=h.generation, plaintext=plaintext)

    def forget(self) -> None:
        """Drop the data key reference (Python cannot promise to wipe the memory)."""
        self._data_key = b"\0" * KEY_SIZE
