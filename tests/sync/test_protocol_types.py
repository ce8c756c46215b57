"""The protocol keeps its own copy of the record types (the server may not import the
domain); this guards the two copies against drifting apart."""

from __future__ import annotations

from typing import get_args

from assessor_tui.domain import records
from assessor_tui.sync import protocol


def test_protocol_record_types_match_the_domain() -> None:
    assert get_args(protocol.RecordType) == get_args(records.RecordType)
