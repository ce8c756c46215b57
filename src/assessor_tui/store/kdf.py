"""Passphrase → key-encryption key, with Argon2id and bounded parameters.

The parameters travel in store.key, so they are attacker-controlled input:
they are checked against a floor (a store never gets weaker than this) and a
ceiling (unlocking never exhausts memory or time) before any work is done.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from .errors import InvalidPassphrase, KdfParamsRejected

__all__ = [
    "CEILING_KDF",
    "DEFAULT_KDF",
    "FLOOR_KDF",
    "KEY_SIZE",
    "SALT_SIZE",
    "KdfParams",
    "derive_kek",
    "encode_passphrase",
    "new_salt",
]

KEY_SIZE = 32
"""Bytes in every key here: data key, KEKs, subkeys (AES-256)."""

SALT_SIZE = 16
"""Bytes of the random Argon2id salt, fresh for every passphrase slot."""


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost: memory in KiB (as RFC 9106 and cryptography count it)."""

    memory_kib: int
    iterations: int
    lanes: int

    def check(self) -> None:
        """Raise KdfParamsRejected unless FLOOR ≤ self ≤ CEILING in every field."""
        _within("memory", self.memory_kib, FLOOR_KDF.memory_kib, CEILING_KDF.memory_kib, " KiB")
        _within("iterations", self.iterations, FLOOR_KDF.iterations, CEILING_KDF.iterations)
        _within("lanes", self.lanes, FLOOR_KDF.lanes, CEILING_KDF.lanes)


def _within(name: str, value: object, low: int, high: int, unit: str = "") -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise KdfParamsRejected(f"{name} must be a whole number")
    if value < low:
        raise KdfParamsRejected(f"{name} {value:,}{unit} is below the minimum {low:,}{unit}")
    if value > high:
        raise KdfParamsRejected(f"{name} {value:,}{unit} is above the maximum {high:,}{unit}")


FLOOR_KDF = KdfParams(memory_kib=8 * 1024, iterations=1, lanes=1)
"""The weakest parameters accepted; tests pass it explicitly for speed."""

CEILING_KDF = KdfParams(memory_kib=2 * 1024 * 1024, iterations=20, lanes=16)
"""The costliest parameters accepted (2 GiB, 20 passes, 16 lanes)."""

DEFAULT_KDF = KdfParams(memory_kib=64 * 1024, iterations=5, lanes=4)
"""RFC 9106 §4's memory-constrained option (64 MiB, p=4) with t=5 instead of 3: t=3 took
0.08 s on a fast 2-core machine, under the 0.1 s floor an unlock should cost an attacker;
t=5 takes about 0.14 s there and well under a second on an older laptop. Existing stores
keep the parameters in their key slots."""


def encode_passphrase(passphrase: str) -> bytes:
    """NFC-normalised UTF-8, so the same passphrase typed on any system matches."""
    if not passphrase:
        raise InvalidPassphrase()
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def derive_kek(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    """The 32-byte key-encryption key for a passphrase slot (checks params first)."""
    params.check()
    if len(salt) != SALT_SIZE:
        raise KdfParamsRejected(f"salt must be {SALT_SIZE} bytes, not {len(salt)}")
    kdf = Argon2id(
        salt=salt,
        length=KEY_SIZE,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(encode_passphrase(passphrase))


def new_salt() -> bytes:
    """A fresh random Argon2id salt."""
    return os.urandom(SALT_SIZE)
