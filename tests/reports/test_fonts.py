"""The PDF record finds a Unicode font on each platform with no set-up: Windows' Segoe UI
or Arial in %WINDIR%\\Fonts, macOS's Arial, Linux's DejaVu Sans. The Windows and macOS
lists are checked here against folders laid out as those systems lay them out."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from fpdf import FPDF
from tests.reports.conftest import Make, ice_visit, pdf_text

from assessor_tui import reports
from assessor_tui.reports import fonts
from assessor_tui.reports.fonts import FontSet, fallback_fonts, find_fonts, font_sets


def windows_folder(tmp_path: Path, *names: str) -> Path:
    """A Windows folder whose Fonts holds ``names`` (empty files: only existence counts)."""
    folder = tmp_path / "Windows"
    (folder / "Fonts").mkdir(parents=True)
    for name in names:
        (folder / "Fonts" / name).write_bytes(b"")
    return folder


def test_windows_prefers_segoe_ui_from_windir(tmp_path: Path) -> None:
    windir = windows_folder(tmp_path, "segoeui.ttf", "segoeuib.ttf", "segoeuii.ttf",
                            "arial.ttf", "arialbd.ttf", "ariali.ttf")
    fonts_dir = windir / "Fonts"
    assert find_fonts("win32", {"WINDIR": str(windir)}) == FontSet(
        str(fonts_dir / "segoeui.ttf"), str(fonts_dir / "segoeuib.ttf"),
        str(fonts_dir / "segoeuii.ttf"))


def test_windows_falls_back_to_arial_and_finds_the_folder_by_systemroot(
    tmp_path: Path,
) -> None:
    """Windows is not always on C:, and WINDIR may be unset where SystemRoot is not."""
    windir = windows_folder(tmp_path, "arial.ttf", "arialbd.ttf")
    found = find_fonts("win32", {"SystemRoot": str(windir)})
    arial = str(windir / "Fonts" / "arial.ttf")
    assert found == FontSet(arial, str(windir / "Fonts" / "arialbd.ttf"), arial)


def test_windows_fallbacks_cover_symbols_emoji_and_chinese(tmp_path: Path) -> None:
    names = [Path(p).name for p in fallback_fonts("win32", {"WINDIR": str(tmp_path)})]
    assert names[:3] == ["seguisym.ttf", "seguiemj.ttf", "msyh.ttc"]
    assert all(p.startswith(str(tmp_path)) for p in fallback_fonts("win32",
                                                                    {"WINDIR": str(tmp_path)}))


def test_macos_prefers_arial_with_its_bold_then_arial_unicode() -> None:
    sets = font_sets("darwin", {})
    assert sets[0] == ("/System/Library/Fonts/Supplemental/Arial.ttf",
                       "/System/Library/Fonts/Supplemental/Arial Bold.ttf",
                       "/System/Library/Fonts/Supplemental/Arial Italic.ttf")
    assert ("/System/Library/Fonts/Supplemental/Arial Unicode.ttf",) * 3 in sets
    assert fallback_fonts("darwin", {})[-1] == "/System/Library/Fonts/Apple Color Emoji.ttc"


@pytest.mark.parametrize("platform", ["win32", "darwin", "linux"])
def test_the_override_comes_first_everywhere(platform: str, tmp_path: Path) -> None:
    chosen = tmp_path / "house-font.ttf"
    chosen.write_bytes(b"")
    environ = {fonts.FONT_ENV: str(chosen), "WINDIR": str(tmp_path)}
    assert find_fonts(platform, environ) == FontSet(str(chosen), str(chosen), str(chosen))


def test_a_pdf_made_on_windows_embeds_segoe_ui_with_no_set_up(
    make: Make, host, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The exporter itself, on a "Windows" whose Fonts folder holds Segoe UI (DejaVu's
    files under Segoe's names: any TrueType font does)."""
    here = find_fonts("linux", {})
    assert here is not None, "tests need DejaVu Sans: apt-get install fonts-dejavu-core"
    windir = windows_folder(tmp_path)
    for source, name in zip((here.regular, here.bold, here.italic),
                            ("segoeui.ttf", "segoeuib.ttf", "segoeuii.ttf"), strict=True):
        shutil.copyfile(source, windir / "Fonts" / name)
    embedded: list[str] = []
    real_add_font = FPDF.add_font

    def add_font(pdf: FPDF, family: str, style: str = "", fname: str | None = None,
                 **options: object) -> None:
        embedded.append(Path(str(fname)).name)
        real_add_font(pdf, family, style, fname, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(FPDF, "add_font", add_font)
    monkeypatch.delenv(fonts.FONT_ENV, raising=False)
    monkeypatch.setenv("WINDIR", str(windir))
    monkeypatch.setattr(sys, "platform", "win32")
    session = ice_visit(make)
    data = reports.export_visit(session.visit, session.framework, host, "pdf")
    assert embedded[:3] == ["segoeui.ttf", "segoeuib.ttf", "segoeuii.ttf"]
    assert "Record of visit" in pdf_text(data)
