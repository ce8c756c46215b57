"""The pluggy markers; kept apart so ``import assessor_tui`` stays cheap."""

import pluggy

PROJECT = "assessor_tui"
API_VERSION = "1.0"
"""The plugin API's version: minor for additions, major for anything that breaks a plugin."""

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
