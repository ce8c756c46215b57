"""The late-commit trap: 20 concurrent pushers, some holding their transaction open
before committing, and a puller paging all the while. No change is ever skipped."""

from __future__ import annotations

import threading
import time

import pytest

from assessor_tui.domain.ids import new_id
from assessor_tui.server import db
from assessor_tui.server.service import Caller, Service
from assessor_tui.sync.protocol import PushRequest, WireChange

PUSHERS = 20
BATCHES = 4
PER_BATCH = 5


def _changes(visit_id: str, first: bool, device: str, n: int) -> list[WireChange]:
    out = []
    if first:
        out.append(WireChange(
            id=new_id(), visit_id=visit_id, record_id=visit_id, type="visit",
            fields={"framework_id": "ice-mark", "status": "planned", "school_name": "S"},
            hlc=f"{1700000000000 + n:013d}-0000-{device}", device=device,
        ))
    while len(out) < PER_BATCH:
        out.append(WireChange(
            id=new_id(), visit_id=visit_id, record_id=new_id(), type="note",
            fields={"text": f"{device} {n} {len(out)}"},
            hlc=f"{1700000000000 + n:013d}-{len(out):04d}-{device}", device=device,
        ))
    return out


@pytest.mark.parametrize("db_url", ["postgresql", "sqlite"], indirect=True)
def test_a_puller_never_skips_a_late_commit(db_url: str) -> None:
    engine = db.make_engine(db_url)
    db.migrate(engine)
    setup = Service(engine)
    setup.add_user("ann", "assessor")
    users = {u["name"] for u in setup.users()}
    assert users == {"ann"}
    caller_id = 1
    pushed: set[str] = set()
    lock = threading.Lock()
    done = threading.Event()
    errors: list[BaseException] = []

    def pusher(index: int) -> None:
        service = Service(db.make_engine(db_url))  # as if another server process
        service.commit_delay = 0.15 if index % 3 == 0 else 0.0
        caller = Caller(user_id=caller_id, name="ann", role="assessor", device_id=f"d{index}")
        visit_id = new_id()
        try:
            for n in range(BATCHES):
                changes = _changes(visit_id, n == 0, f"dev{index}", n)
                response = service.push(
                    caller, PushRequest(idempotency_key=new_id(), changes=changes)
                )
                assert {r.status for r in response.results} == {"applied"}
                with lock:
                    pushed.update(c.id for c in changes)
        except BaseException as exc:
            errors.append(exc)
        finally:
            service.engine.dispose()

    seen: list[str] = []
    reader = Service(db.make_engine(db_url))
    caller = Caller(user_id=caller_id, name="ann", role="assessor", device_id="reader")

    def puller() -> None:
        cursor = None
        while True:
            finished = done.is_set()
            page = reader.pull(caller, cursor, limit=7)
            assert not page.reset
            seen.extend(c.id for c in page.changes)
            cursor = page.cursor
            if finished and not page.more:
                return
            if not page.more:
                time.sleep(0.01)

    threads = [threading.Thread(target=pusher, args=(i,)) for i in range(PUSHERS)]
    reading = threading.Thread(target=puller)
    reading.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    done.set()
    reading.join(timeout=60)
    reader.engine.dispose()
    engine.dispose()
    assert errors == []
    assert len(pushed) == PUSHERS * BATCHES * PER_BATCH
    assert len(seen) == len(set(seen)), "a change was delivered twice"
    assert set(seen) == pushed, f"{len(pushed - set(seen))} changes skipped"
