"""Where things live: the data folder (platformdirs) and the frameworks folder in it."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "assessor-tui"
DATA_DIR_ENV = "ASSESSOR_DATA_DIR"
FRAMEWORKS_DIR_ENV = "ASSESSOR_FRAMEWORKS_DIR"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir``, else ``ASSESSOR_DATA_DIR``, else the platform's user data folder."""
    chosen = override or os.environ.get(DATA_DIR_ENV)
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def frameworks_dir(
    override: str | os.PathLike[str] | None = None,
    data_override: str | os.PathLike[str] | None = None,
) -> Path:
    """Data-only framework files dropped here appear with no Python."""
    chosen = override or os.environ.get(FRAMEWORKS_DIR_ENV)
    if chosen:
        return Path(chosen).expanduser()
    return data_dir(data_override) / "frameworks"


def keymap_file() -> Path:
    """``{"binding id": "keys"}`` in TOML (``"workspace.note" = "n"``) rebinds the app's keys."""
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "keymap.toml"
