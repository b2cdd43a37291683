"""The relay's lean CORS path answers exactly as Starlette's CORSMiddleware does.

Both middlewares wrap the same inner app and receive the same requests; every response
message (status, header list, body) must be identical, for allowed, refused and missing
origins, simple requests and preflights, and an inner response that sets `Vary` itself.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Message, Receive, Scope, Send

from desktop_app.services.relay_post import RelayCORSMiddleware

SITE = "https://shop.example.test"
OPTIONS = {
    "allow_origins": [SITE, "http://127.0.0.1:8123"],
    "allow_methods": ["GET", "POST", "OPTIONS"],
    "allow_headers": ["Content-Type"],
    "allow_private_network": True,
    "max_age": 600,
}


def inner(vary: list[bytes]) -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"2")]
        headers += [(b"vary", value) for value in vary]
        await send({"type": "http.response.start", "status": 202, "headers": headers})
        await send({"type": "http.response.body", "body": b"{}"})

    return app


def scope(method: str, headers: list[tuple[bytes, bytes]]) -> Scope:
    return {
        "type": "http",
        "method": method,
        "path": "/v1/events",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "query_string": b"",
    }


def answer(middleware: Any, request: Scope) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(middleware(dict(request, headers=list(request["headers"])), receive, send))
    return sent


ORIGINS = [None, SITE, "https://evil.example"]
PREFLIGHT = [
    [],
    [(b"access-control-request-method", b"POST")],
    [
        (b"access-control-request-method", b"POST"),
        (b"access-control-request-headers", b"content-type"),
        (b"access-control-request-private-network", b"true"),
    ],
    [(b"access-control-request-method", b"DELETE")],
]


@pytest.mark.parametrize(
    ("method", "origin", "extra", "vary"),
    list(
        itertools.product(
            ["GET", "POST", "OPTIONS"],
            ORIGINS,
            PREFLIGHT,
            [[], [b"Accept-Encoding"], [b"Accept-Encoding", b"Cookie"]],
        )
    ),
)
def test_same_answer_as_starlette(
    method: str, origin: str | None, extra: list[tuple[bytes, bytes]], vary: list[bytes]
) -> None:
    headers = list(extra)
    if origin is not None:
        headers.insert(0, (b"origin", origin.encode()))
    request = scope(method, headers)
    expected = answer(CORSMiddleware(inner(vary), **OPTIONS), request)  # type: ignore[arg-type]
    got = answer(RelayCORSMiddleware(inner(vary), **OPTIONS), request)  # type: ignore[arg-type]
    assert got == expected
