"""The HTTP client: timeouts, bounded retries, TLS with an optional pinned CA.

Errors a user may see, all `SyncError` (a family of `AssessorError`)::

    SyncError
     ├── InsecureURL      plain http to a host that is not this machine
     ├── Unreachable      no answer within the time budget (nothing was lost)
     └── ServerRefused    a 4xx with the server's reason
          └── AuthFailed  401: not logged in, token unknown or revoked

Pushes are safe to retry (the batch's idempotency key), pulls are reads, so
both retry on network errors, 5xx and 429; a login uses up its one-time code,
so it retries only when the request never reached the server.
"""

from __future__ import annotations

import ipaddress
import os
import random
import ssl
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar, overload
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel

from assessor_tui.errors import AssessorError
from assessor_tui.sync.protocol import (
    API_PREFIX,
    DEFAULT_PAGE,
    LoginRequest,
    LoginResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    ReviewDecision,
    VisitDetail,
    VisitSummary,
    WhoAmI,
)

BUDGET_ENV = "ASSESSOR_SYNC_BUDGET"
DEFAULT_BUDGET = 120.0
"""Seconds a sync keeps retrying before it gives up and says so."""
LOGIN_BUDGET = 15.0
"""Seconds a login keeps retrying: someone is waiting at the prompt, and a server that
cannot be reached is more likely a wrong URL than a passing fault."""

M = TypeVar("M", bound=BaseModel)


class SyncError(AssessorError):
    """A sync failure told in one line; local data is untouched."""


class InsecureURL(SyncError):
    pass


class Unreachable(SyncError):
    pass


class ServerRefused(SyncError):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"the server refused: {message} (HTTP {status})")
        self.status, self.code, self.reason = status, code, message


class AuthFailed(ServerRefused):
    pass


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    """The server's base URL, refusing plain http except to this machine."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InsecureURL(f"'{url}' is not an http(s) URL")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise InsecureURL(
            f"refusing plain http to {parts.hostname}: use https (tokens and visit records "
            "would cross the network unencrypted)"
        )
    return url.rstrip("/")


def ssl_context(ca_pem: str | None) -> ssl.SSLContext:
    """System trust, or only the organisation's CA when one is pinned."""
    if ca_pem:
        try:
            return ssl.create_default_context(cadata=ca_pem)
        except ssl.SSLError as exc:
            raise SyncError(f"the pinned CA certificate is not valid PEM: {exc}") from None
    return ssl.create_default_context()


class SyncClient:
    """One server's API. ``http`` is injectable, so tests can pass any transport."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        ca_pem: str | None = None,
        http: httpx.Client | None = None,
        budget: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = check_url(url)
        self.token = token
        self.budget = budget if budget is not None else float(
            os.environ.get(BUDGET_ENV) or DEFAULT_BUDGET
        )
        self.sleep = sleep
        self.http = http or httpx.Client(
            base_url=self.url,
            verify=ssl_context(ca_pem),
            timeout=httpx.Timeout(30.0, connect=5.0),
            headers={"User-Agent": "assessor-tui"},
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ requests

    @overload
    def _send(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        json: Any = None,
        content: bytes | None = None,
        params: dict[str, Any] | None = None,
        retry_sent: bool = True,
    ) -> M: ...

    @overload
    def _send(
        self,
        method: str,
        path: str,
        model: None,
        *,
        json: Any = None,
        content: bytes | None = None,
        params: dict[str, Any] | None = None,
        retry_sent: bool = True,
    ) -> Any: ...

    def _send(
        self,
        method: str,
        path: str,
        model: type[M] | None,
        *,
        json: Any = None,
        content: bytes | None = None,
        params: dict[str, Any] | None = None,
        retry_sent: bool = True,
    ) -> Any:
        """One request, retried on network errors, 5xx and 429 until the budget is
        spent. ``retry_sent=False`` (a login, which uses up its code) retries only what
        never reached the server, for at most `LOGIN_BUDGET`, and reports a 429 at once."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if content is not None:
            headers["Content-Type"] = "application/json"
        budget = self.budget if retry_sent else min(self.budget, LOGIN_BUDGET)
        deadline = time.monotonic() + budget
        attempt, last = 0, ""
        while True:
            attempt += 1
            wait: float | None = None
            try:
                response = self.http.request(
                    method, f"{API_PREFIX}{path}", json=json, content=content, params=params,
                    headers=headers,
                )
            except httpx.ConnectError as exc:
                last = _tls_message(exc) or f"cannot connect to {self.url}"
                if "certificate" in last:
                    raise SyncError(last) from None
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                if not retry_sent:
                    raise Unreachable(
                        f"lost the connection to {self.url} during login ({last}); "
                        "ask for a new enrolment code if this one no longer works"
                    ) from None
            else:
                if response.status_code < 400:
                    # Straight from the bytes: pydantic parses and checks in one pass.
                    return model.model_validate_json(response.content) if model else (
                        response.json()
                    )
                if response.status_code >= 500 or (response.status_code == 429 and retry_sent):
                    last = f"HTTP {response.status_code} from the server"
                    wait = _retry_after(response)
                else:
                    raise _refusal(response)
            remaining = deadline - time.monotonic()
            backoff = min(10.0, 0.25 * 2 ** min(attempt, 8)) * (0.5 + random.random() / 2)
            delay = wait if wait is not None else backoff
            if remaining <= 0 or delay > remaining:
                if not retry_sent:
                    raise Unreachable(
                        f"{last}; check the URL and that the server is running, then log "
                        "in again"
                    )
                waited = budget - max(0.0, remaining)
                raise Unreachable(
                    f"gave up after {waited:.0f} s: {last}"
                    + (f" (the server asked to wait {wait:.0f} s more)" if wait else "")
                    + ". Nothing was lost; run `assessor sync` again to resume"
                )
            self.sleep(delay)

    # ------------------------------------------------------------ the API

    def login(self, user: str, code: str, device_name: str = "") -> LoginResponse:
        body = LoginRequest(user=user, code=code, device_name=device_name[:200])
        result: LoginResponse = self._send(
            "POST", "/auth/login", LoginResponse, json=body.model_dump(), retry_sent=False
        )
        self.token = result.token
        return result

    def me(self) -> WhoAmI:
        return self._send("GET", "/auth/me", WhoAmI)

    def push(self, request: PushRequest) -> PushResponse:
        body = request.model_dump_json().encode()
        return self._send("POST", "/sync/push", PushResponse, content=body)

    def pull(self, cursor: str | None, limit: int = DEFAULT_PAGE) -> PullResponse:
        return self._send(
            "GET", "/sync/pull", PullResponse, params={"cursor": cursor or "", "limit": limit}
        )

    def visit(self, visit_id: str) -> VisitDetail:
        return self._send("GET", f"/visits/{visit_id}", VisitDetail)

    def review_list(self) -> list[VisitSummary]:
        return [VisitSummary.model_validate(v) for v in self._send("GET", "/review", None)]

    def review(self, visit_id: str, decision: str, comment: str = "") -> VisitSummary:
        action = {"returned": "return", "accepted": "accept"}[decision]
        return self._send(
            "POST",
            f"/review/{visit_id}/{action}",
            VisitSummary,
            json=ReviewDecision(comment=comment).model_dump(),
        )


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asks to wait: a number, or an HTTP date (RFC 9110)."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _refusal(response: httpx.Response) -> ServerRefused:
    code, message = "http", response.reason_phrase or "refused"
    try:
        error = response.json()["error"]
        code, message = str(error["code"]), str(error["message"])
    except (ValueError, KeyError, TypeError):
        pass
    cls = AuthFailed if response.status_code == 401 else ServerRefused
    return cls(response.status_code, code, message)


def _tls_message(exc: httpx.ConnectError) -> str | None:
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate" in text.lower():
        detail = "host name mismatch" if "match" in text.lower() else "unknown or untrusted CA"
        return (
            f"the server's TLS certificate was refused ({detail}); check the URL, or pin "
            "the organisation's CA with `assessor login --ca-file`"
        )
    return None
