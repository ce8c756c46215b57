"""Keep the developer's machine out of the tests: no real data folder, no user plugins."""

from __future__ import annotations

import pytest

from tests.notifications import keep_every_notification


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("ASSESSOR_DATA_DIR", str(home / "data"))
    for name in (
        "ASSESSOR_FRAMEWORKS_DIR",
        "ASSESSOR_DISABLE_PLUGINS",
        "ASSESSOR_DEBUG",
        "ASSESSOR_PASSPHRASE",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _every_notification_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    keep_every_notification(monkeypatch)
