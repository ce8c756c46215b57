"""A fixed plugin set for app tests: the five built-ins and nothing from the machine."""

from __future__ import annotations

import pytest

import assessor_ba_sef
import assessor_c4eo
import assessor_community_cohesion
import assessor_ice_mark
import assessor_norfolk_sipp
from assessor_tui.plugins.host import PluginHost, load_host

BUILT_INS = [
    ("ba-sef", assessor_ba_sef),
    ("c4eo-schools-communities", assessor_c4eo),
    ("community-cohesion", assessor_community_cohesion),
    ("ice-mark", assessor_ice_mark),
    ("norfolk-sipp", assessor_norfolk_sipp),
]


@pytest.fixture
def host() -> PluginHost:
    return load_host(entry_points=False, plugins=BUILT_INS, blocked=())
