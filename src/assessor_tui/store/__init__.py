"""Encrypted, durable local storage: one encrypted TinyDB file per visit, plus an index.

The public surface is this module's ``__all__``; the submodules each do one
job (errors, kdf, recovery, keyfile, fileformat, durable, lock, storage,
problems, vault) and are importable for tests and the format's documentation.
No module here imports Textual or prints.
"""

from __future__ import annotations

from .errors import (
    BlobNotFound,
    DamagedFile,
    InvalidPassphrase,
    InvalidRecoveryKey,
    KdfParamsRejected,
    SaveFailed,
    StoreClosed,
    StoreError,
    StoreExists,
    StoreLocked,
    StoreNotFound,
    UnsupportedFormat,
    WrongPassphrase,
    WrongRecoveryKey,
)
from .fileformat import FileKind, Sealer, file_id_for
from .kdf import CEILING_KDF, DEFAULT_KDF, FLOOR_KDF, KdfParams
from .problems import Problem, ProblemKind
from .recovery import format_recovery_key, parse_recovery_key
from .storage import EncryptedStorage
from .vault import Vault, canonical_visit_id

__all__ = [
    "CEILING_KDF",
    "DEFAULT_KDF",
    "FLOOR_KDF",
    "BlobNotFound",
    "DamagedFile",
    "EncryptedStorage",
    "FileKind",
    "InvalidPassphrase",
    "InvalidRecoveryKey",
    "KdfParams",
    "KdfParamsRejected",
    "Problem",
    "ProblemKind",
    "SaveFailed",
    "Sealer",
    "StoreClosed",
    "StoreError",
    "StoreExists",
    "StoreLocked",
    "StoreNotFound",
    "UnsupportedFormat",
    "Vault",
    "WrongPassphrase",
    "WrongRecoveryKey",
    "canonical_visit_id",
    "file_id_for",
    "format_recovery_key",
    "parse_recovery_key",
]
