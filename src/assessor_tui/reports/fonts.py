"""Which TrueType fonts the PDF record embeds, found on each platform with no set-up.

fpdf2's built-in fonts are Latin-1 only. The record embeds the first font set
found (``$ASSESSOR_PDF_FONT``, then the platform's own: DejaVu Sans on Linux,
Segoe UI or Arial on Windows, Arial on macOS, then matplotlib's DejaVu), and
takes any character it lacks from a fallback font (emoji, symbols, Chinese…).
docs/reports.md lists them.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["FONT_ENV", "FontSet", "coverage", "fallback_fonts", "find_fonts", "font_sets"]

FONT_ENV = "ASSESSOR_PDF_FONT"

Triple = tuple[str, str, str]
"""(regular, bold, italic) file paths."""

_LINUX_SETS: tuple[Triple, ...] = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # Debian, Ubuntu: fonts-dejavu-core
     "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
     "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf"),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf",  # Arch: ttf-dejavu
     "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
     "/usr/share/fonts/TTF/DejaVuSans-Oblique.ttf"),
    ("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",  # Fedora: dejavu-sans-fonts
     "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf",
     "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Oblique.ttf"),
)
_LINUX_FALLBACKS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf",  # Debian: fonts-symbola
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # Debian: fonts-droid-fallback
    "/usr/share/fonts/truetype/noto/NotoSansSymbols2-Regular.ttf",
)
# file names in %WINDIR%\Fonts, present on every Windows 10 and 11
_WINDOWS_SETS: tuple[Triple, ...] = (
    ("segoeui.ttf", "segoeuib.ttf", "segoeuii.ttf"),  # Segoe UI
    ("arial.ttf", "arialbd.ttf", "ariali.ttf"),  # Arial
)
_WINDOWS_FALLBACKS: tuple[str, ...] = (
    "seguisym.ttf",  # Segoe UI Symbol: symbols, arrows, dingbats
    "seguiemj.ttf",  # Segoe UI Emoji (colour)
    "msyh.ttc",  # Microsoft YaHei: Chinese
    "arial.ttf",
)
_MAC_SUPPLEMENTAL = "/System/Library/Fonts/Supplemental"
_MAC_SETS: tuple[Triple, ...] = (
    (f"{_MAC_SUPPLEMENTAL}/Arial.ttf", f"{_MAC_SUPPLEMENTAL}/Arial Bold.ttf",
     f"{_MAC_SUPPLEMENTAL}/Arial Italic.ttf"),
    ("/Library/Fonts/Arial.ttf", "/Library/Fonts/Arial Bold.ttf",
     "/Library/Fonts/Arial Italic.ttf"),  # macOS before 10.15
    (f"{_MAC_SUPPLEMENTAL}/Arial Unicode.ttf",) * 3,
    ("/Library/Fonts/Arial Unicode.ttf",) * 3,
)
_MAC_FALLBACKS: tuple[str, ...] = (
    f"{_MAC_SUPPLEMENTAL}/Arial Unicode.ttf",  # most scripts, Chinese included
    "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/Apple Symbols.ttf",
    "/System/Library/Fonts/Apple Color Emoji.ttc",
)


@dataclass(frozen=True)
class FontSet:
    regular: str
    bold: str
    italic: str


def _windows_fonts(environ: Mapping[str, str]) -> str:
    """%WINDIR%\\Fonts (Windows is not always installed on C:)."""
    windir = environ.get("WINDIR") or environ.get("SystemRoot") or "C:\\Windows"
    return os.path.join(windir, "Fonts")


def font_sets(platform: str | None = None,
              environ: Mapping[str, str] | None = None) -> list[Triple]:
    """The candidate sets in order of preference: the override, the platform's, matplotlib's
    (``platform`` and ``environ`` default to this machine's)."""
    platform = platform or sys.platform
    environ = os.environ if environ is None else environ
    found: list[Triple] = []
    override = environ.get(FONT_ENV)
    if override:
        found.append((override, override, override))
    if platform == "win32":
        folder = _windows_fonts(environ)
        found += [(os.path.join(folder, r), os.path.join(folder, b), os.path.join(folder, i))
                  for r, b, i in _WINDOWS_SETS]
    elif platform == "darwin":
        found += _MAC_SETS
    else:
        found += _LINUX_SETS
    mpl = _matplotlib_dejavu()
    if mpl:
        found.append(mpl)
    return found


def fallback_fonts(platform: str | None = None,
                   environ: Mapping[str, str] | None = None) -> list[str]:
    """Fonts for the characters the main one lacks, tried in this order."""
    platform = platform or sys.platform
    environ = os.environ if environ is None else environ
    if platform == "win32":
        folder = _windows_fonts(environ)
        return [os.path.join(folder, name) for name in _WINDOWS_FALLBACKS]
    if platform == "darwin":
        return list(_MAC_FALLBACKS)
    return list(_LINUX_FALLBACKS)


def _matplotlib_dejavu() -> Triple | None:
    """matplotlib ships DejaVu Sans: found without importing it."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    regular, bold, italic = (
        str(folder / n) for n in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf")
    )
    return regular, bold, italic


def find_fonts(platform: str | None = None,
               environ: Mapping[str, str] | None = None) -> FontSet | None:
    """The first set whose regular font exists; a missing bold or italic is the regular."""
    for regular, bold, italic in font_sets(platform, environ):
        if os.path.isfile(regular):
            return FontSet(regular, bold if os.path.isfile(bold) else regular,
                           italic if os.path.isfile(italic) else regular)
    return None


@lru_cache(maxsize=16)
def coverage(path: str) -> frozenset[int]:
    """The code points a font file (or a collection's first font) can draw."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True, fontNumber=0) as font:
        return frozenset(font.getBestCmap() or {})
