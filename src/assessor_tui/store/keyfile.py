"""store.key: the data key, wrapped once by the passphrase and once by the recovery key.

Layout (format 1, 240 bytes, integers big-endian; docs/store-format.md §3)::

    0   8  magic "ASTUIKEY"          44  4  Argon2id memory (KiB)
    8   2  format version (1)        48  4  Argon2id iterations
    10  2  flags (0)                 52  4  Argon2id lanes
    12 16  store id                  56 16  Argon2id salt
    28  8  key id                    72 12  passphrase slot nonce
    36  8  generation                84 48  passphrase slot: wrapped data key + tag
                                    132 16  recovery slot HKDF salt
                                    148 12  recovery slot nonce
                                    160 48  recovery slot: wrapped data key + tag
                                    208 32  SHA-256 of bytes 0–207

Each slot is AES-256-GCM over the 32-byte data key, with associated data =
bytes 0–35 (the identity) followed by that slot's own parameter bytes, so a
slot cannot be moved to another store or given other KDF parameters. The
checksum tells accidental damage (→ DamagedFile) apart from a wrong
passphrase (→ WrongPassphrase), which only a failed slot can mean.
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass, replace

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import FormatError, UnsupportedFormat, WrongPassphrase, WrongRecoveryKey
from .kdf import KEY_SIZE, SALT_SIZE, KdfParams, derive_kek, new_salt

__all__ = [
    "KEYFILE_MAGIC",
    "KEYFILE_SIZE",
    "KEYFILE_VERSION",
    "RECOVERY_INFO",
    "KeyFile",
    "PassphraseSlot",
    "RecoverySlot",
]

KEYFILE_MAGIC = b"ASTUIKEY"
KEYFILE_VERSION = 1
KEYFILE_SIZE = 240
RECOVERY_INFO = b"assessor-tui/store/v1/recovery-kek"
"""HKDF-SHA256 info string: recovery secret → recovery slot's key-encryption key."""

NONCE_SIZE = 12
WRAPPED_SIZE = KEY_SIZE + 16  # ciphertext + GCM tag
STORE_ID_SIZE = 16
KEY_ID_SIZE = 8
CHECKSUM_SIZE = 32

_IDENTITY = struct.Struct(">8sHH16s8s")  # magic, version, flags, store id, key id: 36 bytes
_GENERATION = struct.Struct(">Q")
_PASS_PARAMS = struct.Struct(">III16s")  # memory KiB, iterations, lanes, salt: 28 bytes
_PASS_SLOT = struct.Struct(f">{NONCE_SIZE}s{WRAPPED_SIZE}s")
_REC_PARAMS = struct.Struct(f">{SALT_SIZE}s")
_REC_SLOT = struct.Struct(f">{NONCE_SIZE}s{WRAPPED_SIZE}s")
_PREFIX = 10  # magic + version: read before anything else


@dataclass(frozen=True)
class PassphraseSlot:
    """The data key under Argon2id(passphrase)."""

    kdf: KdfParams
    salt: bytes
    nonce: bytes
    wrapped: bytes

    def params_bytes(self) -> bytes:
        return _PASS_PARAMS.pack(
            self.kdf.memory_kib, self.kdf.iterations, self.kdf.lanes, self.salt
        )


@dataclass(frozen=True)
class RecoverySlot:
    """The data key under HKDF(recovery secret): it is high-entropy, no slow KDF needed."""

    salt: bytes
    nonce: bytes
    wrapped: bytes

    def params_bytes(self) -> bytes:
        return _REC_PARAMS.pack(self.salt)


def _recovery_kek(secret: bytes, salt: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=salt, info=RECOVERY_INFO).derive(
        secret
    )


@dataclass(frozen=True)
class KeyFile:
    """The decoded store.key; holds no secret in the clear."""

    store_id: bytes
    key_id: bytes
    generation: int
    passphrase: PassphraseSlot
    recovery: RecoverySlot

    # -- creating and changing -------------------------------------------------------------

    @classmethod
    def create(
        cls, data_key: bytes, passphrase: str, recovery_secret: bytes, kdf: KdfParams
    ) -> KeyFile:
        """A new store's key file: fresh store id and key id, both slots filled."""
        store_id, key_id = os.urandom(STORE_ID_SIZE), os.urandom(KEY_ID_SIZE)
        salt, nonce = os.urandom(SALT_SIZE), os.urandom(NONCE_SIZE)
        draft = RecoverySlot(salt=salt, nonce=nonce, wrapped=b"")
        ad = cls._identity_of(store_id, key_id) + draft.params_bytes()
        kek = _recovery_kek(recovery_secret, salt)
        recovery = replace(draft, wrapped=AESGCM(kek).encrypt(nonce, data_key, ad))
        empty = PassphraseSlot(kdf=kdf, salt=b"\0" * SALT_SIZE, nonce=b"", wrapped=b"")
        keyfile = cls(store_id, key_id, generation=0, passphrase=empty, recovery=recovery)
        return keyfile.with_passphrase(data_key, passphrase, kdf)

    def with_passphrase(self, data_key: bytes, passphrase: str, kdf: KdfParams) -> KeyFile:
        """The next generation, with only the passphrase slot rewritten (fresh salt)."""
        salt, nonce = new_salt(), os.urandom(NONCE_SIZE)
        draft = PassphraseSlot(kdf=kdf, salt=salt, nonce=nonce, wrapped=b"")
        kek = derive_kek(passphrase, salt, kdf)
        wrapped = AESGCM(kek).encrypt(nonce, data_key, self._identity() + draft.params_bytes())
        return replace(
            self, generation=self.generation + 1, passphrase=replace(draft, wrapped=wrapped)
        )

    # -- opening ---------------------------------------------------------------------------

    def open_with_passphrase(self, passphrase: str) -> bytes:
        """The data key; KdfParamsRejected before any work, WrongPassphrase if the slot fails."""
        slot = self.passphrase
        kek = derive_kek(passphrase, slot.salt, slot.kdf)
        try:
            return AESGCM(kek).decrypt(
                slot.nonce, slot.wrapped, self._identity() + slot.params_bytes()
            )
        except InvalidTag:
            raise WrongPassphrase() from None

    def open_with_recovery(self, secret: bytes) -> bytes:
        """The data key from the recovery secret; WrongRecoveryKey if the slot fails."""
        slot = self.recovery
        kek = _recovery_kek(secret, slot.salt)
        try:
            return AESGCM(kek).decrypt(
                slot.nonce, slot.wrapped, self._identity() + slot.params_bytes()
            )
        except InvalidTag:
            raise WrongRecoveryKey() from None

    # -- bytes -----------------------------------------------------------------------------

    @staticmethod
    def _identity_of(store_id: bytes, key_id: bytes) -> bytes:
        return _IDENTITY.pack(KEYFILE_MAGIC, KEYFILE_VERSION, 0, store_id, key_id)

    def _identity(self) -> bytes:
        return self._identity_of(self.store_id, self.key_id)

    def encode(self) -> bytes:
        """The 240 bytes of store.key, checksum last."""
        body = b"".join(
            (
                self._identity(),
                _GENERATION.pack(self.generation),
                self.passphrase.params_bytes(),
                _PASS_SLOT.pack(self.passphrase.nonce, self.passphrase.wrapped),
                self.recovery.params_bytes(),
                _REC_SLOT.pack(self.recovery.nonce, self.recovery.wrapped),
            )
        )
        return body + hashlib.sha256(body).digest()

    @classmethod
    def decode(cls, data: bytes, label: str = "store.key") -> KeyFile:
        """Parse and check structure; FormatError for damage, UnsupportedFormat if newer.

        Order: magic, checksum, version, size, flags. KDF parameters are not
        judged here but by ``derive_kek``, before it does any work.
        """
        if len(data) < _PREFIX or data[:8] != KEYFILE_MAGIC:
            raise FormatError("not a store key file (bad magic or truncated)")
        if len(data) < _IDENTITY.size + CHECKSUM_SIZE:
            raise FormatError(f"truncated: {len(data)} bytes")
        body, checksum = data[:-CHECKSUM_SIZE], data[-CHECKSUM_SIZE:]
        if hashlib.sha256(body).digest() != checksum:
            raise FormatError("checksum mismatch")
        _, version, flags, store_id, key_id = _IDENTITY.unpack_from(data, 0)
        if version != KEYFILE_VERSION:
            raise UnsupportedFormat(label, version)
        if len(data) != KEYFILE_SIZE:
            raise FormatError(f"size {len(data)} bytes, expected {KEYFILE_SIZE}")
        if flags != 0:
            raise FormatError(f"unknown flags {flags:#06x}")
        offset = _IDENTITY.size
        (generation,) = _GENERATION.unpack_from(data, offset)
        offset += _GENERATION.size
        memory, iterations, lanes, salt = _PASS_PARAMS.unpack_from(data, offset)
        offset += _PASS_PARAMS.size
        pass_nonce, pass_wrapped = _PASS_SLOT.unpack_from(data, offset)
        offset += _PASS_SLOT.size
        (rec_salt,) = _REC_PARAMS.unpack_from(data, offset)
        offset += _REC_PARAMS.size
        rec_nonce, rec_wrapped = _REC_SLOT.unpack_from(data, offset)
        return cls(
            store_id=store_id,
            key_id=key_id,
            generation=generation,
            passphrase=PassphraseSlot(
                kdf=KdfParams(memory_kib=memory, iterations=iterations, lanes=lanes),
                salt=salt,
                nonce=pass_nonce,
                wrapped=pass_wrapped,
            ),
            recovery=RecoverySlot(salt=rec_salt, nonce=rec_nonce, wrapped=rec_wrapped),
        )
