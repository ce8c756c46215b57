"""The change that creates a visit: its header record, checked against the framework."""

from __future__ import annotations

from datetime import date

from assessor_tui.domain.checks import EditRefused, checked_text
from assessor_tui.domain.clock import HybridClock
from assessor_tui.domain.ids import new_id
from assessor_tui.domain.records import Change
from assessor_tui.frameworks.model import Framework


def new_visit_change(
    framework: Framework,
    clock: HybridClock,
    *,
    school: str,
    urn: str = "",
    local_authority: str = "",
    address: str = "",
    scheduled: date | None = None,
    visit_type: str | None = None,
    assessor: str = "",
    planned_minutes: int = 180,
    visit_id: str | None = None,
) -> Change:
    """The change that creates a visit's header record."""
    if visit_type is not None and framework.visit_type(visit_type) is None:
        allowed = ", ".join(v.id for v in framework.visit_types) or "none"
        raise EditRefused(
            f"{framework.id} has no visit type '{visit_type}' (visit types: {allowed})"
        )
    if framework.visit_types and visit_type is None:
        allowed = ", ".join(v.id for v in framework.visit_types)
        raise EditRefused(f"{framework.id} needs a visit type ({allowed})")
    if not 1 <= planned_minutes <= 24 * 60:
        raise EditRefused("planned duration must be between 1 minute and 24 hours")
    visit_id = visit_id or new_id()
    fields = {
        "framework_id": framework.id,
        "framework_version": framework.version,
        "visit_type": visit_type,
        "school_name": checked_text(school, "school name", required=True).strip(),
        "school_urn": checked_text(urn, "URN").strip(),
        "school_la": checked_text(local_authority, "local authority").strip(),
        "school_address": checked_text(address, "address"),
        "assessor": checked_text(assessor, "assessor"),
        "scheduled": scheduled.isoformat() if scheduled else None,
        "started_at": None,
        "ended_at": None,
        "planned_minutes": planned_minutes,
        "status": "planned",
        "summary": "",
    }
    return Change(
        id=new_id(),
        visit_id=visit_id,
        record_id=visit_id,
        type="visit",
        fields=fields,
        hlc=clock.tick(),
        device=clock.device,
    )
