"""The one root of every error a user may see: ``str(error)`` is the sentence shown.

The CLI's dispatcher and the app's one error helper catch ``AssessorError`` and
show its text in one line; anything else that escapes is a bug, reported as
"internal error: TypeName". This module imports nothing of the app, so every
layer may raise a family of its own from here. The families, and where each
lives::

    AssessorError
     ├── StoreError                 store/errors.py: the encrypted store
     │    ├── StoreNotFound, StoreExists, StoreLocked, StoreClosed,
     │    │   InvalidPassphrase, WrongPassphrase, InvalidRecoveryKey,
     │    │   WrongRecoveryKey, KdfParamsRejected, UnsupportedFormat,
     │    │   BlobNotFound, DamagedFile, SaveFailed   (drawn in store/errors.py)
     │    ├── VisitNotFound         store/repository.py: no visit with that id
     │    └── VisitExists           store/repository.py: an import of a visit already here
     ├── SessionError               session/errors.py: a request the session cannot carry out
     ├── EditRefused (ValueError)   domain/checks.py: an edit the framework or visit forbids
     │    └── CommandFailed         plugins/host.py: a plugin's command that went wrong
     ├── FrameworkInvalid           frameworks/errors.py: a framework file that does not load
     ├── SyncError                  sync/client.py: a sync that failed; local data untouched
     │    ├── InsecureURL, Unreachable
     │    └── ServerRefused
     │         └── AuthFailed
     ├── ReportError                reports/quality.py: a record that cannot be produced
     │    └── RecordNotReady
     ├── ScaffoldError (ValueError) scaffold/: a plugin that cannot be made as asked
     └── CommandError               cli/output.py: a command's own refusal

Left out on purpose: the server's ``ServiceError`` family (server/service.py) is
turned into HTTP answers, and the server shares only the protocol types with the
client, so it does not import this module. Internal errors that never reach a
user (``FormatError``, ``WrongResult``) stay plain exceptions.
"""

from __future__ import annotations

__all__ = ["AssessorError"]


class AssessorError(Exception):
    """Base of every error a user may see; ``str()`` is the one-line message shown.

    ``exit_code`` is the status the ``assessor`` command exits with when this
    error ends a command.
    """

    exit_code: int = 1
