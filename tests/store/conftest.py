"""Fixtures: a store in tmp_path with the floor KDF parameters (fast, and explicit)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from assessor_tui.store import FLOOR_KDF, Sealer, Vault

from .helpers import PASSPHRASE


@pytest.fixture
def sealer() -> Sealer:
    return Sealer(os.urandom(32), store_id=os.urandom(16), key_id=os.urandom(8))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def made(data_dir: Path) -> Iterator[tuple[Vault, str]]:
    """A fresh store and its recovery key; closed at the end of the test."""
    vault, recovery = Vault.init(data_dir, PASSPHRASE, kdf=FLOOR_KDF)
    yield vault, recovery
    vault.close()


@pytest.fixture
def vault(made: tuple[Vault, str]) -> Vault:
    return made[0]
