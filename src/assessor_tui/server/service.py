"""The data layer: every read and write the server does, scoped to the caller.

Authorisation lives here, not in the routes: each query takes the `Caller` and
filters by what that user may see, so a route cannot forget to check. An
assessor sees their own visits, visits assigned to them, and read-only grants
on earlier visits to the same school; anything else answers "not found",
exactly as a visit that does not exist.

The pull cursor and the late-commit trap
----------------------------------------
A change's position in the log (``seq``) is assigned inside the push
transaction *after* it has locked the single ``counter`` row, and the counter
is bumped in that same transaction. Every writer (push, review, assignment)
takes that lock first, so transactions that write the log commit one at a time
in ``seq`` order: the committed seqs are always a gap-free prefix 1..head. A
puller reads ``head`` first and then only changes ``seq <= head``, so it can
never see seq 7 while seq 6 is still in flight and later commit behind its
cursor (the trap with PostgreSQL sequences, whose values are handed out at
insert time and commit in any order). Pushes are short and bounded, so one at
a time is fast enough; pulls never wait for the lock.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from pydantic_core import to_json
from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from assessor_tui.server import db
from assessor_tui.sync.protocol import (
    ASSESSOR_MOVES,
    DEFAULT_PAGE,
    FROZEN,
    MAX_PAGE,
    MAX_PAGE_BYTES,
    MODERATOR_FIELDS,
    Access,
    Assignment,
    AssignmentCreate,
    ChangeStatus,
    DeviceInfo,
    Enrolment,
    FieldConflict,
    LoginResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    Role,
    UserCreate,
    VisitDetail,
    VisitInfo,
    VisitSummary,
    WhoAmI,
    WireChange,
    WireRecord,
    canonical,
    conflicts_of,
    merge,
)

ENROLMENT_DAYS = 14
SERVER_DEVICE = "server"
REVIEW_STATES = ("submitted", "returned", "accepted")
RESYNC_STATES = frozenset({"planned", "in_progress", "submitted"})
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_ACCESS_BY_MODE: Mapping[str, Access] = {"write": "assigned", "read": "read"}


class ServiceError(Exception):
    """A refusal with its HTTP status; the message is safe to show the caller."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthorized(ServiceError):
    status, code = 401, "unauthorized"


class Forbidden(ServiceError):
    status, code = 403, "forbidden"


class NotFound(ServiceError):
    status, code = 404, "not_found"


class Conflict(ServiceError):
    status, code = 409, "conflict"


class Invalid(ServiceError):
    status, code = 422, "invalid"


@dataclass(frozen=True)
class Caller:
    user_id: int
    name: str
    role: Role
    device_id: str


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _code_hash(code: str) -> str:
    return sha256(re.sub(r"[^A-Z0-9]", "", code.upper()))


def server_stamp(clocks: dict[str, str]) -> str:
    """A stamp newer than every stamp on the record, for the server's own edits."""
    now = time.time_ns() // 1_000_000
    latest = max(clocks.values(), default="")
    ms, counter = now, 0
    if latest:
        last_ms, last_counter = int(latest[:13]), int(latest[14:18])
        if last_ms >= now:
            ms, counter = last_ms, last_counter + 1
    return f"{ms:013d}-{min(counter, 9999):04d}-{SERVER_DEVICE}"


class Service:
    """All server operations over one database; safe to share between threads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.commit_delay: float = 0.0
        """Seconds to hold a push transaction open before commit (tests of late commits)."""
        self.commit_delays: list[float] = []
        """The first pushes' holds, in turn, before ``commit_delay`` applies (crash tests)."""

    @contextmanager
    def _tx(self, *, write: bool = False) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            if write:
                conn.execution_options(immediate=True)
            with conn.begin():
                yield conn

    @staticmethod
    def _lock_log(conn: Connection) -> int:
        """Take the log lock (see the module docstring); returns the current head."""
        return int(
            conn.execute(
                select(db.counter.c.value).where(db.counter.c.id == 1).with_for_update()
            ).scalar_one()
        )

    @staticmethod
    def _set_head(conn: Connection, seq: int) -> None:
        conn.execute(update(db.counter).where(db.counter.c.id == 1).values(value=seq))

    def epoch(self) -> str:
        with self._tx() as conn:
            return self._epoch(conn)

    @staticmethod
    def _epoch(conn: Connection) -> str:
        return str(
            conn.execute(select(db.meta.c.value).where(db.meta.c.key == "epoch")).scalar_one()
        )

    def new_epoch(self) -> str:
        """After restoring a backup: every client's cursor becomes stale and it resyncs."""
        epoch = secrets.token_hex(8)
        with self._tx(write=True) as conn:
            conn.execute(update(db.meta).where(db.meta.c.key == "epoch").values(value=epoch))
        return epoch

    # ------------------------------------------------------------ users and devices

    def _user(self, conn: Connection, name: str) -> Any:
        return conn.execute(select(db.users).where(db.users.c.name == name)).first()

    def add_user(self, name: str, role: Role) -> Enrolment:
        try:
            UserCreate(name=name, role=role)
        except ValidationError:
            raise Invalid(
                f"'{name[:100]}' cannot be a user name: use 1 to 100 letters, digits and "
                "'.', '_', '@' or '-', starting with a letter or digit"
            ) from None
        exists = Conflict(f"user '{name}' already exists")
        try:
            with self._tx(write=True) as conn:
                if self._user(conn, name) is not None:
                    raise exists
                conn.execute(insert(db.users).values(name=name, role=role, created=now_iso()))
                return self._enrol(conn, name)
        except IntegrityError:  # the same name added at the same moment elsewhere
            raise exists from None

    def enrol(self, name: str) -> Enrolment:
        with self._tx(write=True) as conn:
            return self._enrol(conn, name)

    def _enrol(self, conn: Connection, name: str) -> Enrolment:
        user = self._user(conn, name)
        if user is None:
            raise NotFound(f"no user '{name}'")
        code = new_code()
        expires = datetime.now(UTC) + timedelta(days=ENROLMENT_DAYS)
        conn.execute(
            insert(db.enrolments).values(
                code_hash=_code_hash(code),
                user_id=user.id,
                created=now_iso(),
                expires=expires.isoformat(timespec="seconds"),
                used=False,
            )
        )
        return Enrolment(user=name, role=user.role, code=code)

    def users(self) -> list[dict[str, Any]]:
        with self._tx() as conn:
            rows = conn.execute(select(db.users).order_by(db.users.c.name)).all()
            return [{"name": r.name, "role": r.role, "created": r.created} for r in rows]

    def rate_wait(self, keys: Sequence[str], limit: int, window: float) -> float:
        """Record one attempt under each key unless one of them already had ``limit`` in
        the last ``window`` seconds; returns the seconds to wait (0: allowed). Kept in the
        database, so all processes serving it count together."""
        now = time.time()
        keys = [k[:300] for k in keys]
        with self._tx(write=True) as conn:
            conn.execute(delete(db.login_attempts).where(db.login_attempts.c.at < now - window))
            oldest = dict(
                conn.execute(
                    select(db.login_attempts.c.key, func.min(db.login_attempts.c.at))
                    .where(db.login_attempts.c.key.in_(keys))
                    .group_by(db.login_attempts.c.key)
                    .having(func.count() >= limit)
                ).all()
            )
            if oldest:
                return max(window - (now - float(at)) for at in oldest.values())
            conn.execute(insert(db.login_attempts), [{"key": k, "at": now} for k in keys])
        return 0.0

    def login(self, name: str, code: str, device_name: str) -> LoginResponse:
        """Exchange a one-time code for a new device token; the code is used up."""
        refused = Unauthorized("unknown user or enrolment code")
        with self._tx(write=True) as conn:
            user = self._user(conn, name)
            if user is None:
                raise refused
            enrolment = conn.execute(
                select(db.enrolments).where(
                    db.enrolments.c.code_hash == _code_hash(code),
                    db.enrolments.c.user_id == user.id,
                )
            ).first()
            if enrolment is None or enrolment.used or enrolment.expires < now_iso():
                raise refused
            # Used up only if still unused: on PostgreSQL concurrent logins with one code
            # all read it unused; the row lock lets exactly one of them through here.
            taken = conn.execute(
                update(db.enrolments)
                .where(
                    db.enrolments.c.code_hash == enrolment.code_hash,
                    db.enrolments.c.used.is_(False),
                )
                .values(used=True)
            )
            if taken.rowcount != 1:
                raise refused
            token = "ast_" + secrets.token_urlsafe(32)
            device_id = secrets.token_hex(8)
            conn.execute(
                insert(db.devices).values(
                    id=device_id,
                    user_id=user.id,
                    name=device_name or "device",
                    token_hash=sha256(token),
                    created=now_iso(),
                    revoked=False,
                )
            )
            return LoginResponse(token=token, user=name, role=user.role, device_id=device_id)

    def authenticate(self, token: str) -> Caller:
        with self._tx() as conn:
            row = conn.execute(
                select(db.devices, db.users.c.name.label("user_name"), db.users.c.role)
                .join(db.users, db.users.c.id == db.devices.c.user_id)
                .where(db.devices.c.token_hash == sha256(token))
            ).first()
        if row is None:
            raise Unauthorized("unknown token; log in again with `assessor login`")
        if row.revoked:
            raise Unauthorized("this device was revoked; log in again with a new enrolment code")
        return Caller(user_id=row.user_id, name=row.user_name, role=row.role, device_id=row.id)

    @staticmethod
    def whoami(caller: Caller) -> WhoAmI:
        return WhoAmI(user=caller.name, role=caller.role, device_id=caller.device_id)

    def devices(self, user: str | None = None) -> list[DeviceInfo]:
        with self._tx() as conn:
            query = select(db.devices, db.users.c.name.label("user_name")).join(
                db.users, db.users.c.id == db.devices.c.user_id
            )
            if user is not None:
                query = query.where(db.users.c.name == user)
            rows = conn.execute(query.order_by(db.devices.c.created)).all()
        return [
            DeviceInfo(id=r.id, user=r.user_name, name=r.name, created=r.created, revoked=r.revoked)
            for r in rows
        ]

    def revoke_device(self, device_id: str) -> None:
        with self._tx(write=True) as conn:
            done = conn.execute(
                update(db.devices).where(db.devices.c.id == device_id).values(revoked=True)
            )
            if done.rowcount == 0:
                raise NotFound(f"no device '{device_id}'")

    # ------------------------------------------------------------ scoping

    @staticmethod
    def _visible(caller: Caller) -> Any:
        """The visits an assessor may pull: owned, assigned, or granted read-only."""
        granted = select(db.grants.c.visit_id).where(db.grants.c.user_id == caller.user_id)
        return or_(db.visits.c.owner_id == caller.user_id, db.visits.c.id.in_(granted))

    @staticmethod
    def _access(
        conn: Connection, caller: Caller, visit: Any, grants: Mapping[str, str] | None = None
    ) -> Access | None:
        """owner, assigned (write grant), read (read-only copy), or None: not visible.

        ``grants`` (visit id → mode, the caller's, fetched for a whole batch) saves a
        query per visit; without it the grant is looked up here.
        """
        fields = visit if isinstance(visit, dict) else visit._mapping
        if caller.role != "assessor":
            return None
        if fields["owner_id"] == caller.user_id:
            return "owner"
        if grants is not None:
            mode = grants.get(fields["id"])
        else:
            mode = conn.execute(
                select(db.grants.c.mode).where(
                    db.grants.c.visit_id == fields["id"], db.grants.c.user_id == caller.user_id
                )
            ).scalar()
        return _ACCESS_BY_MODE.get(mode) if mode else None

    @staticmethod
    def _grants(conn: Connection, caller: Caller, visit_ids: Iterable[str]) -> dict[str, str]:
        """The caller's grants on these visits, in one query per chunk."""
        out: dict[str, str] = {}
        for chunk in _chunks(visit_ids):
            rows = conn.execute(
                select(db.grants.c.visit_id, db.grants.c.mode).where(
                    db.grants.c.user_id == caller.user_id, db.grants.c.visit_id.in_(chunk)
                )
            )
            out.update({vid: mode for vid, mode in rows})
        return out

    # ------------------------------------------------------------ push

    def push(self, caller: Caller, request: PushRequest) -> PushResponse:
        return PushResponse.model_validate_json(self.push_json(caller, request))

    def push_json(self, caller: Caller, request: PushRequest) -> str:
        """Apply one batch in one transaction; the answer as JSON, exactly as stored for
        a retry with the same key (so the route sends it without re-serialising)."""
        # Each change as logged: serialised once, for the hash, the check against a
        # known id and the log itself.
        texts = [c.model_dump_json() for c in request.changes]
        body_hash = _batch_hash(texts, request.resync)
        with self._tx(write=True) as conn:
            head = self._lock_log(conn)
            earlier = conn.execute(
                select(db.batches).where(
                    db.batches.c.device_id == caller.device_id,
                    db.batches.c.key == request.idempotency_key,
                )
            ).first()
            if earlier is not None:
                if earlier.body_hash not in (body_hash, _canonical_hash(request)):
                    raise Conflict("this idempotency key was used for a different batch")
                return str(earlier.response)
            log = _Log(conn, head, caller.user_id)
            if caller.role != "assessor":
                results = [
                    ChangeStatus(
                        id=c.id, status="rejected", reason="only assessors push visit records"
                    )
                    for c in request.changes
                ]
            else:
                log.prefetch(request.changes, caller)
                results = [
                    self._push_one(log, caller, change, text, request.resync)
                    for change, text in zip(request.changes, texts, strict=True)
                ]
            log.flush()
            # The batch holds the log lock, so its changes are exactly head+1..log.head.
            epoch = self._epoch(conn)
            response = PushResponse(
                results=results,
                cursor_before=make_cursor(epoch, head) if head else None,
                cursor_after=make_cursor(epoch, log.head) if log.head else None,
            ).model_dump_json()
            conn.execute(
                insert(db.batches).values(
                    device_id=caller.device_id,
                    key=request.idempotency_key,
                    body_hash=body_hash,
                    response=response,
                    created=now_iso(),
                )
            )
            delay = self.commit_delays.pop(0) if self.commit_delays else self.commit_delay
            if delay:
                # said before the wait, so a test kills the server there, not after a guess
                print(f"push held {delay:g} s before its commit", file=sys.stderr, flush=True)
                time.sleep(delay)
        return response

    def _push_one(
        self, log: _Log, caller: Caller, change: WireChange, text: str, resync: bool
    ) -> ChangeStatus:
        def rejected(reason: str) -> ChangeStatus:
            return ChangeStatus(id=change.id, status="rejected", reason=reason)

        known = log.known_change(change.id)
        if known is not None:
            if known == text or canonical(json.loads(known)) == canonical(json.loads(text)):
                return ChangeStatus(id=change.id, status="duplicate")
            return rejected("this change id was already used for a different change")
        visit = log.visit(change.visit_id)
        if visit is None:
            if not (
                change.type == "visit"
                and change.record_id == change.visit_id
                and change.op == "put"
                and isinstance(change.fields.get("framework_id"), str)
            ):
                return rejected("unknown visit")
            if change.fields.get("status", "planned") not in ("planned", "in_progress",
                                                               "submitted"):
                return rejected("a new visit must start planned or in progress")
            if log.record(change.record_id) is not None:
                return rejected("unknown visit")
            visit = log.new_visit(change, caller.user_id)
        else:
            access = self._access(log.conn, caller, visit, log.grants)
            if access is None:
                return rejected("unknown visit")
            if access == "read":
                return rejected("this visit is a read-only copy")
        record = log.record(change.record_id)
        if record is not None and (
            record["visit_id"] != change.visit_id or record["type"] != change.type
        ):
            return rejected("the record belongs to another visit or type")
        if change.type == "visit" and change.record_id != change.visit_id:
            return rejected("a visit header's record id is its visit id")
        status = visit["status"]
        if change.type == "visit":
            if set(change.fields) & MODERATOR_FIELDS:
                return rejected("only a moderator sets the moderator's comment")
            new_status = change.fields.get("status", status)
            # A resync replays history, so any state an assessor may set is allowed.
            allowed = RESYNC_STATES if resync else ASSESSOR_MOVES.get(status, set())
            if new_status != status and new_status not in allowed:
                return rejected(f"a {status} visit cannot become {new_status}")
            if status in FROZEN and not resync and set(change.fields) - {"status"}:
                return rejected(f"the visit is {status} and cannot be edited")
        elif status in FROZEN and not resync:
            return rejected(f"the visit is {status} and cannot be edited")
        conflicts: list[FieldConflict] = []
        if record is not None and not resync:
            conflicts = conflicts_of(change.type, record["data"], record["clocks"], change)
        log.append(change, conflicts, text)
        return ChangeStatus(
            id=change.id, status="conflict" if conflicts else "applied", conflicts=conflicts
        )

    # ------------------------------------------------------------ pull

    def pull(self, caller: Caller, cursor: str | None, limit: int = DEFAULT_PAGE) -> PullResponse:
        return PullResponse.model_validate_json(self.pull_json(caller, cursor, limit))

    def pull_json(self, caller: Caller, cursor: str | None, limit: int = DEFAULT_PAGE) -> str:
        """A `PullResponse` as JSON, built from the stored change bodies as they are.

        Every body was validated as a `WireChange` when it was written, so a page is
        spliced together from the stored text instead of parsed, re-validated and
        serialised again change by change (most of a pull's cost otherwise).
        """
        limit = max(1, min(limit, MAX_PAGE))
        with self._tx() as conn:
            epoch = self._epoch(conn)
            # head first: every seq <= head is committed (module docstring).
            head = int(
                conn.execute(select(db.counter.c.value).where(db.counter.c.id == 1)).scalar_one()
            )
            after, reset = 0, False
            if cursor:
                parsed = parse_cursor(cursor)
                if parsed is None or parsed[0] != epoch or parsed[1] > head:
                    reset = True
                else:
                    after = parsed[1]
            if caller.role != "assessor":
                return _page_json([], make_cursor(epoch, head), more=False, reset=reset, visits=[])
            columns = (db.changes.c.seq, db.changes.c.visit_id, db.changes.c.body,
                       db.changes.c.conflicts)
            visible = select(db.visits.c.id).where(self._visible(caller))
            # Streamed, so a page of large changes stops at the byte budget without
            # loading the rest of the ``limit`` first.
            result = conn.execute(
                select(*columns)
                .where(
                    db.changes.c.seq > after,
                    db.changes.c.seq <= head,
                    db.changes.c.visit_id.in_(visible),
                )
                .order_by(db.changes.c.seq)
                .limit(limit + 1)
                .execution_options(yield_per=256)
            )
            rows: list[Any] = []
            size, more = 0, False
            for row in result:
                size += len(row.body) + len(row.conflicts)
                if len(rows) == limit or (rows and size > MAX_PAGE_BYTES):
                    more = True
                    break
                rows.append(row)
            result.close()
            upto = rows[-1].seq if more else head
            # Visits granted read-only since the cursor: their history before it, once.
            backfill: list[Any] = []
            fresh = self._fresh_grants(conn, caller, after, upto) if after > 0 else []
            if fresh:
                backfill = list(
                    conn.execute(
                        select(*columns)
                        .where(db.changes.c.visit_id.in_(fresh), db.changes.c.seq <= after)
                        .order_by(db.changes.c.seq)
                    ).all()
                )
            all_rows = [*backfill, *rows]
            visit_ids = sorted({r.visit_id for r in all_rows})
            found: dict[str, Any] = {}
            for chunk in _chunks(visit_ids):
                found.update(
                    (v.id, v)
                    for v in conn.execute(select(db.visits).where(db.visits.c.id.in_(chunk)))
                )
            grants = self._grants(conn, caller, visit_ids)
            infos = []
            for vid in visit_ids:
                visit = found.get(vid)
                access = self._access(conn, caller, visit, grants) if visit is not None else None
                if visit is not None and access is not None:
                    infos.append(VisitInfo(id=vid, access=access, status=visit.status))
        return _page_json(
            [_pulled_json(r.body, r.seq, r.conflicts) for r in all_rows],
            make_cursor(epoch, upto), more=more, reset=reset, visits=infos,
        )

    @staticmethod
    def _fresh_grants(conn: Connection, caller: Caller, after: int, upto: int) -> list[str]:
        return list(
            conn.execute(
                select(db.grants.c.visit_id).where(
                    db.grants.c.user_id == caller.user_id,
                    db.grants.c.seq > after,
                    db.grants.c.seq <= upto,
                )
            ).scalars()
        )

    # ------------------------------------------------------------ reading visits

    def _summary(self, conn: Connection, visit: Any) -> VisitSummary:
        owner = conn.execute(
            select(db.users.c.name).where(db.users.c.id == visit.owner_id)
        ).scalar_one()
        return VisitSummary(
            id=visit.id,
            owner=owner,
            status=visit.status,
            school=visit.school,
            urn=visit.urn,
            framework_id=visit.framework_id,
            updated=visit.updated,
        )

    def _readable(self, conn: Connection, caller: Caller, visit_id: str) -> Any:
        """The visit if the caller may read it, else NotFound (never Forbidden: no leak)."""
        visit = conn.execute(select(db.visits).where(db.visits.c.id == visit_id)).first()
        if visit is not None:
            if caller.role == "assessor" and self._access(conn, caller, visit) is not None:
                return visit
            if caller.role == "moderator" and visit.status in REVIEW_STATES:
                return visit
        raise NotFound("no such visit")

    def visits(self, caller: Caller) -> list[VisitSummary]:
        with self._tx() as conn:
            if caller.role == "assessor":
                where = self._visible(caller)
            elif caller.role == "moderator":
                where = db.visits.c.status.in_(REVIEW_STATES)
            else:
                return []
            rows = conn.execute(select(db.visits).where(where).order_by(db.visits.c.id)).all()
            return [self._summary(conn, r) for r in rows]

    def review_list(self, caller: Caller, states: tuple[str, ...] = ("submitted",)) -> list[
        VisitSummary
    ]:
        self._moderator(caller)
        with self._tx() as conn:
            rows = conn.execute(
                select(db.visits).where(db.visits.c.status.in_(states)).order_by(db.visits.c.id)
            ).all()
            return [self._summary(conn, r) for r in rows]

    def visit_detail(self, caller: Caller, visit_id: str) -> VisitDetail:
        write = caller.role == "moderator"
        with self._tx(write=write) as conn:
            visit = self._readable(conn, caller, visit_id)
            if caller.role == "moderator":
                self._log_access(conn, caller, visit.id, "read")
            rows = conn.execute(
                select(db.records).where(db.records.c.visit_id == visit.id).order_by(
                    db.records.c.created, db.records.c.id
                )
            ).all()
            return VisitDetail(
                summary=self._summary(conn, visit),
                records=[
                    WireRecord(
                        id=r.id,
                        type=r.type,
                        visit_id=r.visit_id,
                        data=json.loads(r.data),
                        clocks=json.loads(r.clocks),
                        created=r.created,
                        updated=r.updated,
                        device=r.device,
                        deleted=r.deleted,
                    )
                    for r in rows
                ],
            )

    @staticmethod
    def _moderator(caller: Caller) -> None:
        if caller.role != "moderator":
            raise Forbidden("only a moderator reviews visits")

    @staticmethod
    def _log_access(conn: Connection, caller: Caller, visit_id: str, action: str) -> None:
        conn.execute(
            insert(db.access_log).values(
                user_id=caller.user_id, visit_id=visit_id, action=action, at=now_iso()
            )
        )

    def access_log(self, visit_id: str | None = None) -> list[dict[str, Any]]:
        with self._tx() as conn:
            query = select(db.access_log, db.users.c.name).join(
                db.users, db.users.c.id == db.access_log.c.user_id
            )
            if visit_id:
                query = query.where(db.access_log.c.visit_id == visit_id)
            rows = conn.execute(query.order_by(db.access_log.c.id)).all()
        return [
            {"user": r.name, "visit_id": r.visit_id, "action": r.action, "at": r.at} for r in rows
        ]

    def review(self, caller: Caller, visit_id: str, decision: str, comment: str) -> VisitSummary:
        """Return (with comments) or accept a submitted visit: a change from the server."""
        self._moderator(caller)
        if decision == "returned" and not comment.strip():
            raise Invalid("returning a visit needs a comment that says what to change")
        with self._tx(write=True) as conn:
            head = self._lock_log(conn)
            visit = self._readable(conn, caller, visit_id)
            if visit.status != "submitted":
                raise Conflict(f"the visit is {visit.status}, not submitted")
            log = _Log(conn, head, caller.user_id)
            header = log.record(visit.id)
            fields: dict[str, Any] = {"status": decision}
            if comment:
                fields["moderator_comment"] = comment
            change = WireChange(
                id=_uuid7(),
                visit_id=visit.id,
                record_id=visit.id,
                type="visit",
                fields=fields,
                base={k: header["data"].get(k) for k in fields} if header else {},
                hlc=server_stamp(header["clocks"] if header else {}),
                device=SERVER_DEVICE,
            )
            log.append(change, [])
            log.flush()
            self._log_access(conn, caller, visit.id, decision)
            visit = conn.execute(select(db.visits).where(db.visits.c.id == visit.id)).one()
            return self._summary(conn, visit)

    # ------------------------------------------------------------ assignments

    def assign(self, request: AssignmentCreate) -> Assignment:
        """A planned visit owned by the assessor, plus read grants on earlier visits
        to the same school; the assessor's next pull brings all of them down."""
        with self._tx(write=True) as conn:
            head = self._lock_log(conn)
            user = self._user(conn, request.user)
            if user is None:
                raise NotFound(f"no user '{request.user}'")
            if user.role != "assessor":
                raise Invalid(f"'{request.user}' is a {user.role}, not an assessor")
            log = _Log(conn, head, user.id)
            visit_id = _uuid7()
            change = WireChange(
                id=_uuid7(),
                visit_id=visit_id,
                record_id=visit_id,
                type="visit",
                fields={
                    "framework_id": request.framework_id,
                    "framework_version": request.framework_version,
                    "visit_type": request.visit_type,
                    "school_name": request.school,
                    "school_urn": request.urn,
                    "school_la": "",
                    "school_address": "",
                    "assessor": request.user,
                    "scheduled": request.date,
                    "started_at": None,
                    "ended_at": None,
                    "planned_minutes": 180,
                    "status": "planned",
                    "summary": "",
                },
                hlc=server_stamp({}),
                device=SERVER_DEVICE,
            )
            log.new_visit(change, user.id)
            log.append(change, [])
            log.flush()
            copies: list[str] = []
            if request.urn:
                earlier = conn.execute(
                    select(db.visits.c.id).where(
                        db.visits.c.urn == request.urn,
                        db.visits.c.id != visit_id,
                        db.visits.c.owner_id != user.id,
                        db.visits.c.id.not_in(
                            select(db.grants.c.visit_id).where(db.grants.c.user_id == user.id)
                        ),
                    )
                ).scalars().all()
                for vid in earlier:
                    conn.execute(
                        insert(db.grants).values(
                            visit_id=vid, user_id=user.id, mode="read", seq=log.head
                        )
                    )
                    copies.append(vid)
            return Assignment(visit_id=visit_id, user=request.user, copies=copies)

    def stats(self) -> dict[str, int]:
        with self._tx() as conn:
            return {
                "changes": conn.execute(select(func.count()).select_from(db.changes)).scalar_one(),
                "records": conn.execute(select(func.count()).select_from(db.records)).scalar_one(),
                "visits": conn.execute(select(func.count()).select_from(db.visits)).scalar_one(),
            }


class _Log:
    """One transaction's view of the log: prefetches, then writes in bulk on flush.

    A push calls `prefetch` once, so checking a batch costs one query per table
    (known change ids, visits, records, grants), not several per change; rows not
    prefetched (a review's or an assignment's single record) are read on demand.
    """

    def __init__(self, conn: Connection, head: int, user_id: int) -> None:
        self.conn, self.head, self.user_id = conn, head, user_id
        self._visits: dict[str, dict[str, Any] | None] = {}
        self._records: dict[str, dict[str, Any] | None] = {}
        self._new_records: set[str] = set()
        self._dirty_records: set[str] = set()
        self._new_visits: set[str] = set()
        self._dirty_visits: set[str] = set()
        self._changes: list[dict[str, Any]] = []
        self._known: dict[str, str] = {}
        self._checked: set[str] = set()
        self.grants: dict[str, str] = {}

    def prefetch(self, changes: Sequence[WireChange], caller: Caller) -> None:
        """Everything a batch's checks read, in one query per table (per chunk)."""
        conn = self.conn
        ids = {c.id for c in changes}
        for chunk in _chunks(ids):
            rows = conn.execute(
                select(db.changes.c.id, db.changes.c.body).where(db.changes.c.id.in_(chunk))
            )
            self._known.update({cid: body for cid, body in rows})
        self._checked |= ids
        visit_ids = {c.visit_id for c in changes}
        self._visits.update(dict.fromkeys(visit_ids))
        for chunk in _chunks(visit_ids):
            for row in conn.execute(select(db.visits).where(db.visits.c.id.in_(chunk))):
                self._visits[row.id] = dict(row._mapping)
        record_ids = {c.record_id for c in changes}
        self._records.update(dict.fromkeys(record_ids))
        for chunk in _chunks(record_ids):
            for row in conn.execute(select(db.records).where(db.records.c.id.in_(chunk))):
                self._records[row.id] = _record(row)
        self.grants = Service._grants(conn, caller, visit_ids)

    def known_change(self, change_id: str) -> str | None:
        """The stored body (JSON) of a change already in the log, or None."""
        if change_id not in self._known and change_id not in self._checked:
            body = self.conn.execute(
                select(db.changes.c.body).where(db.changes.c.id == change_id)
            ).scalar()
            if body is not None:
                self._known[change_id] = body
            self._checked.add(change_id)
        return self._known.get(change_id)

    def visit(self, visit_id: str) -> dict[str, Any] | None:
        if visit_id not in self._visits:
            row = self.conn.execute(select(db.visits).where(db.visits.c.id == visit_id)).first()
            self._visits[visit_id] = dict(row._mapping) if row else None
        return self._visits[visit_id]

    def record(self, record_id: str) -> dict[str, Any] | None:
        if record_id not in self._records:
            row = self.conn.execute(select(db.records).where(db.records.c.id == record_id)).first()
            self._records[record_id] = None if row is None else _record(row)
        return self._records[record_id]

    def new_visit(self, change: WireChange, owner_id: int) -> dict[str, Any]:
        visit = {
            "id": change.visit_id,
            "owner_id": owner_id,
            "status": "planned",
            "school": "",
            "urn": "",
            "framework_id": _column(change.fields.get("framework_id", ""), 100),
            "updated": change.hlc,
        }
        self._visits[change.visit_id] = visit
        self._new_visits.add(change.visit_id)
        return visit

    def append(
        self, change: WireChange, conflicts: list[FieldConflict], text: str | None = None
    ) -> None:
        """Merge ``change`` into its record and log it (``text``: the change as JSON,
        when the caller has it already)."""
        record = self.record(change.record_id)
        if record is None:
            record = {
                "id": change.record_id,
                "visit_id": change.visit_id,
                "type": change.type,
                "data": {},
                "clocks": {},
                "created": change.hlc,
                "updated": change.hlc,
                "device": change.device,
                "deleted": False,
            }
            self._new_records.add(change.record_id)
        data, clocks, deleted = merge(record["data"], record["clocks"], record["deleted"], change)
        record.update(
            data=data,
            clocks=clocks,
            deleted=deleted,
            updated=max(record["updated"], change.hlc),
            created=min(record["created"], change.hlc),
        )
        self._records[change.record_id] = record
        self._dirty_records.add(change.record_id)
        if text is None:
            text = change.model_dump_json()
        self.head += 1
        self._changes.append(
            {
                "seq": self.head,
                "id": change.id,
                "visit_id": change.visit_id,
                "record_id": change.record_id,
                "body": text,
                "conflicts": json.dumps([c.model_dump(mode="json") for c in conflicts])
                if conflicts
                else "[]",
                "user_id": self.user_id,
            }
        )
        self._known[change.id] = text
        visit = self.visit(change.visit_id)
        assert visit is not None
        if change.type == "visit":
            visit["status"] = _column(data.get("status") or "planned", 20)
            visit["school"] = _column(data.get("school_name") or "", 200)
            visit["urn"] = _column(data.get("school_urn") or "", 200)
        visit["updated"] = max(visit["updated"], change.hlc)
        self._dirty_visits.add(change.visit_id)

    def flush(self) -> None:
        """Write what the transaction changed: one executemany per table and kind."""
        conn = self.conn
        new_visits = []
        for vid in sorted(self._new_visits):
            visit = self._visits[vid]
            assert visit is not None  # new_visit stored it
            new_visits.append(visit)
        if new_visits:
            conn.execute(insert(db.visits), new_visits)
        updated_visits = []
        for vid in sorted(self._dirty_visits - self._new_visits):
            v = self._visits[vid]
            assert v is not None
            updated_visits.append(
                {"b_id": vid, "status": v["status"], "school": v["school"], "urn": v["urn"],
                 "updated": v["updated"]}
            )
        if updated_visits:
            conn.execute(
                update(db.visits).where(db.visits.c.id == bindparam("b_id")), updated_visits
            )

        def row(rec: dict[str, Any] | None) -> dict[str, Any]:
            assert rec is not None
            return {**rec, "data": _json(rec["data"]), "clocks": _json(rec["clocks"])}

        new_records = [row(self._records[r]) for r in sorted(self._new_records)]
        if new_records:
            conn.execute(insert(db.records), new_records)
        updated_records = []
        for rid in sorted(self._dirty_records - self._new_records):
            rec = row(self._records[rid])
            rec["b_id"] = rec.pop("id")
            updated_records.append(rec)
        if updated_records:
            conn.execute(
                update(db.records).where(db.records.c.id == bindparam("b_id")), updated_records
            )
        if self._changes:
            conn.execute(insert(db.changes), self._changes)
        Service._set_head(conn, self.head)
        self._new_visits.clear()
        self._dirty_visits.clear()
        self._new_records.clear()
        self._dirty_records.clear()
        self._changes.clear()


def _batch_hash(texts: list[str], resync: bool) -> str:
    """What a retry with the same idempotency key must match: the changes as serialised
    (one per line; JSON text has no raw newlines) and the resync flag."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\n")
    digest.update(b"resync" if resync else b"push")
    return digest.hexdigest()


def _canonical_hash(request: PushRequest) -> str:
    """The batch hash independent of key order in ``fields``, as servers before the
    serialised form stored it: a retry whose JSON differs only in order still matches."""
    bodies = [c.model_dump(mode="json") for c in request.changes]
    return sha256(canonical({"changes": bodies, "resync": request.resync}))


def _column(value: Any, limit: int) -> str:
    """A field value copied into a column of its own (the visits list's school, URN,
    ...): the change itself keeps it exactly, as JSON; the column drops NUL characters,
    which PostgreSQL's text cannot hold, so such a value is applied, not a 5xx."""
    return str(value).replace("\x00", "")[:limit]


def _json(value: Any) -> str:
    """Compact JSON by pydantic's encoder (same values as ``json.dumps``) in a third of
    the time, which counts when a batch writes thousands of records."""
    return to_json(value).decode()


def _record(row: Any) -> dict[str, Any]:
    rec = dict(row._mapping)
    rec["data"], rec["clocks"] = json.loads(rec["data"]), json.loads(rec["clocks"])
    return rec


def _pulled_json(body: str, seq: int, conflicts: str) -> str:
    """A stored change body (a JSON object) with ``seq`` and ``conflicts`` added: a
    `PulledChange` as JSON. Both stored texts are JSON the server itself wrote."""
    if not (body.startswith("{") and body.endswith("}")):
        raise ValueError("a stored change body is not a JSON object")
    return f'{body[:-1]},"seq":{int(seq)},"conflicts":{conflicts}}}'


def _page_json(
    changes: list[str], cursor: str, *, more: bool, reset: bool, visits: list[VisitInfo]
) -> str:
    rest = json.dumps(
        {
            "cursor": cursor,
            "more": more,
            "reset": reset,
            "visits": [v.model_dump() for v in visits],
        },
        ensure_ascii=False,
    )
    return '{"changes":[' + ",".join(changes) + "]," + rest[1:]


def _chunks(values: Iterable[str], size: int = 500) -> Iterator[list[str]]:
    """Values in chunks small enough for any database's limit on bound parameters."""
    items = list(values)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def make_cursor(epoch: str, seq: int) -> str:
    return f"c1.{epoch}.{seq}"


def parse_cursor(cursor: str) -> tuple[str, int] | None:
    match = re.fullmatch(r"c1\.([0-9a-f]{1,64})\.([0-9]{1,18})", cursor)
    return (match.group(1), int(match.group(2))) if match else None


def _uuid7() -> str:
    from uuid6 import uuid7

    return str(uuid7())


