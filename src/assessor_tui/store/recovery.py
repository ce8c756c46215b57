"""The recovery key: 256 random bits a user writes down once, and its text form.

Text form: the 32-byte secret followed by a 3-byte check (the start of
SHA-256 over a label and the secret), in RFC 4648 base32: exactly 56
characters, shown as 14 groups of 4 joined by dashes. The check lets a typo
be told apart from a key that belongs to another store.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re

from .errors import InvalidRecoveryKey
from .kdf import KEY_SIZE

__all__ = ["CHECK_LABEL", "RecoveryKey", "format_recovery_key", "parse_recovery_key"]

CHECK_LABEL = b"assessor-tui recovery key v1"
_CHECK_SIZE = 3
_TEXT_LENGTH = 56  # base32 of 32 + 3 bytes, no padding
_GROUP = 4
# Characters people type for the base32 letters they resemble (base32 has no 0, 1 or 8).
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})
_IGNORED = re.compile(r"[\s\-]+")
_BASE32 = re.compile(r"[A-Z2-7]*")


class RecoveryKey:
    """A recovery secret; ``str()`` is the grouped text shown to the user once."""

    __slots__ = ("secret",)

    def __init__(self, secret: bytes) -> None:
        if len(secret) != KEY_SIZE:
            raise ValueError(f"a recovery secret is {KEY_SIZE} bytes")
        self.secret = secret

    @classmethod
    def generate(cls) -> RecoveryKey:
        return cls(os.urandom(KEY_SIZE))

    @classmethod
    def parse(cls, text: str) -> RecoveryKey:
        return cls(parse_recovery_key(text))

    def __str__(self) -> str:
        return format_recovery_key(self.secret)

    def __repr__(self) -> str:
        return "RecoveryKey(<hidden>)"


def _check(secret: bytes) -> bytes:
    return hashlib.sha256(CHECK_LABEL + secret).digest()[:_CHECK_SIZE]


def format_recovery_key(secret: bytes) -> str:
    """``ABCD-EFGH-…``: 14 groups of 4 base32 characters."""
    text = base64.b32encode(secret + _check(secret)).decode("ascii")
    return "-".join(text[i : i + _GROUP] for i in range(0, len(text), _GROUP))


def parse_recovery_key(text: str) -> bytes:
    """The 32-byte secret, from text typed in any case, with or without spaces/dashes."""
    compact = _IGNORED.sub("", text).upper().translate(_LOOKALIKES)
    if not _BASE32.fullmatch(compact):
        bad = sorted({c for c in compact if not _BASE32.fullmatch(c)})
        raise InvalidRecoveryKey(f"it contains {', '.join(repr(c) for c in bad)}")
    if len(compact) != _TEXT_LENGTH:
        raise InvalidRecoveryKey(
            f"it has {len(compact)} letters and digits; a recovery key has {_TEXT_LENGTH}"
        )
    raw = base64.b32decode(compact)
    secret, check = raw[:KEY_SIZE], raw[KEY_SIZE:]
    if _check(secret) != check:
        raise InvalidRecoveryKey("it has a typo (its check characters do not match)")
    return secret
