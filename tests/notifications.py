"""What an app said, all of it: Textual drops a notification once its few seconds on screen
are up, and a busy laptop can run a test for longer than that, so tests read ``told(app)``
(every notification since the app started) instead of the ones still showing."""

from __future__ import annotations

from typing import Any

import pytest


def keep_every_notification(monkeypatch: pytest.MonkeyPatch) -> None:
    """Record each notification an app adds, for ``told``; they still expire as usual."""
    from textual.notifications import Notification, Notifications

    add = Notifications.add

    def recording_add(self: Notifications, notification: Notification) -> Notifications:
        self.__dict__.setdefault("told", []).append(notification)
        return add(self, notification)

    monkeypatch.setattr(Notifications, "add", recording_add)


def told(app: Any) -> list[str]:
    """Every message the app has notified, in order, expired ones included."""
    return [str(n.message) for n in app._notifications.__dict__.get("told", [])]
