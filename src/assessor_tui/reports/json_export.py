"""JSON: the session's lossless export (every record, its clocks, the change log, files).

Not a rendering of the record: it is what `assessor visits import` reads back.
"""

from __future__ import annotations

import json
from typing import Any


def render(export: dict[str, Any]) -> bytes:
    """UTF-8 JSON. Text holding a lone surrogate (a byte that was not UTF-8, as Python keeps
    it from a command line) cannot be written as UTF-8: the file is then written with
    ``\\u`` escapes throughout, which read back as exactly the same text."""
    try:
        return (json.dumps(export, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(export, indent=2, ensure_ascii=True) + "\n").encode("ascii")
