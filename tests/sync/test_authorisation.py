"""Every endpoint × every kind of caller × whose visit, on both databases.

Assessor B's records carry marker strings; no response to anyone but B (and the
moderator, for a submitted visit) may contain them, and another user's visit
answers exactly as a visit that does not exist.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from tests.sync.test_server_api import API, change

from assessor_tui.domain.ids import new_id
from assessor_tui.server.app import create_app
from assessor_tui.server.service import Service

MARKER = "MARKER-B-7f3c"
CALLERS = ["anonymous", "wrong", "revoked", "assessor_a", "assessor_b", "moderator", "admin"]


@dataclass
class World:
    client: httpx.AsyncClient
    service: Service
    headers: dict[str, dict[str, str]]
    visit_a: str
    visit_b: str
    visit_b2: str
    """A second submitted visit of B's, for accepting (visit_b gets returned)."""
    spare_device: str


async def _login(
    client: httpx.AsyncClient, service: Service, name: str, role: str = ""
) -> tuple[str, str]:
    """A new device for ``name`` (a new user when ``role`` is given): (token, device id)."""
    code = service.add_user(name, role).code if role else service.enrol(name).code
    r = await client.post(f"{API}/auth/login", json={"user": name, "code": code})
    assert r.status_code == 200, r.text
    return str(r.json()["token"]), str(r.json()["device_id"])


@pytest.fixture
async def world(service: Service) -> AsyncIterator[World]:
    transport = httpx.ASGITransport(app=create_app(service))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        tokens = {
            "assessor_a": (await _login(client, service, "ann", "assessor"))[0],
            "assessor_b": (await _login(client, service, "ben", "assessor"))[0],
            "moderator": (await _login(client, service, "mo", "moderator"))[0],
            "admin": (await _login(client, service, "root", "admin"))[0],
        }
        tokens["revoked"], revoked_device = await _login(client, service, "ann")
        service.revoke_device(revoked_device)
        _, spare_device = await _login(client, service, "ben")
        headers = {k: {"Authorization": f"Bearer {v}"} for k, v in tokens.items()}
        headers["anonymous"] = {}
        headers["wrong"] = {"Authorization": "Bearer ast_not-a-real-token"}
        visit_a, visit_b, visit_b2 = new_id(), new_id(), new_id()
        for who, visit, school in (("assessor_a", visit_a, "Ann's school"),
                                   ("assessor_b", visit_b, f"{MARKER} school"),
                                   ("assessor_b", visit_b2, f"{MARKER} second school")):
            fields = {"framework_id": "ice-mark", "status": "in_progress",
                      "school_name": school, "school_urn": "999"}
            batch = [
                change(visit, fields=fields),
                change(visit, new_id(), 1, type="note", fields={"text": f"{MARKER} note"}
                       if who == "assessor_b" else {"text": "ann's note"}),
            ]
            if who == "assessor_b":
                batch.append(change(visit, n=2, fields={"status": "submitted"},
                                    base={"status": "in_progress"}))
            r = await client.post(f"{API}/sync/push", headers=headers[who],
                                  json={"idempotency_key": new_id(), "changes": batch})
            assert {s["status"] for s in r.json()["results"]} == {"applied"}, r.text
        yield World(client, service, headers, visit_a, visit_b, visit_b2, spare_device)


def _requests(w: World) -> list[tuple[str, str, str, Any]]:
    """(label, method, path, body) for every endpoint; visit ones against both owners."""
    out: list[tuple[str, str, str, Any]] = [
        ("login", "POST", "/auth/login", {"user": "ben", "code": "NOT-BENS-CODE"}),
        ("me", "GET", "/auth/me", None),
        ("pull", "GET", "/sync/pull", None),
        ("visits", "GET", "/visits", None),
        ("review", "GET", "/review", None),
        ("add_user", "POST", "/admin/users", {"name": f"u{new_id()[-8:]}", "role": "assessor"}),
        ("enrol", "POST", "/admin/users/ann/enrol", None),
        ("devices", "GET", "/admin/devices", None),
        ("revoke", "POST", f"/admin/devices/{w.spare_device}/revoke", None),
        ("assign", "POST", "/admin/assignments",
         {"user": "ann", "framework_id": "ice-mark", "school": "Z", "date": "2025-01-01"}),
    ]
    for owner, visit in (("a", w.visit_a), ("b", w.visit_b)):
        out += [
            (f"visit_{owner}", "GET", f"/visits/{visit}", None),
            (f"push_{owner}", "POST", "/sync/push", {
                "idempotency_key": new_id(),
                "changes": [change(visit, new_id(), 9, type="note", fields={"text": "x"})],
            }),
            (f"return_{owner}", "POST", f"/review/{visit}/return", {"comment": "no"}),
            (f"accept_{owner}", "POST",
             f"/review/{w.visit_b2 if owner == 'b' else visit}/accept", {"comment": ""}),
        ]
    out.append(("visit_none", "GET", f"/visits/{new_id()}", None))
    return out


def _expected(caller: str, label: str) -> int:
    if caller in ("anonymous", "wrong", "revoked") or label == "login":
        return 401  # a token, whoever's, never stands in for B's enrolment code
    admin_only = label in ("add_user", "enrol", "devices", "revoke", "assign")
    if admin_only:
        return {"admin": 201 if label in ("add_user", "enrol", "assign") else 200}.get(
            caller, 403
        )
    if label.startswith(("return", "accept")) or label == "review":
        if caller != "moderator":
            return 403
        return 200 if label in ("review", "return_b", "accept_b") else 404
    if label.startswith("visit_"):
        readable = {
            "assessor_a": {"visit_a"},
            "assessor_b": {"visit_b"},
            "moderator": {"visit_b"},  # submitted: in the moderator's scope
        }.get(caller, set())
        return 200 if label in readable else 404
    return 200  # me, pull, visits, push (push refuses per change, below)


@pytest.mark.parametrize("caller", CALLERS)
async def test_authorisation_matrix(world: World, caller: str) -> None:
    w = world
    seen = []
    for label, method, path, body in _requests(w):
        r = await w.client.request(method, f"{API}{path}", headers=w.headers[caller], json=body)
        expected = _expected(caller, label)
        assert r.status_code == expected, (caller, label, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/json")
        if r.status_code >= 400:
            assert set(r.json()) == {"error"}, r.text
        if label.startswith("push_") and r.status_code == 200:
            (result,) = r.json()["results"]
            own = (caller, label) == ("assessor_a", "push_a")
            assert result["status"] == ("applied" if own else "rejected"), (caller, label)
            if (caller, label) == ("assessor_b", "push_b"):
                assert result["reason"] == "the visit is submitted and cannot be edited"
            elif not own and caller.startswith("assessor"):
                assert result["reason"] == "unknown visit"  # same as a visit that never was
        seen.append((label, r.text))
    if caller not in ("assessor_b", "moderator"):
        leaks = [label for label, text in seen if MARKER in text]
        assert leaks == [], f"{caller} saw B's records in {leaks}"
    if caller == "moderator":
        assert any(MARKER in text for label, text in seen if label == "visit_b")
    # Only the moderator's reads and decisions are logged, each of them.
    logged = [(e["user"], e["visit_id"], e["action"]) for e in w.service.access_log()]
    if caller == "moderator":
        assert logged == [("mo", w.visit_b, "read"), ("mo", w.visit_b, "returned"),
                          ("mo", w.visit_b2, "accepted")]
    else:
        assert logged == []


async def test_other_visits_answer_like_missing_ones(world: World) -> None:
    w = world
    mine = await w.client.get(f"{API}/visits/{w.visit_b}", headers=w.headers["assessor_a"])
    missing = await w.client.get(f"{API}/visits/{new_id()}", headers=w.headers["assessor_a"])
    assert (mine.status_code, mine.json()) == (missing.status_code, missing.json())
