"""The pluggy markers; kept apart so ``import assessor_tui`` stays cheap."""

import pluggy

PROJECT = "assessor_tui"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
