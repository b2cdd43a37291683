"""The relay's public POST endpoints as plain ASGI apps: guards, capped body, JSON in and out.

`POST /v1/events` is the relay's hot path (every event of every visitor). Starlette's
`Request`/`JSONResponse` pair cost about as much per event as parsing the JSON itself, so the
public POSTs read the ASGI scope and messages directly. The guards run in a fixed order, and
each refusal is a JSON error (`docs/relay-api.md`): 429 rate limit, 415 content type,
413 body cap, 400 invalid JSON.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send

from desktop_app.services.logs import redact

logger = logging.getLogger(__name__)

ACCEPTED_TYPES = ("application/json", "text/plain")

# (parsed body, client ip, user agent) → a Response, or (status, JSON content) to send.
Handler = Callable[[Any, str | None, str | None], Awaitable[Response | tuple[int, Any]]]


# What JSONResponse renders, with the encoder made once instead of per response.
_response_json = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode


class RateLimiter:
    """A token bucket per client IP; buckets idle for a minute are forgotten."""

    def __init__(self, per_s: float, burst: int) -> None:
        self.per_s, self.burst = per_s, burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._last_prune = time.monotonic()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        if now - self._last_prune > 60:
            self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 60}
            self._last_prune = now
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.per_s)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1, now)
        return True


@functools.lru_cache(maxsize=1024)
def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def error(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    body = {"error": {"code": code, "message": redact(message), "field": field}}
    headers = {"Retry-After": "1"} if status in (429, 503) else None
    return JSONResponse(body, status_code=status, headers=headers)


class Refused(Exception):
    """A guard said no; `response` is the JSON error to send."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class GuardedPost:
    """An ASGI app: run the guards, parse the JSON body, answer with `handler`'s result."""

    def __init__(
        self,
        handler: Handler,
        *,
        limiter: RateLimiter,
        cap: int,
        limit_loopback: bool,
    ) -> None:
        self._handler = handler
        self._limiter = limiter
        self._cap = cap
        self._limit_loopback = limit_loopback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        client_ip: str | None = client[0] if client else None
        content_type = declared = user_agent = None
        # ASGI servers lower-case header names; the first of repeated headers wins, as in
        # Starlette's `Headers.get`.
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = content_type or value.decode("latin-1")
            elif name == b"content-length":
                declared = declared or value.decode("latin-1")
            elif name == b"user-agent":
                user_agent = user_agent or value.decode("latin-1")
        try:
            data = await self._guarded_json(client_ip, content_type, declared, receive)
        except Refused as refused:
            await refused.response(scope, receive, send)
            return
        except ClientDisconnect:
            return  # nobody is waiting for an answer; nothing was stored
        outcome = await self._handler(data, client_ip, user_agent)
        if isinstance(outcome, Response):
            await outcome(scope, receive, send)
            return
        status, content = outcome
        # The same bytes JSONResponse would render, without building one per event.
        body = _response_json(content).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-length", str(len(body)).encode("latin-1")),
                    (b"content-type", b"application/json"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _guarded_json(
        self,
        client_ip: str | None,
        content_type: str | None,
        declared: str | None,
        receive: Receive,
    ) -> Any:
        exempt = is_loopback(client_ip) and not self._limit_loopback
        if not exempt and not self._limiter.allow(client_ip or "?"):
            raise Refused(
                error(429, "rate_limited", "too many requests from this address; slow down")
            )
        media_type = (content_type or "").split(";")[0].strip().lower()
        if media_type and media_type not in ACCEPTED_TYPES:
            raise Refused(
                error(415, "unsupported_media_type", "send application/json or text/plain", "body")
            )
        body = await _read_capped(receive, declared, self._cap)
        try:
            return json.loads(body.decode("utf-8"))
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            raise Refused(
                error(400, "invalid_json", f"body is not valid JSON: {type(exc).__name__}")
            ) from None


async def _read_capped(receive: Receive, declared: str | None, cap: int) -> bytes:
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise _too_large(cap)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > cap:  # a chunked body declares no length: count what arrives
            raise _too_large(cap)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _too_large(cap: int) -> Refused:
    return Refused(error(413, "body_too_large", f"body larger than {cap} bytes", "body"))


class RelayCORSMiddleware(CORSMiddleware):
    """Starlette's CORS rules, with a cheaper path for the relay's simple requests.

    Preflights (and any configuration with `*` or extra simple headers) go to Starlette's own
    code. A simple request gets what Starlette's would (`Access-Control-Allow-Origin:
    <origin>` for an allowed origin, `Vary: Origin` always), written straight into the raw
    header list instead of through `Headers`/`MutableHeaders` wrappers, which cost about a
    tenth of an event's ingest time. `tests/relay/test_relay_cors.py` compares the two.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.allow_all_origins or self.simple_headers:
            await super().__call__(scope, receive, send)
            return
        origin: str | None = None
        asks_preflight = False
        for name, value in scope["headers"]:
            if name == b"origin" and origin is None:
                origin = value.decode("latin-1")
            elif name == b"access-control-request-method":
                asks_preflight = True
        if origin is not None and asks_preflight and scope["method"] == "OPTIONS":
            await super().__call__(scope, receive, send)
            return
        allowed = (
            origin.encode("latin-1")
            if origin is not None and self.is_allowed_origin(origin=origin)
            else None
        )

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if allowed is not None:
                    _set_header(headers, b"access-control-allow-origin", allowed)
                varies = [value for key, value in headers if key == b"vary"]
                _set_header(headers, b"vary", b", ".join([*varies, b"Origin"]))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _set_header(headers: list[tuple[bytes, bytes]], key: bytes, value: bytes) -> None:
    """`MutableHeaders.__setitem__` on a raw list: the first entry is replaced, later dropped."""
    found = [index for index, (name, _value) in enumerate(headers) if name == key]
    for index in reversed(found[1:]):
        del headers[index]
    if found:
        headers[found[0]] = (key, value)
    else:
        headers.append((key, value))
