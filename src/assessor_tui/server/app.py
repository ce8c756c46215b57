"""The HTTP API: thin routes over `Service`, whose queries carry the authorisation.

Every refusal is a 4xx with an `ErrorBody`; bodies are bounded in size and
nesting before anything parses them. The routes are plain functions run in
FastAPI's thread pool, because the data layer is synchronous SQLAlchemy.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assessor_tui.server import db
from assessor_tui.server.service import (
    Caller,
    Forbidden,
    Invalid,
    Service,
    ServiceError,
    Unauthorized,
)
from assessor_tui.sync.protocol import (
    API_PREFIX,
    DEFAULT_PAGE,
    MAX_BODY_BYTES,
    MAX_PAGE,
    NO_NUL,
    Assignment,
    AssignmentCreate,
    DeviceInfo,
    Enrolment,
    ErrorBody,
    LoginRequest,
    LoginResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    ReviewDecision,
    ReviewReturn,
    UserCreate,
    VisitDetail,
    VisitSummary,
    WhoAmI,
    json_depth_exceeds,
)

log = logging.getLogger("assessor_tui.server")
COMMIT_DELAY_ENV = "ASSESSOR_SERVER_TEST_COMMIT_DELAY"
"""Seconds each push waits, all written, before its commit: for tests only. A list
(``0,600``) gives the first pushes in turn; its last figure holds every later one."""
LOGIN_ATTEMPTS = 10
LOGIN_WINDOW = 60.0
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody}
    for code in (400, 401, 403, 404, 405, 409, 413, 415, 422, 429)
}


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Any:
    body = {"error": {"code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


class BodyLimit:
    """Refuse oversized (413) and too deeply nested (422) bodies before parsing."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        try:
            declared = int(length) if length is not None else None
        except ValueError:
            declared = None
        if declared is not None and declared > self.limit:
            await error(413, "too_large", f"request bodies are at most {self.limit} bytes")(
                scope, receive, send
            )
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await error(413, "too_large", f"request bodies are at most {self.limit} bytes")(
                    scope, receive, send
                )
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if json_depth_exceeds(body):
            await error(422, "too_deep", "the request body is nested too deeply")(
                scope, receive, send
            )
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


bearer = HTTPBearer(auto_error=False, description="A device token from /auth/login")


_VisitId = PathParam(
    pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
_Name = PathParam(min_length=1, max_length=100, pattern=NO_NUL)
_DeviceId = PathParam(pattern=r"^[0-9a-f]{1,32}$")



def caller(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """The authenticated device's user; anonymous and bad tokens get 401."""
    if creds is None or not creds.credentials or len(creds.credentials) > 200:
        raise Unauthorized("log in first: `assessor login URL`")
    service: Service = request.app.state.service
    return service.authenticate(creds.credentials)


Auth = Annotated[Caller, Depends(caller)]


def admin(who: Auth) -> Caller:
    if who.role != "admin":
        raise Forbidden("only an admin manages users and assignments")
    return who


Admin = Annotated[Caller, Depends(admin)]


def create_app(service: Service) -> ASGIApp:
    """The API, behind the body limit."""
    app = FastAPI(
        title="assessor sync server",
        version="1",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        responses=ERRORS,
    )
    app.state.service = service

    @app.exception_handler(ServiceError)
    async def _service_error(_: Request, exc: ServiceError) -> Any:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        if isinstance(exc, _TooMany):
            headers = {"Retry-After": str(int(exc.wait) + 1)}
        return error(exc.status, exc.code, exc.message, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> Any:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = f"{where}: {first.get('msg', 'invalid request')}" if where else "invalid request"
        return error(422, "invalid", message[:500])

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> Any:
        return error(exc.status_code, "http", str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _crash(_: Request, exc: Exception) -> Any:  # pragma: no cover - last resort
        log.error("request failed", exc_info=exc)
        return error(500, "internal", "the server failed; the request was not applied")

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post(f"{API_PREFIX}/auth/login", tags=["auth"])
    def login(body: LoginRequest, request: Request) -> LoginResponse:
        host = request.client.host if request.client else "?"
        wait = service.rate_wait((f"ip:{host}", f"user:{body.user}"), LOGIN_ATTEMPTS,
                                 LOGIN_WINDOW)
        if wait:
            raise _TooMany(wait)
        return service.login(body.user, body.code, body.device_name)

    @app.get(f"{API_PREFIX}/auth/me", tags=["auth"])
    def me(who: Auth) -> WhoAmI:
        return service.whoami(who)

    # Push and pull answer with JSON the service built (the stored answer of a batch,
    # a page spliced from stored bodies): re-validating 10,000 changes per request
    # through the response model cost more than the database work.
    @app.post(f"{API_PREFIX}/sync/push", tags=["sync"], response_model=PushResponse)
    def push(body: PushRequest, who: Auth) -> Response:
        return Response(service.push_json(who, body), media_type="application/json")

    @app.get(f"{API_PREFIX}/sync/pull", tags=["sync"], response_model=PullResponse)
    def pull(
        request: Request,
        who: Auth,
        cursor: Annotated[str, Query(max_length=200)] = "",
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    ) -> Response:
        unknown = set(request.query_params) - {"cursor", "limit"}
        if unknown:
            raise Invalid(f"unknown query parameter '{sorted(unknown)[0][:50]}'")
        return Response(service.pull_json(who, cursor or None, limit),
                        media_type="application/json")

    @app.get(f"{API_PREFIX}/visits", tags=["visits"])
    def visits(who: Auth) -> list[VisitSummary]:
        return service.visits(who)

    @app.get(f"{API_PREFIX}/visits/{{visit_id}}", tags=["visits"])
    def visit(who: Auth, visit_id: Annotated[str, _VisitId]) -> VisitDetail:
        return service.visit_detail(who, visit_id.lower())

    @app.get(f"{API_PREFIX}/review", tags=["review"])
    def review_list(who: Auth) -> list[VisitSummary]:
        return service.review_list(who)

    @app.post(f"{API_PREFIX}/review/{{visit_id}}/return", tags=["review"])
    def review_return(
        who: Auth, visit_id: Annotated[str, _VisitId], body: ReviewReturn
    ) -> VisitSummary:
        return service.review(who, visit_id.lower(), "returned", body.comment)

    @app.post(f"{API_PREFIX}/review/{{visit_id}}/accept", tags=["review"])
    def review_accept(
        who: Auth, visit_id: Annotated[str, _VisitId], body: ReviewDecision
    ) -> VisitSummary:
        return service.review(who, visit_id.lower(), "accepted", body.comment)

    @app.post(f"{API_PREFIX}/admin/users", tags=["admin"], status_code=201)
    def add_user(_: Admin, body: UserCreate) -> Enrolment:
        return service.add_user(body.name, body.role)

    @app.post(f"{API_PREFIX}/admin/users/{{name}}/enrol", tags=["admin"], status_code=201)
    def enrol(_: Admin, name: Annotated[str, _Name]) -> Enrolment:
        return service.enrol(name)

    @app.get(f"{API_PREFIX}/admin/devices", tags=["admin"])
    def devices(_: Admin) -> list[DeviceInfo]:
        return service.devices()

    @app.post(f"{API_PREFIX}/admin/devices/{{device_id}}/revoke", tags=["admin"])
    def revoke(_: Admin, device_id: Annotated[str, _DeviceId]) -> dict[str, str]:
        service.revoke_device(device_id)
        return {"revoked": device_id}

    @app.post(f"{API_PREFIX}/admin/assignments", tags=["admin"], status_code=201)
    def assign(_: Admin, body: AssignmentCreate) -> Assignment:
        return service.assign(body)

    return BodyLimit(app)


class _TooMany(ServiceError):
    status, code = 429, "rate_limited"

    def __init__(self, wait: float) -> None:
        super().__init__(f"too many attempts; try again in {int(wait) + 1} s")
        self.wait = wait


def app_from_env() -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The uvicorn factory: each worker process builds its own engine from the URL."""
    url = os.environ.get(db.DB_ENV) or db.default_url()
    service = Service(db.make_engine(url))
    # Crash tests hold each push open before its commit, to kill the server mid-batch.
    *first, later = (float(s) for s in (os.environ.get(COMMIT_DELAY_ENV) or "0").split(","))
    service.commit_delays, service.commit_delay = first, later
    app = create_app(service)
    # Everything loaded so far lives as long as the process: move it out of the cyclic
    # collector's reach, so the collections a large push triggers scan only what the
    # requests allocate (a push of 10,000 changes spent a seventh of its time there).
    gc.freeze()
    return app
