"""The one way in for the CLI and the app: an unlocked store plus the installed plugins.

Data flows one way: callers edit through an `Editor` (validated against the
framework), the change is made durable by the store, and the aggregate,
findings and coverage are recomputed from the records.

Unlocking and listing visits need only the store: the framework-aware domain
and the plugins are imported on first use, so the app's visits list paints
without them (see docs/benchmarks.md, cold start). The modules: session.py (the
store and its visits), opened.py (one visit being worked on), exchange.py (a
visit's export file), warmup.py (importing ahead of time), errors.py.
"""

from assessor_tui.session.errors import SessionError
from assessor_tui.session.opened import OpenVisit
from assessor_tui.session.session import Session, visit_rows
from assessor_tui.session.warmup import prepare

__all__ = ["OpenVisit", "Session", "SessionError", "prepare", "visit_rows"]
