"""What gets past a plugin, and how its failure is named: shared by the host, which
calls hooks, and the command runtime, which runs commands, so both contain a plugin alike."""

from __future__ import annotations

PASS_THROUGH = (KeyboardInterrupt, GeneratorExit)
"""What a plugin may raise past the host: the assessor pressing Ctrl+C, and Python closing a
generator. Anything else, SystemExit included, fails the plugin, not the app."""


def describe(exc: BaseException) -> str:
    """An exception as one line for the assessor: its type, then its message on one line."""
    text = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
