"""The lossless export of one visit (`assessor visits export --format json`,
`assessor visits import`): every record with its clocks, the change log, the files.

An import file comes from outside, so what becomes a file name or a key in the store
is checked here, where a bad value is refused with the place it was found, before any
of it is written: visit ids are canonical UUIDs (the visit file's name), attachment
ids are 32 lowercase hex digits (the attachment's file name), attachments are base64.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator

from assessor_tui.domain.records import Change, Record

EXPORT_FORMAT: Final = "assessor-visit"
_BLOB_ID = re.compile(r"[0-9a-f]{32}")


def _blob_id(value: str) -> str:
    if not _BLOB_ID.fullmatch(value):
        raise ValueError("an attachment id is 32 lowercase hexadecimal digits")
    return value


def _base64(value: str) -> str:
    try:
        base64.b64decode(value, validate=True)
    except binascii.Error:
        raise ValueError("an attachment must be base64 text") from None
    return value


def _visit_id(value: str) -> str:
    """The visit's file is named by this id, so only the canonical UUID form is taken."""
    try:
        canonical = str(uuid.UUID(value))
    except ValueError:
        raise ValueError(f"visit id {value!r} is not a UUID") from None
    if canonical != value:
        raise ValueError(f"visit id {value!r} must be written {canonical!r}")
    return value


BlobId = Annotated[str, AfterValidator(_blob_id)]
Base64Text = Annotated[str, AfterValidator(_base64)]


class ExportFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["assessor-visit"]
    version: Literal[1]
    exported_at: str
    visit: dict[str, Any]
    records: list[Record]
    outbox: list[Change]
    blobs: dict[BlobId, Base64Text] = {}

    @field_validator("records", "outbox")
    @classmethod
    def _visit_ids(cls, items: list[Record] | list[Change]) -> list[Record] | list[Change]:
        for item in items:
            _visit_id(item.visit_id)
        return items
