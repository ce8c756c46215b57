"""The session's own refusals: requests it cannot carry out, told in one line."""

from __future__ import annotations

from assessor_tui.errors import AssessorError


class SessionError(AssessorError):
    """A request the session cannot carry out (an ambiguous visit id, a framework not
    installed, a file that is not an export); the message says why."""
