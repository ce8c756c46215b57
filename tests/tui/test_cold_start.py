"""The visits list paints before the plugins load: pluggy, the entry points, PyYAML, pydantic
and the framework model stay out of the cold start, and load in the background afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from assessor_tui.session import Session
from tests.tui.helpers import add_visit

CHILD = r"""
import json, sys
from pathlib import Path

from assessor_tui.plugins.loading import HostLoader
from assessor_tui.session import Session
from assessor_tui.tui.app import make_app

HEAVY = ("pluggy", "yaml", "uuid6", "pydantic", "httpx", "markdown_it", "assessor_tui.frameworks",
         "assessor_tui.plugins.host", "assessor_tui.domain.edits", "assessor_ice_mark",
         "assessor_tui.tui.screens.review")
folder = Path(sys.argv[1])

def load():
    from assessor_tui.plugins.host import load_host
    return load_host()

loader = HostLoader(load)
session = Session.unlock(folder, sys.argv[2], loader)
app = make_app(host=loader, data_dir=folder, session=session)
seen = {}
display = app._display

def first_frame(screen, renderable):
    display(screen, renderable)
    if renderable is not None and type(app.screen).__name__ == "VisitsScreen" and not seen:
        seen["rows"] = app.screen.query_one("#visits").row_count
        seen["heavy"] = sorted(m for m in sys.modules if m.startswith(HEAVY))
        app.exit()

app._display = first_frame
app.run(headless=True, size=(100, 30))
seen["later"] = sorted(app.host.frameworks)  # the background load finished, or runs now
print(json.dumps(seen))
"""


def test_visits_list_paints_before_the_plugins_load(
    session: Session, store_dir: Path
) -> None:
    from tests.tui.conftest import PASSPHRASE

    add_visit(session, "ice-mark", "Hillside Primary")
    session.close()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(store_dir), PASSPHRASE],
        capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["rows"] == 1
    assert seen["heavy"] == []
    assert "ice-mark" in seen["later"] and "norfolk-sipp" in seen["later"]
