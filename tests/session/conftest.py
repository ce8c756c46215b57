"""Unlocked stores with the built-in plugins, made fast with the floor KDF parameters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assessor_tui.plugins.host import PluginHost, load_host
from assessor_tui.session import Session
from assessor_tui.store import FLOOR_KDF, Vault
from tests.tui.conftest import BUILT_INS

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="session")
def host() -> PluginHost:
    return load_host(entry_points=False, plugins=BUILT_INS, blocked=())


@pytest.fixture
def make_session(tmp_path: Path, host: PluginHost) -> Iterator[Callable[[str], Session]]:
    opened: list[Session] = []

    def make(name: str = "store") -> Session:
        vault, _ = Vault.init(tmp_path / name, PASSPHRASE, kdf=FLOOR_KDF)
        session = Session(vault, host)
        opened.append(session)
        return session

    yield make
    for session in opened:
        session.close()
