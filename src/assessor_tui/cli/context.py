"""What every command may need, resolved once from the global options."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from assessor_tui import paths
from assessor_tui.plugins.host import PluginHost, load_host


@dataclass
class Context:
    args: argparse.Namespace

    @property
    def data_dir(self) -> Path:
        return paths.data_dir(getattr(self.args, "data_dir", None))

    @property
    def frameworks_dir(self) -> Path:
        return paths.frameworks_dir(
            getattr(self.args, "frameworks_dir", None), getattr(self.args, "data_dir", None)
        )

    @cached_property
    def host(self) -> PluginHost:
        return load_host(frameworks_dir=self.frameworks_dir)
