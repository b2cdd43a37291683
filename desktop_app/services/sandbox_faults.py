"""The sandbox's outermost ASGI layer: scripted faults and the request log.

It wraps the Starlette app directly (not as Starlette middleware) because dropping a
connection needs uvicorn's own `send`, whose owner holds the transport; Starlette's error
middleware would wrap it. Only Graph paths (not `/_sandbox/...`) take faults and are logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

from desktop_app.services.sandbox_request import error_envelope
from desktop_app.services.sandbox_store import Fault, SandboxStore

logger = logging.getLogger(__name__)

Scope = dict[str, Any]
Receive = Any
Send = Any

CONTROL_PREFIX = "/_sandbox"


class FaultInjector:
    def __init__(self, app: Any, store: SandboxStore) -> None:
        self._app = app
        self._store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self._app(scope, receive, send)
            return
        started = time.time()
        status_seen: list[int] = []

        async def logging_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status_seen.append(int(message["status"]))
            await send(message)

        fault = self._store.next_fault()
        try:
            if fault is not None:
                logger.info("sandbox fault for %s %s: %s", scope["method"], scope["path"], fault)
                if fault.hang_s > 0:
                    # Meta has the request before it is slow to answer: take the body first,
                    # so a client that gives up still gets its events accepted (as at Meta).
                    receive = await _buffered(receive)
                    await self._hang(fault.hang_s)
                if fault.close:
                    await _drop_connection(receive, send)
                    return
                if fault.answers:
                    await _answer(logging_send, fault)
                    return
            if self._store.latency_s > 0:
                # Meta's own answer time (most under 600 ms, CAPI support page), when asked for.
                receive = await _buffered(receive)
                await self._hang(self._store.latency_s)
            await self._app(scope, receive, logging_send)
        finally:
            # The path only: the query string may carry the access token.
            self._store.log_request(
                {
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status_seen[0] if status_seen else None,
                    "fault": fault.to_json() if fault is not None else None,
                    "at": started,
                }
            )

    async def _hang(self, seconds: float) -> None:
        # Ends early when the sandbox stops, so a scripted hang never delays shutdown.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._store.closing.wait(), seconds)


async def _buffered(receive: Receive) -> Receive:
    """Read the whole request body now; return a `receive` that replays it."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        body.extend(message.get("body", b""))
        if not message.get("more_body", False):
            break
    replayed = False

    async def replay() -> dict[str, Any]:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}
        return {"type": "http.disconnect"}

    return replay


async def _answer(send: Send, fault: Fault) -> None:
    if fault.body is not None:
        status, body = fault.status or 200, fault.body
    elif fault.error is not None:
        error = dict(fault.error)
        code = int(error.pop("code"))
        status, body = error_envelope(
            code,
            message=error.pop("message", None),
            subcode=error.pop("error_subcode", None),
            **error,
        )
        status = fault.status or status
    else:
        # A bare status: a 5xx answers like Graph's "temporarily unavailable".
        assert fault.status is not None
        status = fault.status
        _, body = error_envelope(2 if status >= 500 else 1)
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=UTF-8"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def _drop_connection(receive: Receive, send: Send) -> None:
    """Close the TCP connection without a byte of answer, as a crashed server would."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        # Not under uvicorn's h11/httptools protocol: the closest we can do is an exception,
        # which the server turns into a closed connection or a 500.
        raise ConnectionAbortedError("sandbox fault: close")
    transport.close()
    # Let the server notice the disconnect so it does not try to answer a 500 itself.
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(2.0):
            while (await receive())["type"] != "http.disconnect":
                pass
