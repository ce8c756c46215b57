"""A fixed plugin set for app tests: the five built-ins and nothing from the machine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import assessor_ba_sef
import assessor_c4eo
import assessor_community_cohesion
import assessor_ice_mark
import assessor_norfolk_sipp
from assessor_tui.plugins.host import PluginHost, load_host
from assessor_tui.session import Session
from assessor_tui.store import FLOOR_KDF, Vault

BUILT_INS = [
    ("ba-sef", assessor_ba_sef),
    ("c4eo-schools-communities", assessor_c4eo),
    ("community-cohesion", assessor_community_cohesion),
    ("ice-mark", assessor_ice_mark),
    ("norfolk-sipp", assessor_norfolk_sipp),
]
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def host() -> PluginHost:
    return load_host(entry_points=False, plugins=BUILT_INS, blocked=())


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def session(store_dir: Path, host: PluginHost) -> Iterator[Session]:
    """An unlocked, empty store (fast KDF parameters)."""
    vault, _ = Vault.init(store_dir, PASSPHRASE, kdf=FLOOR_KDF)
    session = Session(vault, host)
    yield session
    if not vault.closed:
        session.close()


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cursors stay lit: a snapshot must not depend on when the blink timer fired."""
    from textual.widgets import Input, TextArea

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)
