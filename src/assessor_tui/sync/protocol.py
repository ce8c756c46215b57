"""The sync protocol: request and response types, limits, and the merge rules.

Both sides import this module and nothing else of each other. The same
pydantic types validate requests on the server and generate its OpenAPI
document, so the published schema cannot drift from what is accepted.

The merge rules live here too because the server and every client must
agree on them exactly: a field takes the value with the newer stamp (so all
copies converge whatever order changes arrive in), and a change whose
``base`` no longer matches the current value, with a different new value, is
a conflict that is reported and kept, never dropped.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, FiniteFloat, StringConstraints

API_PREFIX = "/api/v1"
PROTOCOL_VERSION = 1

# ---------------------------------------------------------------- limits

MAX_BATCH_CHANGES = 2000
"""Changes in one push; the client splits larger outboxes. A batch is one transaction
holding the log lock, checked with one query per table, so 2,000 still take only tens
of milliseconds; each batch costs the client a durable write per visit it touches."""
MAX_BATCH_BYTES = 4 * 1024 * 1024
"""A push body the client builds stays under this; the server's body limit is above it."""
MAX_BODY_BYTES = MAX_BATCH_BYTES + 256 * 1024
MAX_TEXT = 100_000
"""Characters in one text value (the editor's own limit)."""
MAX_FIELDS = 300
MAX_NAME = 200
MAX_JSON_DEPTH = 32
"""Nesting a request body may have before any parsing: deeper bodies get 422."""
MAX_PAGE = 5000
"""Changes in one pull page at most; a page also stops at ``MAX_PAGE_BYTES``."""
DEFAULT_PAGE = 500
"""A page when the client asks for no size (older clients)."""
PULL_PAGE = 5000
"""What this client asks for: fewer round trips, and each visit file written once per
page rather than once per 500 changes."""
MAX_PAGE_BYTES = 4 * 1024 * 1024
"""Stored change bodies in one page at most (at least one change is always sent)."""

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
HLC_PATTERN = r"^[0-9]{13}-[0-9]{4}-[A-Za-z0-9_]{1,32}$"
DEVICE_PATTERN = r"^[A-Za-z0-9_]{1,32}$"

Uuid = Annotated[str, StringConstraints(pattern=UUID_PATTERN, to_lower=True)]
Stamp = Annotated[str, StringConstraints(pattern=HLC_PATTERN)]
DeviceName = Annotated[str, StringConstraints(pattern=DEVICE_PATTERN)]
NO_NUL = r"^[^\x00]*$"
"""Names and other values the server keeps in columns of their own: PostgreSQL's text
cannot hold a NUL character, so one is refused (422) instead of failing the request."""
Name = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME, pattern=NO_NUL)]
ShortText = Annotated[str, StringConstraints(max_length=MAX_NAME, pattern=NO_NUL)]
Comment = Annotated[str, StringConstraints(max_length=MAX_TEXT)]

RecordType = Literal[
    "visit",
    "judgement",
    "answer",
    "ticks",
    "note",
    "evidence",
    "action",
    "row",
    "entry",
    "recommendation",
]
Role = Literal["assessor", "moderator", "admin"]
Status = Literal["applied", "duplicate", "conflict", "rejected"]
Access = Literal["owner", "assigned", "read"]

DELETED = "__deleted__"
"""The clock key of a record's tombstone (as in the store's records)."""
APPEND_ONLY: frozenset[str] = frozenset({"note"})
"""Record types whose edits never conflict: notes are appended, not negotiated."""
FROZEN = ("submitted", "accepted")
ASSESSOR_MOVES = {
    "planned": {"in_progress"},
    "in_progress": {"submitted"},
    "returned": {"in_progress", "submitted"},
}
"""Status moves an assessor may push; returning and accepting are the moderator's."""
MODERATOR_MOVES = {"submitted": {"returned", "accepted"}}
MODERATOR_FIELDS = frozenset({"moderator_comment"})


FieldName = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME)]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
Scalar = Text | bool | int | FiniteFloat | None
"""NaN and infinities are refused: JSON cannot carry them, and the store refuses them."""
Inner = Scalar | list[Scalar] | dict[FieldName, Scalar]
Value = Scalar | list[Inner] | dict[FieldName, Inner]
"""A field's value: small JSON, at most two containers deep, every text bounded."""
FieldValues = Annotated[dict[FieldName, Value], Field(max_length=MAX_FIELDS)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


# ---------------------------------------------------------------- errors


class ErrorInfo(Model):
    code: str
    message: str


class ErrorBody(Model):
    """Every refusal: a 4xx status and this body, so a client can always say why."""

    error: ErrorInfo


# ---------------------------------------------------------------- changes and records


class WireChange(Model):
    """One edit as the store logged it (`assessor_tui.domain.records.Change`)."""

    id: Uuid
    visit_id: Uuid
    record_id: Uuid
    type: RecordType
    op: Literal["put", "delete"] = "put"
    fields: FieldValues = Field(default_factory=dict)
    base: FieldValues = Field(default_factory=dict)
    hlc: Stamp
    device: DeviceName


class FieldConflict(Model):
    """Two concurrent edits of one field: both values are kept for the assessor."""

    field: str
    base: Any = None
    yours: Any = None
    theirs: Any = None
    yours_hlc: str = ""
    theirs_hlc: str = ""


class PulledChange(WireChange):
    seq: int
    conflicts: list[FieldConflict] = Field(default_factory=list)


class WireRecord(Model):
    id: str
    type: RecordType
    visit_id: str
    data: dict[str, Any]
    clocks: dict[str, str]
    created: str
    updated: str
    device: str
    deleted: bool = False


# ---------------------------------------------------------------- push and pull


class PushRequest(Model):
    """One batch, applied in one transaction. Retrying it with the same key answers
    exactly as the first time; the same key with another body is refused (409)."""

    idempotency_key: Annotated[
        str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,100}$")
    ]
    changes: Annotated[list[WireChange], Field(min_length=1, max_length=MAX_BATCH_CHANGES)]
    resync: bool = False
    """A full resync after a server restore: changes merge by stamp, no conflicts."""


class ChangeStatus(Model):
    id: str
    status: Status
    reason: str | None = None
    conflicts: list[FieldConflict] = Field(default_factory=list)


class PushResponse(Model):
    results: list[ChangeStatus]
    cursor_before: str | None = None
    """The pull cursor just before this batch's changes in the log (null: the log was
    empty). The changes it applied, and only they, lie between this and
    ``cursor_after``: a client whose cursor equals ``cursor_before`` already holds
    all of them and may move its cursor to ``cursor_after`` instead of pulling its
    own changes back."""
    cursor_after: str | None = None


class VisitInfo(Model):
    id: str
    access: Access
    status: str


class PullResponse(Model):
    """A page of changes after ``cursor``; ``reset`` says the server was restored
    (or the cursor is from another server) and the client must resync in full."""

    changes: list[PulledChange]
    cursor: str
    more: bool
    reset: bool = False
    visits: list[VisitInfo] = Field(default_factory=list)


# ---------------------------------------------------------------- auth and users


class LoginRequest(Model):
    user: Name
    code: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    device_name: ShortText = ""


class LoginResponse(Model):
    token: str
    user: str
    role: Role
    device_id: str


class WhoAmI(Model):
    user: str
    role: Role
    device_id: str


class UserCreate(Model):
    name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")]
    role: Role


class Enrolment(Model):
    user: str
    role: Role
    code: str


def _calendar_date(value: str) -> str:
    """A date that exists: 2025-02-30 would reach the assessor's laptop and break it."""
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a date in the calendar") from None
    return value


class AssignmentCreate(Model):
    user: Name
    framework_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")]
    framework_version: ShortText = ""
    school: Name
    urn: ShortText = ""
    date: Annotated[
        str,
        StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        AfterValidator(_calendar_date),
    ]
    visit_type: ShortText | None = None


class Assignment(Model):
    visit_id: str
    user: str
    copies: list[str]
    """Earlier visits to the same school (same URN) now readable by the user."""


class DeviceInfo(Model):
    id: str
    user: str
    name: str
    created: str
    revoked: bool


# ---------------------------------------------------------------- review


class VisitSummary(Model):
    id: str
    owner: str
    status: str
    school: str
    urn: str
    framework_id: str
    updated: str


class VisitDetail(Model):
    summary: VisitSummary
    records: list[WireRecord]


class ReviewDecision(Model):
    comment: Comment = ""


class ReviewReturn(Model):
    """Returning a visit needs a comment that says what to change."""

    comment: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT, pattern=r"\S")]


# ---------------------------------------------------------------- merge rules


class Missing:
    """No value at all, told apart from a stored null."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = Missing()


def merge(
    data: dict[str, Any], clocks: dict[str, str], deleted: bool, change: WireChange
) -> tuple[dict[str, Any], dict[str, str], bool]:
    """A record's fields after ``change``: each field keeps the newer stamp's value.

    Identical to the store's `apply_change`, so every copy converges whatever
    order changes arrive in, and applying one twice changes nothing.
    """
    data, clocks = dict(data), dict(clocks)
    for name, value in change.fields.items():
        if clocks.get(name, "") < change.hlc:
            data[name], clocks[name] = value, change.hlc
    if change.op == "delete" and clocks.get(DELETED, "") < change.hlc:
        clocks[DELETED], deleted = change.hlc, True
    return data, clocks, deleted


def conflicts_of(
    record_type: str,
    data: dict[str, Any] | None,
    clocks: dict[str, str] | None,
    change: WireChange,
) -> list[FieldConflict]:
    """The fields ``change`` edited concurrently with what is already there.

    A field conflicts when its current value is neither the change's base (so
    someone else changed it since) nor the change's new value (identical edits
    agree). A change older than the field's current stamp loses the merge, so it
    conflicts whenever its value differs, even if the base matches (a concurrent
    edit that set the same value again, or changed it and back): otherwise it
    would vanish unreported. Notes are append-only and never conflict; a
    brand-new record cannot.
    """
    if record_type in APPEND_ONLY or data is None:
        return []
    clocks = clocks or {}
    found = []
    for name, value in change.fields.items():
        current = data.get(name, MISSING)
        base = change.base.get(name, MISSING)
        loses = clocks.get(name, "") > change.hlc
        if current is MISSING or _same(current, value) or (_same(current, base) and not loses):
            continue
        found.append(
            FieldConflict(
                field=name,
                base=None if base is MISSING else base,
                yours=value,
                theirs=current,
                yours_hlc=change.hlc,
                theirs_hlc=clocks.get(name, ""),
            )
        )
    return found


def _same(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return a is b
    return canonical(a) == canonical(b)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def batch_key(change_ids: list[str]) -> str:
    """The idempotency key of a batch: the same changes always form the same key."""
    return hashlib.sha256("\n".join(change_ids).encode()).hexdigest()[:64]


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether a JSON body nests deeper than ``limit``, checked before parsing it.

    Brackets inside strings do not count, so strings are blanked out first, with
    operations on whole byte strings (a 6 MB push of 10,000 changes is checked in
    about 15 ms, a quarter of a regular expression's time): escaped backslashes go,
    then escaped quotes (JSON pairs backslashes from the left, as ``bytes.replace``
    does), then everything that is neither a quote nor a bracket; what remains of
    each string is ``"..."`` holding only brackets. Invalid JSON may be misjudged
    here; the parser refuses it anyway.
    """
    reduced = body.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_STRUCTURE)
    # Most strings hold no bracket and are now '""'. Removing adjacent quote pairs keeps
    # every bracket on its side: a pair is an empty string, or the end of one string and
    # the start of the next, which only joins two strings into one.
    reduced = reduced.replace(b'""', b"")
    brackets = _STRING.sub(b"", reduced) if b'"' in reduced else reduced
    depth = 0
    for b in brackets:
        if b in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')
_STRING = re.compile(rb'"[^"]*"')
