"""JSON: the session's lossless export (every record, its clocks, the change log, files).

Not a rendering of the record: it is what `assessor visits import` reads back.
"""

from __future__ import annotations

import json
from typing import Any


def render(export: dict[str, Any]) -> bytes:
    return (json.dumps(export, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
