"""The relay's HTTP face: routes, hardening middleware, JSON errors (docs/relay-api.md).

`POST /v1/events` is public (the shop's pages call it), so it is the hardened one: explicit
CORS allow-list, trusted Host header, body cap (413), per-IP rate limit (429), JSON or
`text/plain` only (415, `sendBeacon` sends text/plain). `POST /v1/diagnostics` (broken tag
rules reported by the same pages) gets the same guards. Every error is a JSON object
`{"error": {"code", "message", "field"}}`; the relay's state lives behind `RelayCore`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from desktop_app.capi.graph_api import MAX_EVENTS_PER_REQUEST
from desktop_app.capi.server_event import EventShapeError
from desktop_app.services.diagnostics_log import (
    MAX_BODY_BYTES as MAX_DIAGNOSTIC_BYTES,
)
from desktop_app.services.diagnostics_log import (
    DiagnosticShapeError,
    DiagnosticsLog,
    RuleDiagnostic,
    parse_report,
)
from desktop_app.services.logs import redact
from desktop_app.services.relay_post import (
    GuardedPost,
    RateLimiter,
    RelayCORSMiddleware,
    error,
    is_loopback,
)

logger = logging.getLogger(__name__)

__all__ = ["HttpSettings", "RelayCore", "StorageUnavailable", "build_app", "error"]


class StorageUnavailable(RuntimeError):
    """The outbox could not commit: the events are NOT accepted (503, the page may retry)."""


class RelayCore(Protocol):
    async def ingest(
        self, mirrors: Sequence[Any], *, client_ip: str | None, user_agent: str | None
    ) -> dict[str, Any]: ...

    def health(self) -> dict[str, Any]: ...

    def deliveries(self, since: float | None = None, limit: int = 200) -> list[dict[str, Any]]: ...

    @property
    def rule_log(self) -> DiagnosticsLog: ...

    def record_diagnostic(self, item: RuleDiagnostic) -> None: ...


@dataclass(slots=True)
class HttpSettings:
    allowed_hosts: list[str] = field(default_factory=lambda: ["127.0.0.1", "localhost", "::1"])
    allowed_origins: list[str] = field(default_factory=list)
    max_body_bytes: int = 256 * 1024
    rate_limit_per_s: float = 20.0  # sustained, per client IP
    rate_limit_burst: int = 200
    rate_limit_loopback: bool = False  # loopback clients are exempt unless this is True
    deliveries_public: bool = False  # GET /v1/deliveries from loopback only unless True


def _events_of(data: Any) -> list[Any]:
    if isinstance(data, dict) and "events" in data:
        events = data["events"]
        if not isinstance(events, list):
            raise EventShapeError("events", "must be a list of event objects")
        if not 1 <= len(events) <= MAX_EVENTS_PER_REQUEST:
            raise EventShapeError("events", f"must hold 1–{MAX_EVENTS_PER_REQUEST} events")
        return events
    if isinstance(data, dict):
        return [data]
    raise EventShapeError("body", 'must be an event object or {"events": [...]}')


def build_app(core: RelayCore, settings: HttpSettings) -> Starlette:
    async def accept_events(
        data: Any, client_ip: str | None, user_agent: str | None
    ) -> Response | tuple[int, Any]:
        try:
            events = _events_of(data)
            result = await core.ingest(events, client_ip=client_ip, user_agent=user_agent)
        except EventShapeError as exc:
            return error(422, "invalid_event", exc.message, exc.field)
        except StorageUnavailable as exc:
            return error(503, "storage_unavailable", str(exc))
        return 202, result

    async def accept_diagnostic(
        data: Any, client_ip: str | None, user_agent: str | None
    ) -> Response | tuple[int, Any]:
        try:
            item = parse_report(data, user_agent=user_agent)
        except DiagnosticShapeError as exc:
            return error(422, "invalid_diagnostic", exc.message, exc.field)
        core.record_diagnostic(item)
        return 202, {"accepted": 1}

    post_events = GuardedPost(
        accept_events,
        limiter=RateLimiter(settings.rate_limit_per_s, settings.rate_limit_burst),
        cap=settings.max_body_bytes,
        limit_loopback=settings.rate_limit_loopback,
    )
    # Own bucket: a page looping on a broken rule must not use up its visitors' event budget.
    post_diagnostics = GuardedPost(
        accept_diagnostic,
        limiter=RateLimiter(settings.rate_limit_per_s, settings.rate_limit_burst),
        cap=min(settings.max_body_bytes, MAX_DIAGNOSTIC_BYTES),
        limit_loopback=settings.rate_limit_loopback,
    )

    async def get_diagnostics(request: Request) -> Response:
        if not _private_ok(request):
            return error(403, "forbidden", "diagnostics are served to loopback clients only")
        try:
            limit = int(request.query_params.get("limit") or 200)
        except ValueError:
            return error(422, "invalid_query", "limit must be an integer", "limit")
        if not 1 <= limit <= 1000:
            return error(422, "invalid_query", "limit must be 1–1000", "limit")
        log = core.rule_log
        return JSONResponse(
            {
                "count": log.total,
                "rules": log.summary(),
                "diagnostics": [d.to_json() for d in log.items(limit)],
            }
        )

    def _private_ok(request: Request) -> bool:
        client_ip = request.client.host if request.client else None
        return settings.deliveries_public or is_loopback(client_ip)

    async def healthz(request: Request) -> Response:
        return JSONResponse(core.health())

    async def get_deliveries(request: Request) -> Response:
        if not _private_ok(request):
            return error(403, "forbidden", "deliveries are served to loopback clients only")
        try:
            since_text = request.query_params.get("since")
            since = float(since_text) if since_text else None
            limit = int(request.query_params.get("limit") or 200)
        except ValueError:
            return error(422, "invalid_query", "since must be a number, limit an integer")
        if not 1 <= limit <= 1000:
            return error(422, "invalid_query", "limit must be 1–1000", "limit")
        return JSONResponse({"deliveries": core.deliveries(since=since, limit=limit)})

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return error(exc.status_code, "http_error", str(exc.detail))

    async def server_error(request: Request, exc: Exception) -> Response:
        logger.error("relay request failed: %s", redact(repr(exc)))
        return error(500, "internal_error", "the relay failed to handle this request")

    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts),
        Middleware(
            RelayCORSMiddleware,
            allow_origins=settings.allowed_origins,  # explicit list, never "*"
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Content-Type"],
            # A public page calling a relay on 127.0.0.1 asks Chrome's Private Network Access
            # preflight; the allow-listed origin gets the answer it needs
            # (https://developer.chrome.com/blog/private-network-access-preflight).
            allow_private_network=True,
            max_age=600,
        ),
    ]
    return Starlette(
        routes=[
            Route("/v1/events", post_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/v1/deliveries", get_deliveries, methods=["GET"]),
            Route("/v1/diagnostics", post_diagnostics, methods=["POST"]),
            Route("/v1/diagnostics", get_diagnostics, methods=["GET"]),
        ],
        middleware=middleware,
        exception_handlers={HTTPException: http_error, Exception: server_error},
    )
