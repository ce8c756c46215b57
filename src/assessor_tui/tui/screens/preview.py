"""The record of visit as it will read, rendered from Markdown, with an export dialog."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown

from assessor_tui import reports
from assessor_tui.files import BINARY
from assessor_tui.reports.filenames import export_file_name
from assessor_tui.store import StoreError
from assessor_tui.tui.screens.form import FormScreen

if TYPE_CHECKING:
    from assessor_tui.tui.state import AppState


def default_path(school: str, visit_id: str, fmt: str) -> str:
    """In the home folder, named after the school in a form every platform accepts."""
    return str(Path.home() / export_file_name(school, visit_id, reports.EXTENSIONS[fmt]))


class PreviewScreen(Screen[None]):
    app: AppState
    BINDINGS = [
        Binding(
            "e",
            "export",
            "Export",
            id="preview.export",
            tooltip="Export the record: md, html, docx, pdf, json or csv",
        ),
        Binding("escape", "app.pop_screen", "Back", id="preview.back", tooltip="Back"),
    ]

    def compose(self) -> ComposeResult:
        opened = self.app.require_opened()
        text = reports.record_markdown(opened.visit, opened.framework, self.app.host)
        yield Header()
        with VerticalScroll(id="preview"):
            yield Markdown(text, id="record")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "record of visit (preview)"
        self.query_one(VerticalScroll).focus()

    def action_export(self) -> None:
        opened = self.app.require_opened()
        visit = opened.visit
        fields = [
            ("format", f"Format ({', '.join(reports.FORMATS)})", "pdf"),
            ("table", "CSV only: which table (judgements or actions)", "judgements"),
            ("path", "Save as", default_path(visit.school.name, visit.id, "pdf")),
        ]

        def export(v: dict[str, str] | None) -> None:
            if v is not None:
                self._export(v["format"], v["path"], v["table"])

        self.app.push_screen(FormScreen("Export the record", fields), export)

    def _export(self, fmt: str, path: str, table: str = "judgements") -> None:
        opened = self.app.require_opened()
        fmt = fmt.strip().lower()
        if fmt not in reports.FORMATS:
            self.notify(f"'{fmt}' is not a format ({', '.join(reports.FORMATS)})", severity="error")
            return
        target = Path(path).expanduser()
        if fmt != "pdf" and target.suffix.lower() == ".pdf":
            target = target.with_suffix(reports.EXTENSIONS[fmt])
        try:
            self.app.save_now()
            lossless = (
                self.app.session.export(opened.visit.id)
                if fmt == "json" and self.app.session
                else None
            )
            data = reports.export_visit(
                opened.visit, opened.framework, self.app.host, fmt,
                table=table.strip().lower(), lossless=lossless,
            )
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | BINARY, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        except (reports.ReportError, StoreError, OSError) as exc:  # not saved, or not written
            self.notify(f"Not exported: {exc}", severity="error", timeout=10)
            return
        self.notify(f"Exported to {target}")
