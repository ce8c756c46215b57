"""Two laptops and a real `assessor server run` process on loopback, through the real CLI:
login, push, pull, merge, conflicts, submit, review, assignment, revocation."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from tests.sync.conftest import PASSPHRASE, ServerProcess, Store

from assessor_tui.domain.ids import new_id
from assessor_tui.plugins.host import load_host
from assessor_tui.server import db
from assessor_tui.session import Session
from assessor_tui.sync.client import SyncClient
from assessor_tui.sync.protocol import PushRequest, WireChange


def _open(store: Store) -> Session:
    return Session.unlock(store.data_dir, PASSPHRASE, load_host())


def _level(store: Store, visit_id: str, item: str) -> str | None:
    shown = store.json("visits", "show", visit_id)
    judgement = shown["visit"]["judgements"].get(item)
    return judgement["level"] if judgement else None


def test_two_laptops_converge_through_a_real_server(
    server: ServerProcess, store_factory: Callable[[str], Store]
) -> None:
    code_a = server.admin("user", "add", "alice", "--role", "assessor")["code"]
    code_b = server.admin("user", "enrol", "alice")["code"]
    a, b = store_factory("a"), store_factory("b")
    a.login(server, "alice", code_a)
    visit = a.new_visit()
    a("visits", "judge", visit, "partnerships-1", "met", "--rationale", "five sectors")
    a("visits", "note", visit, "Head teacher interview", "-c", "partnerships-1")

    first = a.sync()
    # header, start, level, rationale, note
    assert first["pushed"] == 5 and first["conflicts"] == 0 and first["rejected"] == 0
    assert first["pulled"] == 0  # its own changes are not fetched back
    assert a.json("visits", "list")[0]["pending_changes"] == 0

    b.login(server, "alice", code_b)
    pulled = b.sync()
    assert pulled["pulled"] == 5 and pulled["new_visits"] == 1
    assert _level(b, visit, "partnerships-1") == "met"
    assert b.json("visits", "show", visit)["visit"]["notes"][0]["text"] == "Head teacher interview"

    # Both edit the same criterion from the same base: a conflict, kept on both sides.
    a("visits", "judge", visit, "partnerships-1", "partly-met")
    b("visits", "judge", visit, "partnerships-1", "not-met")
    b("visits", "note", visit, "A second note never conflicts")
    assert a.sync()["conflicts"] == 0
    second = b.sync()
    assert second["conflicts"] == 1 and second["pushed"] == 2
    assert second["pulled"] == 3  # a's edit landed first: it comes, with b's own two
    third = a.sync()
    assert third["pulled"] == 2
    # The conflict came to a with b's change: a's summary says so, and what to do.
    assert third["conflicts"] == 1 and third["open_conflicts"] == 1
    assert third["next_step"].startswith("resolve the 1 conflict")
    assert _level(a, visit, "partnerships-1") == _level(b, visit, "partnerships-1")
    # Each laptop sees the conflict from its own side: "yours" is its own edit.
    for store, own, other in ((a, "partly-met", "not-met"), (b, "not-met", "partly-met")):
        with _open(store) as session:
            opened = session.open(visit)
            conflicts = opened.conflicts()
            assert len(conflicts) == 1, store.data_dir
            assert (conflicts[0]["yours"], conflicts[0]["theirs"]) == (own, other)
            assert len(opened.visit.notes) == 2
    assert "yours 'partly-met', theirs 'not-met'" in a("visits", "show", visit).stdout

    # Resolving on one laptop (with the CLI) settles it on the other after a sync.
    (conflict,) = a.json("visits", "show", visit)["sync"]["conflicts"]
    a("visits", "resolve", visit, conflict["id"], "--value", "partly-met")
    assert a.json("visits", "show", visit)["sync"]["conflicts"] == []
    a.sync()
    b.sync()
    assert _level(b, visit, "partnerships-1") == "partly-met"
    with _open(b) as session:
        assert session.open(visit).conflicts() == []

    # A no-op sync changes nothing and says so.
    quiet = a.sync()
    assert quiet["pushed"] == 0 and quiet["next_step"].startswith("nothing to do")


def test_login_codes_are_one_time_and_revocation_is_immediate(
    server: ServerProcess, store_factory: Callable[[str], Store]
) -> None:
    code = server.admin("user", "add", "bob", "--role", "assessor")["code"]
    a, b = store_factory("a"), store_factory("b")
    a.login(server, "bob", code)
    # The token lives only in the encrypted store; the server keeps only its hash.
    with _open(a) as session:
        account = session.sync_account()
        assert account is not None
        token = account["token"].encode()
    assert token.startswith(b"ast_")
    files = [*a.data_dir.rglob("*"), *server.folder.rglob("*")]
    if server.db_url.startswith("sqlite:///"):
        database = Path(server.db_url.removeprefix("sqlite:///"))
        files += database.parent.glob(database.name + "*")  # with its WAL
    kept = [p for p in files if p.is_file()]
    assert kept and not [p.name for p in kept if token in p.read_bytes()]
    engine = db.make_engine(server.db_url)
    with engine.connect() as conn:
        hashes = conn.execute(select(db.devices.c.token_hash)).scalars().all()
    engine.dispose()
    assert hashes == [hashlib.sha256(token).hexdigest()]
    reused = b("login", server.url, "--user", "bob", "--code", code, check=False)
    assert reused.returncode == 1 and "unknown user or enrolment code" in reused.stderr
    devices = server.admin("device", "list")
    assert len(devices) == 1
    result = a("sync", check=False)
    assert result.returncode == 0
    revoke = a  # the admin revokes the laptop's device
    del revoke
    from tests.sync.conftest import run_assessor

    assert run_assessor("server", "device", "revoke", devices[0]["id"], "--db",
                        server.db_url).returncode == 0
    refused = a("sync", check=False)
    assert refused.returncode == 1
    assert "revoked" in refused.stderr and "Traceback" not in refused.stderr
    not_logged_in = store_factory("c")("sync", check=False)
    assert "not logged in" in not_logged_in.stderr


def test_submit_review_return_and_accept(
    server: ServerProcess, store_factory: Callable[[str], Store]
) -> None:
    code = server.admin("user", "add", "carol", "--role", "assessor")["code"]
    mod_code = server.admin("user", "add", "mo", "--role", "moderator")["code"]
    laptop, moderator = store_factory("carol"), store_factory("mo")
    laptop.login(server, "carol", code)
    moderator.login(server, "mo", mod_code)
    visit = laptop.new_visit()
    laptop("visits", "judge", visit, "partnerships-1", "met")
    laptop("submit", visit)
    frozen = laptop("visits", "judge", visit, "partnerships-2", "met", check=False)
    assert frozen.returncode == 1 and "submitted" in frozen.stderr
    laptop.sync()

    listed = moderator.json("review", "list")
    assert [v["id"] for v in listed] == [visit]
    shown = moderator.json("review", "show", visit)
    assert shown["summary"]["status"] == "submitted"
    blank = moderator("review", "return", visit, "--comment", "  ", check=False)
    assert (blank.returncode, blank.stderr) == (
        1, "assessor: returning a visit needs a --comment that says what to change\n")
    typo = moderator("review", "show", visit[:-1], check=False)
    assert typo.returncode == 1 and "is not a visit id" in typo.stderr
    moderator("review", "return", visit, "--comment", "Add evidence for 1.2")
    assert moderator.json("review", "list") == []
    again = moderator("review", "accept", visit, check=False)
    assert again.returncode == 1 and "returned" in again.stderr

    laptop.sync()
    with _open(laptop) as session:
        opened = session.open(visit)
        assert opened.visit.status == "returned"
        assert opened.sync_state()["moderator_comment"] == "Add evidence for 1.2"
    laptop("visits", "judge", visit, "partnerships-2", "partly-met")
    laptop("submit", visit)
    laptop.sync()
    moderator("review", "accept", visit)
    assert laptop.sync()["pulled"] >= 1
    assert laptop.json("visits", "show", visit)["visit"]["status"] == "accepted"
    log = server.admin("access-log", "--visit", visit)
    assert [e["action"] for e in log] == ["read", "returned", "accepted"]


def test_assignment_brings_a_planned_visit_and_earlier_records(
    server: ServerProcess, store_factory: Callable[[str], Store]
) -> None:
    first = server.admin("user", "add", "dana", "--role", "assessor")["code"]
    second = server.admin("user", "add", "eve", "--role", "assessor")["code"]
    dana, eve = store_factory("dana"), store_factory("eve")
    dana.login(server, "dana", first)
    eve.login(server, "eve", second)
    earlier = dana.new_visit(school="Oak School", urn="123456")
    dana("visits", "judge", earlier, "partnerships-1", "met")
    dana.sync()
    eve.sync()  # eve's cursor is now past dana's visit
    assigned = server.admin(
        "assign", "--user", "eve", "--framework", "ice-mark", "--school", "Oak School",
        "--urn", "123456", "--date", "2025-06-01",
    )
    assert assigned["copies"] == [earlier]
    report = eve.sync()
    assert report["new_visits"] == 2
    ids = {v["id"]: v for v in eve.json("visits", "list")}
    assert ids[assigned["visit_id"]]["status"] == "planned"
    assert _level(eve, earlier, "partnerships-1") == "met"
    with _open(eve) as session:
        assert session.open(earlier).read_only
        assert not session.open(assigned["visit_id"]).read_only
    # A write to the read-only copy is refused on the laptop, in one line, and nothing is
    # queued; a client that sends one anyway is refused by the server.
    judged = eve("visits", "judge", earlier, "partnerships-2", "met", check=False)
    assert judged.returncode == 1
    assert judged.stderr == "assessor: this is a read-only copy of an earlier visit\n"
    assert eve.sync()["pushed"] == 0
    with _open(eve) as session:
        token = session.sync_account()["token"]
    change = WireChange(id=new_id(), visit_id=earlier, record_id=new_id(), type="judgement",
                        fields={"item_id": "partnerships-2", "level": "met"},
                        hlc="1900000000000-0000-eve", device="eve")
    with SyncClient(server.url, token) as client:
        answer = client.push(PushRequest(idempotency_key="older-client-1", changes=[change]))
    assert [(r.status, r.reason) for r in answer.results] == [
        ("rejected", "this visit is a read-only copy")]
    assert _level(dana, earlier, "partnerships-2") is None


def _in_a_terminal(store: Store, *args: str) -> tuple[int, str]:
    """``assessor ARGS`` on a pseudo-terminal, as someone at a laptop runs it."""
    import os
    import pty

    from tests.sync.conftest import ASSESSOR

    env = {**os.environ, "ASSESSOR_DATA_DIR": str(store.data_dir),
           "ASSESSOR_PASSPHRASE": PASSPHRASE, "ASSESSOR_SYNC_BUDGET": "20"}
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execve(ASSESSOR, [ASSESSOR, *args], env)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode()


def test_sync_in_a_terminal_shows_a_progress_bar_then_the_summary(
    server: ServerProcess, store_factory: Callable[[str], Store]
) -> None:
    code = server.admin("user", "add", "fay", "--role", "assessor")["code"]
    laptop = store_factory("fay")
    laptop.login(server, "fay", code)
    visit = laptop.new_visit()
    laptop("visits", "judge", visit, "partnerships-1", "met")
    status, screen = _in_a_terminal(laptop, "sync")
    assert status == 0, screen
    # One line redrawn in place (\r), from empty to full, then the summary below it.
    assert f"\rpush [{'.' * 30}] 0/3" in screen
    assert f"\rpush [{'#' * 30}] 3/3" in screen
    summary = screen[screen.rindex("\r\n", 0, screen.index("Pushed")) + 2:]
    assert summary.splitlines()[:2] == ["Pushed 3, pulled 0, conflicts 0",
                                        "Next: nothing to do: everything is synced"]
