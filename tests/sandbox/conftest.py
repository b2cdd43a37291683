"""Fixtures for the Meta sandbox tests: a real sandbox on a loopback port per test."""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from desktop_app.services.sandbox import MetaSandbox

# A fake token, built so that no token-shaped literal is committed.
TOKEN = "EAA" + "sandboxtesttoken0123456789abcdef"
PIXEL = "1234567890"


EventFactory = Callable[..., dict[str, Any]]


def _make_event(event_id: str = "e1", **overrides: Any) -> dict[str, Any]:
    """A server event Meta accepts (hashed email, UA, fresh time)."""
    event: dict[str, Any] = {
        "event_name": "Purchase",
        "event_time": int(time.time()),
        "event_id": event_id,
        "action_source": "website",
        "event_source_url": "https://shop.example/thanks",
        "user_data": {
            "em": [hashlib.sha256(b"a@example.com").hexdigest()],
            "client_user_agent": "Mozilla/5.0",
            "fbp": "fb.1.1700000000000.1234567890",
        },
        "custom_data": {"value": 10.5, "currency": "USD"},
    }
    event.update(overrides)
    return event


@pytest.fixture
def make_event() -> EventFactory:
    return _make_event


@asynccontextmanager
async def _running_sandbox(
    token: str | None = TOKEN,
) -> AsyncIterator[tuple[MetaSandbox, httpx.AsyncClient]]:
    box = MetaSandbox(token=token)
    await box.start()
    try:
        async with httpx.AsyncClient(base_url=box.url, timeout=5.0) as http:
            yield box, http
    finally:
        await box.stop()


@pytest.fixture
def open_sandbox() -> Callable[..., Any]:
    """`async with open_sandbox() as (sandbox, client):` inside the test body.

    Not an async fixture on purpose: pytest-qt runs `processEvents()` between setup, call and
    teardown, which steps qasync timers with no running loop, and a uvicorn server living
    across those phases then dies with "no running event loop".
    """
    return _running_sandbox
