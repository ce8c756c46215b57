"""The protocol over httpx's ASGI transport, against real SQLite and PostgreSQL:
statuses, idempotency, cursors and epochs, merge rules, limits and refusals."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from assessor_tui.domain.ids import new_id
from assessor_tui.server.app import create_app
from assessor_tui.server.service import Service
from assessor_tui.sync.protocol import MAX_BATCH_CHANGES, MAX_BODY_BYTES, json_depth_exceeds

API = "/api/v1"
HLC = "1700000000000-{:04d}-dev1"


def change(visit_id: str, record_id: str | None = None, n: int = 0, **kw: Any) -> dict[str, Any]:
    record_id = record_id or visit_id
    body: dict[str, Any] = {
        "id": new_id(),
        "visit_id": visit_id,
        "record_id": record_id,
        "type": "visit" if record_id == visit_id else "judgement",
        "fields": {},
        "base": {},
        "hlc": HLC.format(n),
        "device": "dev1",
    }
    if record_id == visit_id and "fields" not in kw:
        body["fields"] = {"framework_id": "ice-mark", "status": "planned",
                          "school_name": "Hillside", "school_urn": "1"}
    body.update(kw)
    return body


class Api:
    def __init__(self, client: httpx.AsyncClient, service: Service) -> None:
        self.client, self.service = client, service

    async def login(self, name: str, role: str = "assessor") -> dict[str, str]:
        code = self.service.add_user(name, role).code
        r = await self.client.post(f"{API}/auth/login", json={"user": name, "code": code})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    async def push(self, headers: dict[str, str], changes: list[dict[str, Any]],
                   key: str | None = None) -> httpx.Response:
        return await self.client.post(
            f"{API}/sync/push",
            json={"idempotency_key": key or new_id(), "changes": changes},
            headers=headers,
        )

    async def pull_all(self, headers: dict[str, str], cursor: str = "",
                       limit: int = 500) -> tuple[list[dict[str, Any]], str]:
        out: list[dict[str, Any]] = []
        while True:
            r = await self.client.get(f"{API}/sync/pull",
                                      params={"cursor": cursor, "limit": limit}, headers=headers)
            assert r.status_code == 200, r.text
            page = r.json()
            out += page["changes"]
            cursor = page["cursor"]
            if not page["more"]:
                return out, cursor


@pytest.fixture
async def api(service: Service) -> AsyncIterator[Api]:
    transport = httpx.ASGITransport(app=create_app(service))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client, service)


def statuses(r: httpx.Response) -> list[str]:
    assert r.status_code == 200, r.text
    return [s["status"] for s in r.json()["results"]]


async def test_push_statuses_and_idempotent_retries(api: Api) -> None:
    alice = await api.login("alice")
    visit = new_id()
    record = new_id()
    batch = [
        change(visit),
        change(visit, record, 1, fields={"item_id": "1.1", "level": "met"}),
        change(new_id(), new_id(), 2),  # a visit the server never saw: refused
    ]
    first = await api.push(alice, batch, key="key-00000001")
    assert statuses(first) == ["applied", "applied", "rejected"]
    assert first.json()["results"][2]["reason"] == "unknown visit"
    again = await api.push(alice, batch, key="key-00000001")
    assert again.json() == first.json()  # answered exactly as the first time
    other = await api.push(alice, batch[:1], key="key-00000001")
    assert other.status_code == 409 and other.json()["error"]["code"] == "conflict"
    fresh_key = await api.push(alice, batch[:2], key="key-00000002")
    assert statuses(fresh_key) == ["duplicate", "duplicate"]
    changes, _ = await api.pull_all(alice)
    assert [c["id"] for c in changes] == [batch[0]["id"], batch[1]["id"]]


async def test_a_retry_matches_a_batch_stored_by_an_older_server(api: Api) -> None:
    """Earlier servers stored the hash of the canonical (key-sorted) batch: a client
    retrying across the upgrade is answered as the first time, not refused."""
    from sqlalchemy import update

    from assessor_tui.server import db
    from assessor_tui.server.service import _canonical_hash
    from assessor_tui.sync.protocol import PushRequest

    alice = await api.login("alice")
    batch = [change(new_id())]
    first = await api.push(alice, batch, key="key-00000003")
    legacy = _canonical_hash(PushRequest.model_validate(
        {"idempotency_key": "key-00000003", "changes": batch}))
    with api.service.engine.begin() as conn:
        conn.execute(update(db.batches).where(db.batches.c.key == "key-00000003")
                     .values(body_hash=legacy))
    again = await api.push(alice, batch, key="key-00000003")
    assert again.status_code == 200 and again.json() == first.json()
    changed = [{**batch[0], "fields": {**batch[0]["fields"], "school_name": "Elsewhere"}}]
    refused = await api.push(alice, changed, key="key-00000003")
    assert refused.status_code == 409


async def test_push_answer_brackets_its_changes_in_the_log(api: Api) -> None:
    """cursor_before..cursor_after holds this batch's applied changes and nothing else,
    which is what lets a client skip pulling its own changes back."""
    alice, bob = await api.login("alice"), await api.login("bob")
    visit = new_id()
    first = (await api.push(alice, [change(visit)])).json()
    assert first["cursor_before"] is None  # the log was empty
    _, after_first = await api.pull_all(alice)
    assert first["cursor_after"] == after_first
    await api.push(bob, [change(new_id())])  # someone else's change lands in between
    batch = [change(visit, new_id(), n, fields={"item_id": f"i{n}", "level": "met"})
             for n in range(1, 4)]
    rejected = change(new_id(), new_id(), 9)  # refused: takes no place in the log
    answer = (await api.push(alice, [*batch, rejected, batch[0]])).json()
    assert [r["status"] for r in answer["results"]] == ["applied"] * 3 + ["rejected",
                                                                          "duplicate"]
    between, end = await api.pull_all(alice, answer["cursor_before"])
    assert [c["id"] for c in between] == [c["id"] for c in batch]
    assert end == answer["cursor_after"]
    # Bob's change is before cursor_before: a client at after_first must still pull it.
    assert answer["cursor_before"] != after_first
    all_changes, _ = await api.pull_all(bob)
    assert len(all_changes) == 1  # Bob sees only his own visit


async def test_merge_rules_conflicts_identical_edits_and_notes(api: Api) -> None:
    alice = await api.login("alice")
    visit, judgement, note = new_id(), new_id(), new_id()
    level = {"item_id": "1.1", "level": "partly-met"}
    note_fields = {"text": "first"}
    assert statuses(await api.push(alice, [
        change(visit),
        change(visit, judgement, 1, fields=level),
        change(visit, note, 2, type="note", fields=note_fields),
    ])) == ["applied"] * 3
    base = {"level": "partly-met"}
    same = change(visit, judgement, 3, fields={"level": "met"}, base=base)
    identical = change(visit, judgement, 4, fields={"level": "met"}, base=base, device="dev2",
                       hlc="1700000000000-0004-dev2")
    different = change(visit, judgement, 5, fields={"level": "not-met"}, base=base,
                       device="dev3", hlc="1700000000000-0005-dev3")
    note_edit = change(visit, note, 6, type="note", fields={"text": "other"},
                       base={"text": "elsewhere"})
    r = await api.push(alice, [same, identical, different, note_edit])
    assert statuses(r) == ["applied", "applied", "conflict", "applied"]
    conflict = r.json()["results"][2]["conflicts"][0]
    assert conflict["field"] == "level"
    assert (conflict["yours"], conflict["theirs"], conflict["base"]) == ("not-met", "met",
                                                                          "partly-met")
    pulled, _ = await api.pull_all(alice)
    assert pulled[-2]["conflicts"][0]["theirs"] == "met"  # every device learns of it
    detail = (await api.client.get(f"{API}/visits/{visit}", headers=alice)).json()
    by_id = {r["id"]: r for r in detail["records"]}
    assert by_id[judgement]["data"]["level"] == "not-met"  # newest stamp wins everywhere


async def test_cursor_pages_resume_and_epoch_forces_reset(api: Api) -> None:
    alice = await api.login("alice")
    visit = new_id()
    batch = [change(visit)] + [
        change(visit, new_id(), n, fields={"item_id": f"i{n}", "level": "met"})
        for n in range(1, 30)
    ]
    assert statuses(await api.push(alice, batch)) == ["applied"] * 30
    seen, cursor = await api.pull_all(alice, limit=7)
    assert [c["id"] for c in seen] == [c["id"] for c in batch]
    assert [c["seq"] for c in seen] == sorted(c["seq"] for c in seen)
    nothing, same = await api.pull_all(alice, cursor)
    assert nothing == [] and same == cursor
    api.service.new_epoch()  # a restored server
    r = await api.client.get(f"{API}/sync/pull", params={"cursor": cursor}, headers=alice)
    assert r.json()["reset"] is True and len(r.json()["changes"]) == 30
    bad = await api.client.get(f"{API}/sync/pull", params={"cursor": "c1.zz.1"}, headers=alice)
    assert bad.json()["reset"] is True


async def test_status_rules_and_frozen_visits(api: Api) -> None:
    alice = await api.login("alice")
    visit = new_id()
    accept = change(visit, n=2, fields={"status": "accepted"}, base={"status": "in_progress"})
    comment = change(visit, n=3, fields={"moderator_comment": "fine"})
    r = await api.push(alice, [
        change(visit),
        change(visit, n=1, fields={"status": "in_progress"}, base={"status": "planned"}),
        accept,
        comment,
        change(visit, n=4, fields={"status": "submitted"}, base={"status": "in_progress"}),
        change(visit, new_id(), 5, fields={"item_id": "1.1", "level": "met"}),
    ])
    results = r.json()["results"]
    assert statuses(r) == ["applied", "applied", "rejected", "rejected", "applied", "rejected"]
    assert results[2]["reason"] == "a in_progress visit cannot become accepted"
    assert results[5]["reason"] == "the visit is submitted and cannot be edited"


async def test_limits_and_refusals_are_4xx_json(api: Api) -> None:
    alice = await api.login("alice")
    visit = new_id()
    too_many = [change(visit, new_id(), n % 9999) for n in range(MAX_BATCH_CHANGES + 1)]
    r = await api.push(alice, too_many)
    assert r.status_code in (413, 422) and "error" in r.json()
    huge = await api.client.post(f"{API}/sync/push", content=b"x" * (MAX_BODY_BYTES + 1),
                                 headers={**alice, "Content-Type": "application/json"})
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "too_large"
    deep = await api.client.post(f"{API}/sync/push", content=b"[" * 5000 + b"]" * 5000,
                                 headers=alice)
    assert deep.status_code == 422
    long_text = change(visit, fields={"framework_id": "x" * 200_000})
    assert (await api.push(alice, [long_text])).status_code == 422
    nested: Any = 1
    for _ in range(10):
        nested = {"a": nested}
    assert (await api.push(alice, [change(visit, fields={"x": nested})])).status_code == 422
    not_json = await api.client.post(f"{API}/sync/push", content=b"{nope", headers=alice)
    assert not_json.status_code == 422 and "error" in not_json.json()
    anonymous = await api.client.get(f"{API}/sync/pull")
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"] == "Bearer"
    assert json_depth_exceeds(b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}') is False


async def test_login_is_rate_limited(api: Api) -> None:
    api.service.add_user("mallory", "assessor")
    codes = []
    for n in range(12):
        r = await api.client.post(f"{API}/auth/login",
                                  json={"user": "mallory", "code": f"WRONG-{n}"})
        codes.append(r.status_code)
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    assert int(r.headers["Retry-After"]) > 0 and "too many" in r.json()["error"]["message"]


async def test_the_login_rate_limit_is_shared_by_every_server_process(
    api: Api, service: Service
) -> None:
    """Two apps over one database stand for two worker processes: attempts made at either
    count together, so more workers do not mean more guesses."""
    other_app = create_app(Service(service.engine))
    transport = httpx.ASGITransport(app=other_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        api.service.add_user("mallory", "assessor")
        codes = []
        for n in range(11):
            client = api.client if n % 2 else other
            r = await client.post(f"{API}/auth/login",
                                  json={"user": "mallory", "code": f"WRONG-{n}"})
            codes.append(r.status_code)
    assert codes == [401] * 10 + [429]


def test_the_migrated_schema_is_the_one_the_code_declares(service: Service) -> None:
    """Alembic's migrations and the tables in db.py cannot drift apart."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from assessor_tui.server import db

    with service.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


async def test_openapi_document_is_published(api: Api) -> None:
    r = await api.client.get(f"{API}/openapi.json")
    doc = r.json()
    assert f"{API}/sync/push" in doc["paths"] and f"{API}/sync/pull" in doc["paths"]
    assert "PushRequest" in json.dumps(doc)
    assert (await api.client.get("/healthz")).json() == {"status": "ok"}


async def test_text_no_database_column_can_hold_is_kept_or_refused_never_a_5xx(api: Api) -> None:
    """A NUL character fails any PostgreSQL text column, and NaN or 1e999 has no JSON
    form: a field value with a NUL is applied and comes back exactly; names and
    numbers that cannot be stored get a 422, never a 5xx that a client would retry."""
    alice = await api.login("alice")
    admin = await api.login("root", "admin")
    visit, note = new_id(), new_id()
    header = {"framework_id": "ice-mark", "status": "planned",
              "school_name": "Hill\x00side", "school_urn": "1\x002"}
    r = await api.push(alice, [
        change(visit, fields=header),
        change(visit, note, 1, type="note", fields={"text": "before\x00after"}),
    ])
    assert statuses(r) == ["applied", "applied"]
    pulled, _ = await api.pull_all(alice)
    assert [c["fields"].get("text", c["fields"].get("school_name")) for c in pulled] == [
        "Hill\x00side", "before\x00after"]
    listed = (await api.client.get(f"{API}/visits", headers=alice)).json()
    assert (listed[0]["school"], listed[0]["urn"]) == ("Hillside", "12")

    refused = [
        await api.client.post(f"{API}/auth/login", json={"user": "al\x00ice", "code": "X"}),
        await api.client.post(f"{API}/auth/login",
                              json={"user": "alice", "code": "X", "device_name": "a\x00"}),
        await api.client.post(f"{API}/admin/users/al%00ice/enrol", headers=admin),
        await api.client.post(f"{API}/admin/assignments", headers=admin, json={
            "user": "alice", "framework_id": "ice-mark", "school": "S\x00",
            "date": "2025-01-01"}),
    ]
    for number in ("NaN", "Infinity", "-Infinity", "1e999"):
        body = json.dumps({"idempotency_key": new_id(),
                           "changes": [change(visit, new_id(), 2, fields={"x": 0})]})
        refused.append(await api.client.post(
            f"{API}/sync/push", content=body.replace('"x": 0', f'"x": {number}').encode(),
            headers={**alice, "Content-Type": "application/json"}))
    assert [r.status_code for r in refused] == [422] * 8, [r.text for r in refused]
    assert all(set(r.json()) == {"error"} for r in refused)


async def test_an_assignment_needs_a_date_in_the_calendar(api: Api) -> None:
    """2025-02-30 matches YYYY-MM-DD but would reach the assessor's laptop as a visit
    no screen can show."""
    await api.login("alice")
    admin = await api.login("root", "admin")
    for day, status in (("2025-02-30", 422), ("2025-13-01", 422), ("2024-02-29", 201)):
        r = await api.client.post(f"{API}/admin/assignments", headers=admin, json={
            "user": "alice", "framework_id": "ice-mark", "school": "Oak", "date": day})
        assert r.status_code == status, r.text
        if status == 422:
            assert "not a date in the calendar" in r.json()["error"]["message"]


async def test_user_names_are_checked_whichever_way_a_user_is_added(api: Api) -> None:
    """The admin API and `assessor server user add` (which calls the service directly)
    refuse the same names: a name the login form refuses could never log in."""
    from assessor_tui.server.service import Invalid

    for name in ("bad name!", "x" * 101, "-lead"):
        with pytest.raises(Invalid, match="cannot be a user name"):
            api.service.add_user(name, "assessor")
    assert api.service.users() == []
