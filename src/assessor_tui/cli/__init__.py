"""The ``assessor`` command: every non-interactive operation, and the TUI's launcher."""

from assessor_tui.cli.main import main

__all__ = ["main"]
