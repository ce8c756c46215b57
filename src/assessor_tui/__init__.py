"""assessor-tui: an offline-first assessor's companion for school visits.

The package root stays light: it offers only the plugin marker, so a plugin
can write ``@assessor_tui.hookimpl`` without pulling in the app; even pluggy
is imported only when a plugin asks for the marker, because the app's cold
start (the visits list) needs no plugins at all. Everything else a plugin uses
comes from ``assessor_tui.plugin_api``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assessor_tui.plugins.markers import API_VERSION, hookimpl

__all__ = ["API_VERSION", "__version__", "hookimpl"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in ("API_VERSION", "hookimpl"):
        from assessor_tui.plugins import markers

        return getattr(markers, name)
    raise AttributeError(f"module 'assessor_tui' has no attribute {name!r}")
