"""assessor-tui: an offline-first assessor's companion for school visits.

The package root stays light: it re-exports only the plugin marker, so a
plugin can write ``@assessor_tui.hookimpl`` without pulling in the app.
"""

from assessor_tui.plugins.markers import API_VERSION, hookimpl

__all__ = ["API_VERSION", "__version__", "hookimpl"]
__version__ = "0.1.0"
