"""EncryptedStorage: a TinyDB Storage whose serialisation is encryption.

It lives in a Storage, not a Middleware, because encrypting is how the data
is serialised. ``write`` is durable before it returns (durable.DurableFile);
there is no write-back cache, so an acknowledged edit survives kill -9. A
read cache holds the JSON text of the last load or save, which is exactly
what is on disk; it is dropped whenever a save fails.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from tinydb.storages import Storage

from .durable import DurableFile
from .errors import DamagedFile, FormatError, SaveFailed, StoreClosed
from .fileformat import FileKind, Sealer

__all__ = ["EncryptedStorage", "decode_json", "encode_json"]

Tables = dict[str, dict[str, Any]]


def encode_json(data: Tables) -> bytes:
    """Compact, standard JSON (no NaN), ASCII-only so any str survives as UTF-8."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode(
        "ascii"
    )


def decode_json(payload: bytes) -> Tables:
    """The tables from a decrypted payload; FormatError if it is not a JSON object."""
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise FormatError("payload is not JSON") from None
    if not isinstance(data, dict):
        raise FormatError("payload is not a JSON object")
    return data


class EncryptedStorage(Storage):
    """One encrypted TinyDB file: ``TinyDB(path, sealer=…, storage=EncryptedStorage)``."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        sealer: Sealer,
        kind: FileKind,
        file_id: bytes,
        label: str | None = None,
        on_restore: Callable[[DamagedFile], None] | None = None,
    ) -> None:
        super().__init__()
        path = Path(path)
        self._file = DurableFile(path, label or path.name)
        self._sealer: Sealer | None = sealer
        self._kind = kind
        self._file_id = file_id
        self._on_restore = on_restore
        self._lock = threading.RLock()
        # None: not loaded yet. 0: no file yet. Otherwise the generation on disk.
        self._generation: int | None = None
        self._text: bytes | None = None  # the JSON on disk, when loaded

    @property
    def label(self) -> str:
        return self._file.label

    def _parse(self, data: bytes) -> tuple[int, bytes, Tables]:
        if self._sealer is None:
            raise StoreClosed()
        opened = self._sealer.open(data, self._kind, self._file_id)
        return opened.generation, opened.plaintext, decode_json(opened.plaintext)

    def _load(self) -> tuple[Tables | None, DamagedFile | None]:
        """Read from disk (falling back to the previous copy) and refresh the cache."""
        self._generation, self._text = None, None
        loaded = self._file.load(self._parse)
        if loaded is None:
            self._generation = 0
            return None, None
        self._generation, self._text, tables = loaded.value
        if loaded.restored is not None and self._on_restore is not None:
            self._on_restore(loaded.restored)
        return tables, loaded.restored

    def read(self) -> Tables | None:
        """The tables, or None before the first write. DamagedFile if no copy is good."""
        with self._lock:
            if self._sealer is None:
                raise StoreClosed()
            if self._generation is None:
                return self._load()[0]
            if self._text is None:
                return None
            return cast(Tables, json.loads(self._text))

    def write(self, data: Tables) -> None:
        """Encrypt and save durably; SaveFailed leaves the file as it was.

        Values JSON cannot hold (NaN, datetime, …) raise TypeError/ValueError
        before anything is written: a caller's bug, not a user's.
        """
        with self._lock:
            if self._sealer is None:
                raise StoreClosed()
            if self._generation is None:
                self._load()  # learn the generation; refuses to overwrite an unreadable file
            generation = (self._generation or 0) + 1
            text = encode_json(data)
            sealed = self._sealer.seal(self._kind, self._file_id, generation, text)
            try:
                self._file.save(sealed)
            except SaveFailed:
                self._generation, self._text = None, None
                raise
            self._generation, self._text = generation, text

    def verify(self) -> DamagedFile | None:
        """Re-read from disk, ignoring the cache: the restore report, if one was needed.

        Raises DamagedFile when no copy is good. For `assessor doctor`.
        """
        with self._lock:
            if self._sealer is None:
                raise StoreClosed()
            return self._load()[1]

    def verify_previous(self) -> str | None:
        """Why the previous copy fails its checks, or None if it is good or absent."""
        return self._file.check_previous(self._parse)

    def close(self) -> None:
        """Forget the cache and the sealer; later reads or writes raise StoreClosed."""
        with self._lock:
            self._sealer = None
            self._generation, self._text = None, None
