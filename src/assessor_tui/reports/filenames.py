"""Default file names for exports, safe on every file system an assessor's laptop has.

A school's name is free text ("St Mary's C of E: Juniors", "CON", "Aux. Site "),
and Windows refuses much of what POSIX allows: the characters <>:"/\\|?* and
controls, a trailing dot or space, and the device names CON, PRN, AUX, NUL,
COM1-9 and LPT1-9 (with any extension, in any case, even written with
superscript digits). macOS and Windows compare names without case, and macOS
stores them decomposed, so names are kept in lower case and NFC.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["export_file_name", "safe_file_name"]

MAX_STEM = 64
"""Characters of the name before the suffix: well inside every file system's limit."""

_WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul", "conin$", "conout$"}
    | {f"{port}{n}" for port in ("com", "lpt") for n in [*"123456789", "¹", "²", "³"]}
)
_NOT_A_WORD = re.compile(r"[^\w]+|_+")


def _words(text: str, limit: int) -> str:
    """Lower-case words of ``text`` joined by "-", cut at a word end within ``limit``."""
    words = _NOT_A_WORD.sub("-", unicodedata.normalize("NFKC", text).lower()).strip("-")
    if len(words) > limit:
        cut = words[:limit]
        words = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return words


def safe_file_name(text: str, suffix: str = "", fallback: str = "export") -> str:
    """``text`` as lower-case words joined by "-", then ``suffix``: nothing any platform
    forbids or reads as a device, never empty, never longer than MAX_STEM before the suffix."""
    stem = _words(text, MAX_STEM) or fallback
    if stem.split(".", 1)[0] in _WINDOWS_DEVICES:
        stem = f"{stem}-"  # "con-" is an ordinary name; "con" and "con.pdf" are a device
    return unicodedata.normalize("NFC", stem + suffix)


def export_file_name(school: str, visit_id: str, suffix: str) -> str:
    """The name the export dialog suggests: the school, then the visit id's first 8
    characters (two visits to one school never collide), then ``suffix`` (".pdf")."""
    visit_part = _words(visit_id, 8) or "visit"
    school_part = _words(school, MAX_STEM - len(visit_part) - 1) or "visit"
    return safe_file_name(f"{school_part}-{visit_part}", suffix)
