"""What `assessor doctor` reports: one Problem per file that needs the user's attention."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Problem", "ProblemKind"]


class ProblemKind(StrEnum):
    """How bad it is, from "already repaired" to "data lost"."""

    RESTORED = "restored"
    """The current copy was bad; the previous one was good and is now current."""
    LOST = "lost"
    """Neither copy is good; nothing was overwritten."""
    PREVIOUS_DAMAGED = "previous-damaged"
    """The current copy is good, the previous one is not; the next save replaces it."""
    DAMAGED_COPY_KEPT = "damaged-copy-kept"
    """A damaged file set aside by an earlier restore, kept for hand recovery."""


_MESSAGES = {
    ProblemKind.RESTORED: "{path} is damaged or was altered; the previous copy was restored",
    ProblemKind.LOST: (
        "{path} is damaged or was altered, and no good copy is left; nothing was overwritten"
    ),
    ProblemKind.PREVIOUS_DAMAGED: (
        "{path} (the previous copy) is damaged; the current copy is fine and the next "
        "save replaces it"
    ),
    ProblemKind.DAMAGED_COPY_KEPT: (
        "{path} is a damaged copy set aside when its file was restored; "
        "delete it once you no longer need it"
    ),
}


@dataclass(frozen=True)
class Problem:
    """A file (``path`` relative to the data folder) and what is wrong with it."""

    path: str
    kind: ProblemKind
    detail: str = ""

    def __str__(self) -> str:
        return _MESSAGES[self.kind].format(path=self.path)
