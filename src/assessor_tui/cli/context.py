"""What every command may need, resolved once from the global options."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from assessor_tui import paths

if TYPE_CHECKING:
    from assessor_tui.plugins.host import PluginHost
    from assessor_tui.session import Session


@dataclass
class Context:
    args: argparse.Namespace
    _session: Session | None = field(default=None, repr=False)

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
        from assessor_tui.plugins.host import load_host

        return load_host(frameworks_dir=self.frameworks_dir)

    def session(self) -> Session:
        """The unlocked store; the passphrase is asked for once per command."""
        if self._session is None:
            from assessor_tui.cli.passphrase import passphrase
            from assessor_tui.plugins.loading import HostLoader
            from assessor_tui.session import Session

            loader = HostLoader(lambda: self.host)  # commands that only list need no plugins
            self._session = Session.unlock(self.data_dir, passphrase(self.args), loader)
        return self._session

    def restorations(self) -> list[str]:
        """Files the store put back from their previous copy during this command."""
        if self._session is None:
            return []
        return [r.message for r in self._session.vault.restorations]

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
