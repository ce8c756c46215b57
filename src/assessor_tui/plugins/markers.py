"""The pluggy markers; kept apart so ``import assessor_tui`` stays cheap."""

import pluggy

PROJECT = "assessor_tui"
API_VERSION = "1.1"
"""The plugin API's version: minor for additions, major for anything that breaks a plugin.
1.1 added ``register_commands``."""

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
