"""Every error the store raises, each with a one-line message a user can act on.

The CLI and the TUI catch ``AssessorError`` (assessor_tui/errors.py, the root of
every family) and print ``str(error)``; no traceback reaches a user. The hierarchy::

    StoreError(AssessorError)   anything the store reports to a user
     ├── StoreNotFound          no store in the data folder yet
     ├── StoreExists            `init` on a folder that already holds a store
     ├── StoreLocked            another process has the store open
     ├── StoreClosed            this handle was closed (e.g. idle auto-lock)
     ├── InvalidPassphrase      an empty passphrase offered for a new store
     ├── WrongPassphrase        the passphrase does not open store.key
     ├── InvalidRecoveryKey     not a well-formed recovery key (typo, wrong length)
     ├── WrongRecoveryKey       a well-formed recovery key for another store
     ├── KdfParamsRejected      KDF parameters outside the floor/ceiling
     ├── UnsupportedFormat      a file written by a newer assessor-tui
     ├── BlobNotFound           no attachment with that id
     ├── DamagedFile            a file is damaged, truncated, swapped or altered
     └── SaveFailed             a save did not complete; the previous copy is intact

    FormatError (internal)      raised by the decoders, turned into DamagedFile
                                by the reader that knows the file's name
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager

from assessor_tui.errors import AssessorError

__all__ = [
    "BlobNotFound",
    "DamagedFile",
    "FormatError",
    "InvalidPassphrase",
    "InvalidRecoveryKey",
    "KdfParamsRejected",
    "SaveFailed",
    "StoreClosed",
    "StoreError",
    "StoreExists",
    "StoreLocked",
    "StoreNotFound",
    "UnsupportedFormat",
    "WrongPassphrase",
    "WrongRecoveryKey",
    "describe_os_error",
    "os_errors_as",
]


class StoreError(AssessorError):
    """Base of every error the store reports; ``str()`` is the user's message.

    Subclasses keep their constructor arguments in ``args`` (so they pickle,
    e.g. across pytest-xdist or a worker process) and their text in ``message``.
    """

    message: str = ""

    def __str__(self) -> str:
        return self.message or super().__str__()


class StoreNotFound(StoreError):
    """The data folder holds no store (no store.key and no previous copy of it)."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        super().__init__(os.fspath(data_dir))
        self.data_dir = os.fspath(data_dir)
        self.message = f"no store in {self.data_dir}; create one with `assessor init`"


class StoreExists(StoreError):
    """`init` refuses to overwrite a store: that would destroy its key."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        super().__init__(os.fspath(data_dir))
        self.data_dir = os.fspath(data_dir)
        self.message = f"a store already exists in {self.data_dir}; nothing was changed"


class StoreLocked(StoreError):
    """Only one process may write a store; a second one would lose edits."""

    def __init__(self, data_dir: str | os.PathLike[str], pid: int | None = None) -> None:
        super().__init__(os.fspath(data_dir), pid)
        self.data_dir = os.fspath(data_dir)
        self.pid = pid
        holder = f" (process {pid})" if pid else ""
        self.message = (
            f"the store in {self.data_dir} is open in another assessor process{holder}; "
            "close it there first"
        )


class StoreClosed(StoreError):
    """The handle was closed (by the user or the idle auto-lock) and the key forgotten."""

    message = "the store is locked; unlock it with your passphrase to continue"


class InvalidPassphrase(StoreError):
    """A new passphrase that cannot protect anything (empty)."""

    message = "a passphrase cannot be empty"


class WrongPassphrase(StoreError):
    """The passphrase slot did not open: the passphrase is not this store's."""

    message = "wrong passphrase"


class InvalidRecoveryKey(StoreError):
    """The text is not a recovery key: caught before any key work, with the reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = f"that is not a valid recovery key: {reason}"


class WrongRecoveryKey(StoreError):
    """A well-formed recovery key that does not open this store's recovery slot."""

    message = "that recovery key does not belong to this store"


class KdfParamsRejected(StoreError):
    """KDF parameters outside the bounds: refused before any work, so a hostile
    keyfile cannot make unlocking take all memory or run for hours."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = f"key derivation parameters rejected: {reason}"


class UnsupportedFormat(StoreError):
    """An intact file in a format version this program does not know."""

    def __init__(self, path: str, version: int) -> None:
        super().__init__(path, version)
        self.path = path
        self.version = version
        self.message = (
            f"{path} uses format version {version}, which this version of assessor-tui "
            "cannot read; update assessor-tui"
        )


class BlobNotFound(StoreError):
    """An attachment id that names no file (never stored, or its file was deleted)."""

    def __init__(self, blob_id: str) -> None:
        super().__init__(blob_id)
        self.blob_id = blob_id
        self.message = f"attachment {blob_id!r} is not in the store"


class DamagedFile(StoreError):
    """A file failed its checks (truncated, flipped bits, swapped, altered).

    ``restored`` says whether the previous generation was good and put back;
    ``reason`` is the check that failed, for `assessor doctor` and support.
    """

    def __init__(self, path: str, restored: bool, reason: str = "") -> None:
        super().__init__(path, restored, reason)
        self.path = path
        self.restored = restored
        self.reason = reason
        if restored:
            outcome = "; the previous copy was restored"
        else:
            outcome = ", and no good copy is left; nothing was overwritten"
        self.message = f"{path} is damaged or was altered{outcome}"


class SaveFailed(StoreError):
    """A save failed part-way; the file on disk still holds the previous save.

    ``had_previous`` is False for a file's first save, where nothing was written.
    """

    def __init__(self, path: str, error: OSError, had_previous: bool = True) -> None:
        super().__init__(path, error, had_previous)
        self.path = path
        self.errno = error.errno
        outcome = "your previous copy is intact" if had_previous else "nothing was written"
        self.message = f"could not save {path}: {describe_os_error(error)}; {outcome}"

    @property
    def disk_full(self) -> bool:
        """True when the cause was a full disk (or quota), which the user can fix."""
        return self.errno in (errno.ENOSPC, errno.EDQUOT)


def describe_os_error(error: OSError) -> str:
    """ "no space left on device": the OS's words, lower-cased, without errno noise."""
    if error.errno is not None:
        reason = os.strerror(error.errno)
    else:
        reason = str(error) or type(error).__name__
    return reason[:1].lower() + reason[1:]


@contextmanager
def os_errors_as(action: str) -> Iterator[None]:
    """Turn an unexpected OSError into a one-line StoreError: "could not <action>: …"."""
    try:
        yield
    except StoreError:
        raise
    except OSError as error:
        raise StoreError(f"could not {action}: {describe_os_error(error)}") from error


class FormatError(ValueError):
    """Internal: a decoder's finding about bytes it was given.

    Never reaches a user: the reader that knows the file's name turns it into
    ``DamagedFile`` (after trying the previous generation).
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
