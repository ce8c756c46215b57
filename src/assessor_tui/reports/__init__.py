"""The record of visit and its exports: Markdown, HTML, Word, PDF, JSON and CSV.

One builder makes a format-neutral `Document` (framework plugins shape its
body through hooks); one exporter per format renders it. Exporters import
their libraries only when used, so the CLI and the TUI stay quick to start.

    document = build_record(opened.visit, opened.framework, host)
    data = render(document, "pdf")
    preview = record_markdown(opened.visit, opened.framework, host)   # for the TUI
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Any, Literal

from assessor_tui.record.document import Document, sanitised
from assessor_tui.reports.builder import build_record, time_spent, version_mismatch
from assessor_tui.reports.quality import (
    RecordNotReady,
    ReportError,
    check_record,
    ensure_ready,
)

if TYPE_CHECKING:
    from assessor_tui.domain.visit import Visit
    from assessor_tui.frameworks.model import Framework
    from assessor_tui.plugins.host import PluginHost

Format = Literal["md", "html", "docx", "pdf", "json", "csv"]
FORMATS: tuple[Format, ...] = ("md", "html", "docx", "pdf", "json", "csv")
DOCUMENT_FORMATS = ("md", "html", "docx", "pdf")
BINARY_FORMATS = frozenset({"docx", "pdf"})
EXTENSIONS = {"md": ".md", "html": ".html", "docx": ".docx", "pdf": ".pdf", "json": ".json",
              "csv": ".csv"}
_MODULES = {"md": "markdown", "html": "html", "docx": "docx", "pdf": "pdf"}


def render(document: Document, fmt: str) -> bytes:
    """A built record in one of the document formats (md, html, docx, pdf)."""
    if fmt not in _MODULES:
        raise ReportError(f"'{fmt}' is not a document format ({', '.join(DOCUMENT_FORMATS)})")
    module = import_module(f"assessor_tui.reports.{_MODULES[fmt]}")
    render_module: Callable[[Document], bytes] = module.render  # each has this signature
    return render_module(sanitised(document))


def record_markdown(visit: Visit, framework: Framework, host: PluginHost | None = None) -> str:
    """The record as Markdown text: what the TUI's report preview shows."""
    from assessor_tui.reports.markdown import render_text

    return render_text(build_record(visit, framework, host))


def export_visit(
    visit: Visit,
    framework: Framework,
    host: PluginHost | None,
    fmt: str,
    *,
    table: str = "judgements",
    lossless: dict[str, Any] | None = None,
) -> bytes:
    """One visit in any format. ``lossless`` is the session's export, needed for JSON;
    ``table`` picks the CSV table (judgements or actions)."""
    if fmt == "json":
        if lossless is None:
            raise ReportError("the JSON export needs the session's lossless export")
        from assessor_tui.reports.json_export import render as render_json

        return render_json(lossless)
    if visit.framework_version != framework.version:
        raise ReportError(version_mismatch(visit, framework, host))
    if fmt == "csv":
        from assessor_tui.reports import csv_export

        if table not in csv_export.TABLES:
            raise ReportError(f"no CSV table '{table}' ({', '.join(csv_export.TABLES)})")
        render_table: Callable[[Visit, Framework], bytes] = getattr(csv_export, table)
        return render_table(visit, framework)
    return render(build_record(visit, framework, host), fmt)


__all__ = [
    "BINARY_FORMATS",
    "DOCUMENT_FORMATS",
    "EXTENSIONS",
    "FORMATS",
    "Document",
    "Format",
    "RecordNotReady",
    "ReportError",
    "build_record",
    "check_record",
    "ensure_ready",
    "export_visit",
    "record_markdown",
    "render",
    "time_spent",
]
