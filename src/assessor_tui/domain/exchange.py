"""The lossless export of one visit (`assessor visits export --format json --lossless`,
`assessor visits import`): every record with its clocks, the change log, the files."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from assessor_tui.domain.records import Change, Record

EXPORT_FORMAT = "assessor-visit"


class ExportFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["assessor-visit"]
    version: Literal[1]
    exported_at: str
    visit: dict[str, Any]
    records: list[Record]
    outbox: list[Change]
    blobs: dict[str, str] = {}
