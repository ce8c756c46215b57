"""Why the open visit cannot be edited: worked out in one place, said the same way everywhere.

A visit is read-only in the app when it is submitted (frozen until the moderator
returns it), accepted (final), or a copy of an earlier visit to the school pulled
from the server for reference. Every edit key asks `refused()` first; it says why
in one notification and changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from assessor_tui.domain.clock import stamp_ms
from assessor_tui.tui.state import AppState

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from assessor_tui.session import OpenVisit


def status_date(opened: OpenVisit) -> str:
    """The day the visit reached its current status, e.g. '14 Mar 2025' ('' if unknown)."""
    header = opened.records.get(opened.visit.id)
    stamp = header.clocks.get("status") if header is not None else None
    if not stamp:
        return ""
    try:
        when = datetime.fromtimestamp(stamp_ms(stamp) / 1000).astimezone()
    except (ValueError, OverflowError, OSError):
        return ""
    return f"{when.day} {when:%b %Y}"


def read_only_reason(opened: OpenVisit, *, copy: bool | None = None) -> str | None:
    """One sentence saying why the visit cannot be edited, or None when it can.

    ``copy`` is whether it is a read-only copy of an earlier visit, when the caller
    already knows (it is read from the store's index otherwise)."""
    if opened.read_only if copy is None else copy:
        return "Read-only: a copy of an earlier visit to this school, kept for reference."
    status, when = opened.visit.status, status_date(opened)
    on = f" on {when}" if when else ""
    if status == "submitted":
        return f"Submitted{on} — read-only; the moderator can return it."
    if status == "accepted":
        return f"Accepted by the moderator{on} — read-only; the record is final."
    return None


def header_notice(opened: OpenVisit, *, copy: bool | None = None) -> str:
    """The workspace header's extra line: read-only and why, or the moderator's comment."""
    reason = read_only_reason(opened, copy=copy)
    if reason is not None:
        return reason
    visit = opened.visit
    if visit.status == "returned":
        comment = visit.moderator_comment or "(no comment)"
        return f"RETURNED by the moderator: {comment} — edit, then submit again"
    return ""


def refused(node: DOMNode, *, copy: bool | None = None) -> bool:
    """True when the app's open visit cannot be edited; says why in one notification."""
    app = node.app
    opened = app.opened if isinstance(app, AppState) else None
    reason = read_only_reason(opened, copy=copy) if opened is not None else None
    if reason is None:
        return False
    node.app.notify(reason, title="Not changed", severity="warning")
    return True
