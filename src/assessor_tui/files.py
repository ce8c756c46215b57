"""What every ``os.open`` of ours needs on every platform an assessor's laptop runs.

Windows opens a descriptor from ``os.open`` in text mode unless ``O_BINARY`` is given:
every ``\\n`` written becomes ``\\r\\n``, which corrupts an encrypted file or a PDF.
``open()`` and ``Path.read_bytes`` are binary already; only raw descriptors need this.
"""

from __future__ import annotations

import os
import sys

__all__ = ["BINARY"]

if sys.platform == "win32":
    BINARY = os.O_BINARY
else:
    BINARY = 0
"""Add to the flags of every ``os.open`` (0 where files have no text mode)."""
