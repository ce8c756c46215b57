"""Ids: UUIDv7 for new records (time-ordered), UUIDv5 for one-per-item records.

A judgement on criterion 1.1 of a visit has the same id on every device, so two
devices judging it edit one record and merge field by field.
"""

from __future__ import annotations

import uuid

from uuid6 import uuid7

NAMESPACE = uuid.UUID("6f1f4c3e-2b8a-5d7e-9c41-0a5b3e8d2f10")


def new_id() -> str:
    return str(uuid7())


def item_record_id(visit_id: str, kind: str, *parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join((visit_id, kind, *parts))))


def device_id() -> str:
    return uuid.uuid4().hex[:12]
