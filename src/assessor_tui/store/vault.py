"""The store as a whole: a locked data folder of encrypted files, opened by passphrase.

Layout (docs/store-format.md §2)::

    store.key, store.key.prev     the data key in two slots, and a second copy
    store.lock                    flock'd while a process has the store open
    index.db(.prev)               TinyDB: visit summaries, settings, device id
    visits/<visit-id>.db(.prev)   TinyDB, one per visit: an edit costs one visit
    blobs/<blob-id>.bin           attachments, written once

The data key lives only in this object's memory; close() forgets it and
releases the lock. One TinyDB is handed out per file, so every reader of a
file shares one storage and one read cache.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import TracebackType

from tinydb import TinyDB

from .durable import (
    DAMAGED_SUFFIX,
    PREV_SUFFIX,
    DurableFile,
    make_folder,
    remove_temp_files,
)
from .errors import (
    BlobNotFound,
    DamagedFile,
    FormatError,
    StoreClosed,
    StoreError,
    StoreExists,
    StoreNotFound,
    os_errors_as,
)
from .fileformat import FileKind, Sealer, file_id_for
from .kdf import DEFAULT_KDF, KEY_SIZE, KdfParams, encode_passphrase
from .keyfile import KeyFile
from .lock import StoreLock
from .problems import Problem, ProblemKind
from .recovery import RecoveryKey, parse_recovery_key
from .storage import EncryptedStorage

__all__ = ["BLOBS_DIR", "INDEX_NAME", "KEY_NAME", "VISITS_DIR", "Vault", "canonical_visit_id"]

KEY_NAME = "store.key"
INDEX_NAME = "index.db"
VISITS_DIR = "visits"
BLOBS_DIR = "blobs"
_VISIT_SUFFIX = ".db"
_BLOB_SUFFIX = ".bin"
_BLOB_ID = re.compile(r"[0-9a-f]{32}")
_DEVICE_TABLE = "device"


def canonical_visit_id(visit_id: str) -> str:
    """The lowercase, dashed UUID form used as the file name; ValueError otherwise."""
    try:
        return str(uuid.UUID(visit_id))
    except (ValueError, TypeError, AttributeError):
        raise ValueError(f"not a visit id (a UUID): {visit_id!r}") from None


def _key_file(data_dir: Path) -> DurableFile:
    return DurableFile(data_dir / KEY_NAME, KEY_NAME)


def _load_keyfile(data_dir: Path) -> tuple[KeyFile, DamagedFile | None]:
    loaded = _key_file(data_dir).load(KeyFile.decode)
    if loaded is None:
        raise StoreNotFound(data_dir)
    return loaded.value, loaded.restored


def _clean_temp_files(data_dir: Path) -> None:
    for folder in (data_dir, data_dir / VISITS_DIR, data_dir / BLOBS_DIR):
        remove_temp_files(folder)


class Vault:
    """An unlocked store. Make one with ``init``, ``unlock`` or ``unlock_with_recovery``."""

    def __init__(
        self,
        data_dir: Path,
        lock: StoreLock,
        keyfile: KeyFile,
        data_key: bytes,
        restored: DamagedFile | None = None,
    ) -> None:
        self._data_dir = data_dir
        self._lock = lock
        self._keyfile = keyfile
        self._sealer: Sealer | None = Sealer(data_key, keyfile.store_id, keyfile.key_id)
        self._dbs: dict[str, TinyDB] = {}
        self._guard = threading.RLock()
        self._restorations: list[DamagedFile] = [restored] if restored else []

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def init(
        cls, data_dir: str | os.PathLike[str], passphrase: str, *, kdf: KdfParams = DEFAULT_KDF
    ) -> tuple[Vault, str]:
        """Create a store; returns it and the recovery key text, to show the user once."""
        data_dir = Path(data_dir)
        encode_passphrase(passphrase)
        kdf.check()
        with os_errors_as(f"create a store in {data_dir}"):
            make_folder(data_dir)
            lock = StoreLock.acquire(data_dir)
            try:
                if cls._holds_store(data_dir):
                    raise StoreExists(data_dir)
                _clean_temp_files(data_dir)
                make_folder(data_dir / VISITS_DIR)
                make_folder(data_dir / BLOBS_DIR)
                data_key, recovery = os.urandom(KEY_SIZE), RecoveryKey.generate()
                keyfile = KeyFile.create(data_key, passphrase, recovery.secret, kdf)
                _key_file(data_dir).save_both(keyfile.encode(), rollback=None)
                vault = cls(data_dir, lock, keyfile, data_key)
            except BaseException:
                lock.release()
                raise
        return vault, str(recovery)

    @staticmethod
    def _holds_store(data_dir: Path) -> bool:
        names = (KEY_NAME, KEY_NAME + PREV_SUFFIX, INDEX_NAME, INDEX_NAME + PREV_SUFFIX)
        if any((data_dir / name).exists() for name in names):
            return True
        visits = data_dir / VISITS_DIR
        return visits.is_dir() and any(visits.iterdir())

    @classmethod
    def _open(cls, data_dir: str | os.PathLike[str]) -> tuple[Path, StoreLock]:
        data_dir = Path(data_dir)
        if not _key_file(data_dir).exists():
            raise StoreNotFound(data_dir)
        with os_errors_as(f"open the store in {data_dir}"):
            lock = StoreLock.acquire(data_dir)
            try:
                _clean_temp_files(data_dir)
            except BaseException:
                lock.release()
                raise
        return data_dir, lock

    @classmethod
    def unlock(cls, data_dir: str | os.PathLike[str], passphrase: str) -> Vault:
        """Open a store: StoreLocked, WrongPassphrase, KdfParamsRejected, DamagedFile…"""
        encode_passphrase(passphrase)
        path, lock = cls._open(data_dir)
        try:
            keyfile, restored = _load_keyfile(path)
            data_key = keyfile.open_with_passphrase(passphrase)
            return cls(path, lock, keyfile, data_key, restored)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def unlock_with_recovery(
        cls,
        data_dir: str | os.PathLike[str],
        recovery_key: str,
        new_passphrase: str,
        *,
        kdf: KdfParams | None = None,
    ) -> Vault:
        """Open with the recovery key and set a new passphrase (the recovery key stays valid)."""
        secret = parse_recovery_key(recovery_key)
        encode_passphrase(new_passphrase)
        if kdf is not None:
            kdf.check()
        path, lock = cls._open(data_dir)
        try:
            keyfile, restored = _load_keyfile(path)
            data_key = keyfile.open_with_recovery(secret)
            vault = cls(path, lock, keyfile, data_key, restored)
            vault._set_passphrase(data_key, new_passphrase, kdf)
            return vault
        except BaseException:
            lock.release()
            raise

    # -- keys --------------------------------------------------------------------------------

    def change_passphrase(self, old: str, new: str, *, kdf: KdfParams | None = None) -> None:
        """Rewrite store.key's passphrase slot; no other file changes.

        ``kdf`` defaults to the store's current parameters. Both copies of
        store.key are rewritten, so the old passphrase opens no file afterwards.
        """
        self._sealer_or_raise()
        encode_passphrase(new)
        if kdf is not None:
            kdf.check()
        data_key = self._keyfile.open_with_passphrase(old)
        self._set_passphrase(data_key, new, kdf)

    def _set_passphrase(self, data_key: bytes, passphrase: str, kdf: KdfParams | None) -> None:
        with self._guard:
            old = self._keyfile
            new = old.with_passphrase(data_key, passphrase, kdf or old.passphrase.kdf)
            _key_file(self._data_dir).save_both(new.encode(), rollback=old.encode())
            self._keyfile = new

    @property
    def kdf(self) -> KdfParams:
        """The Argon2id parameters of the current passphrase slot."""
        return self._keyfile.passphrase.kdf

    # -- databases ---------------------------------------------------------------------------

    def _sealer_or_raise(self) -> Sealer:
        if self._sealer is None:
            raise StoreClosed()
        return self._sealer

    def _storage(self, label: str, kind: FileKind, file_id: bytes) -> EncryptedStorage:
        return EncryptedStorage(
            self._data_dir / label,
            sealer=self._sealer_or_raise(),
            kind=kind,
            file_id=file_id,
            label=label,
            on_restore=self._restorations.append,
        )

    def _db(self, label: str, kind: FileKind, file_id: bytes) -> TinyDB:
        with self._guard:
            self._sealer_or_raise()
            db = self._dbs.get(label)
            if db is None:
                storage = self._storage(label, kind, file_id)
                db = self._dbs[label] = TinyDB(storage=lambda: storage)
            return db

    def index(self) -> TinyDB:
        """The index: visit summaries, settings and the device id."""
        return self._db(INDEX_NAME, FileKind.INDEX, file_id_for(FileKind.INDEX))

    @staticmethod
    def _visit_label(visit_id: str) -> str:
        return f"{VISITS_DIR}/{visit_id}{_VISIT_SUFFIX}"

    def visit_db(self, visit_id: str) -> TinyDB:
        """The visit's own database (created on its first write). ValueError for a non-UUID.

        The same TinyDB is returned for as long as the store is open (or until
        ``close_visit``), so every reader shares one storage and its cache.
        """
        vid = canonical_visit_id(visit_id)
        return self._db(self._visit_label(vid), FileKind.VISIT, file_id_for(FileKind.VISIT, vid))

    def close_visit(self, visit_id: str) -> None:
        """Free a visit's cached TinyDB; drop every reference to it first."""
        with self._guard:
            db = self._dbs.pop(self._visit_label(canonical_visit_id(visit_id)), None)
        if db is not None:
            db.close()

    def visit_ids(self) -> list[str]:
        """Ids of the visits that have a file, sorted (UUIDv7 sorts by creation time)."""
        self._sealer_or_raise()
        found = set()
        for entry in _entries(self._data_dir / VISITS_DIR):
            stem = entry.removesuffix(PREV_SUFFIX)
            if stem.endswith(_VISIT_SUFFIX):
                try:
                    vid = canonical_visit_id(stem.removesuffix(_VISIT_SUFFIX))
                except ValueError:
                    continue
                if f"{vid}{_VISIT_SUFFIX}" == stem:
                    found.add(vid)
        return sorted(found)

    @property
    def device_id(self) -> str:
        """This installation's id (random, made on first use and kept in the index)."""
        table = self.index().table(_DEVICE_TABLE)
        with self._guard:
            for doc in table.all():
                found = doc.get("device_id")
                if isinstance(found, str):
                    return found
            device_id = str(uuid.uuid4())
            table.insert({"device_id": device_id})
            return device_id

    # -- blobs -------------------------------------------------------------------------------

    def _blob_file(self, blob_id: str) -> DurableFile:
        label = f"{BLOBS_DIR}/{blob_id}{_BLOB_SUFFIX}"
        return DurableFile(self._data_dir / label, label)

    def put_blob(self, data: bytes, blob_id: str | None = None) -> str:
        """Store an attachment durably; returns its id (32 hex digits, random by default).

        ``blob_id`` keeps the id an exported visit gives it, so export → import is
        lossless (the evidence records and the change log name it). An id already in the
        store is accepted only for the same bytes: StoreError otherwise, as for a
        malformed id, and nothing is written.
        """
        sealer = self._sealer_or_raise()
        if blob_id is None:
            blob_id = secrets.token_hex(16)
        elif not isinstance(blob_id, str) or not _BLOB_ID.fullmatch(blob_id):
            raise StoreError(f"not an attachment id (32 lowercase hex digits): {blob_id!r}")
        elif self._blob_file(blob_id).exists():
            if self.get_blob(blob_id) == bytes(data):
                return blob_id
            raise StoreError(f"attachment {blob_id!r} is already in the store, with other content")
        sealed = sealer.seal(FileKind.BLOB, file_id_for(FileKind.BLOB, blob_id), 1, bytes(data))
        self._blob_file(blob_id).save(sealed)
        return blob_id

    def get_blob(self, blob_id: str) -> bytes:
        """An attachment's bytes: BlobNotFound, or DamagedFile if it fails its checks."""
        sealer = self._sealer_or_raise()
        if not isinstance(blob_id, str) or not _BLOB_ID.fullmatch(blob_id):
            raise BlobNotFound(str(blob_id))
        file_id = file_id_for(FileKind.BLOB, blob_id)
        loaded = self._blob_file(blob_id).load(
            lambda data: sealer.open(data, FileKind.BLOB, file_id).plaintext
        )
        if loaded is None:
            raise BlobNotFound(blob_id)
        return loaded.value

    def blob_ids(self) -> list[str]:
        """Ids of every stored attachment, sorted."""
        self._sealer_or_raise()
        return sorted(
            name.removesuffix(_BLOB_SUFFIX)
            for name in _entries(self._data_dir / BLOBS_DIR)
            if name.endswith(_BLOB_SUFFIX) and _BLOB_ID.fullmatch(name.removesuffix(_BLOB_SUFFIX))
        )

    # -- health ------------------------------------------------------------------------------

    @property
    def restorations(self) -> tuple[DamagedFile, ...]:
        """Every file restored from its previous copy since unlock, for the UI to report."""
        return tuple(self._restorations)

    def check(self) -> list[Problem]:
        """Read every file of the store and report what is wrong (for `assessor doctor`).

        Damaged files with a good previous copy are restored as a side effect,
        exactly as a normal read would; nothing unrecoverable is touched.
        """
        sealer = self._sealer_or_raise()
        problems: list[Problem] = []

        def keyfile(data: bytes) -> KeyFile:
            decoded = KeyFile.decode(data)
            if (decoded.store_id, decoded.key_id) != (sealer.store_id, sealer.key_id):
                raise FormatError("belongs to another store or data key")
            return decoded

        files: list[tuple[str, Callable[[], DamagedFile | None], Callable[[], str | None]]]
        files = [self._file_check(_key_file(self._data_dir), keyfile)]
        databases = [(INDEX_NAME, FileKind.INDEX, file_id_for(FileKind.INDEX))] + [
            (self._visit_label(vid), FileKind.VISIT, file_id_for(FileKind.VISIT, vid))
            for vid in self.visit_ids()
        ]
        for label, kind, file_id in databases:
            open_db = self._dbs.get(label)
            # An open database is checked through its own storage, so its cache stays true;
            # the others through a throwaway one, so checking keeps nothing in memory.
            storage = (
                open_db.storage if open_db is not None else self._storage(label, kind, file_id)
            )
            if isinstance(storage, EncryptedStorage):
                files.append((label, storage.verify, storage.verify_previous))
        for blob_id in self.blob_ids():
            file_id = file_id_for(FileKind.BLOB, blob_id)
            files.append(
                self._file_check(
                    self._blob_file(blob_id),
                    partial(sealer.open, kind=FileKind.BLOB, file_id=file_id),
                )
            )
        for label, load, check_previous in files:
            try:
                restored = load()
            except StoreError as error:
                detail = error.reason if isinstance(error, DamagedFile) else str(error)
                problems.append(Problem(label, ProblemKind.LOST, detail))
                continue
            if restored is not None:
                problems.append(Problem(label, ProblemKind.RESTORED, restored.reason))
            reason = check_previous()
            if reason is not None:
                problems.append(Problem(label + PREV_SUFFIX, ProblemKind.PREVIOUS_DAMAGED, reason))
        for folder in (self._data_dir, self._data_dir / VISITS_DIR, self._data_dir / BLOBS_DIR):
            for name in sorted(_entries(folder)):
                if name.endswith(DAMAGED_SUFFIX):
                    relative = (folder / name).relative_to(self._data_dir).as_posix()
                    problems.append(Problem(relative, ProblemKind.DAMAGED_COPY_KEPT))
        return problems

    def _file_check(
        self, file: DurableFile, parse: Callable[[bytes], object]
    ) -> tuple[str, Callable[[], DamagedFile | None], Callable[[], str | None]]:
        """(label, load → restore report, previous copy → reason) for a plain file."""

        def load() -> DamagedFile | None:
            loaded = file.load(parse)
            if loaded is not None and loaded.restored is not None:
                self._restorations.append(loaded.restored)
                return loaded.restored
            return None

        return file.label, load, lambda: file.check_previous(parse)

    # -- closing -----------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return self._data_dir

    @property
    def store_id(self) -> str:
        """The store's random id, as 32 hex digits."""
        return self._keyfile.store_id.hex()

    @property
    def closed(self) -> bool:
        return self._sealer is None

    def close(self) -> None:
        """Close every database, forget the data key and release the lock (idempotent)."""
        with self._guard:
            for db in self._dbs.values():
                db.close()
            self._dbs.clear()
            if self._sealer is not None:
                self._sealer.forget()
                self._sealer = None
            self._lock.release()

    def __enter__(self) -> Vault:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _entries(folder: Path) -> list[str]:
    """File names in a store folder; a missing folder is an empty one."""
    with os_errors_as(f"list {folder}"):
        try:
            return os.listdir(folder)
        except FileNotFoundError:
            return []
