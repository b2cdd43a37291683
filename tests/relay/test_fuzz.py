"""Fuzz `POST /v1/events` with thousands of generated requests: never a 5xx, never a crash,
always a JSON answer (an error names its field). In-process ASGI (httpx.ASGITransport) with
the real outbox on SQLite, so accepted events really commit.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SITE, mirror
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.capi.server_event import MIRROR_FIELDS
from desktop_app.services.relay import RelayService, RelaySettings
from desktop_app.services.relay_app import build_app
from desktop_app.tagger.config import parse_config

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]

OK_STATUSES = {202, 400, 413, 415, 422}
FUZZ = settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the suite stays reproducible; raise max_examples locally to dig
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(sorted(MIRROR_FIELDS)) | st.text(max_size=12)
events = st.dictionaries(field_names, json_values, max_size=12) | st.builds(
    lambda base, extra: {**base, **extra},
    st.just(mirror("fuzz")),
    st.dictionaries(st.sampled_from(sorted(MIRROR_FIELDS)), json_values, max_size=4),
)
content_types = st.sampled_from(
    ["application/json", "text/plain;charset=UTF-8", "text/plain", "", "application/xml"]
)


@pytest.fixture
def fuzz_app(tmp_path: Path) -> Iterator[Any]:
    """One relay (real outbox, no delivery, no server) shared by every generated request."""
    config = parse_config({"pixel_id": "1234567890", "rules": [], "site": {"url": f"{SITE}/"}})
    data_dir = tmp_path / "fuzz"
    settings = RelaySettings(data_dir=data_dir, rate_limit_per_s=1e9, rate_limit_burst=10**9)
    relay = RelayService(config, settings, lambda: None)
    relay.outbox.open()
    yield build_app(relay, relay._http_settings())
    relay.outbox.close()


@asynccontextmanager
async def client_for(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield client


def check(answer: httpx.Response) -> None:
    assert answer.status_code in OK_STATUSES, (answer.status_code, answer.text[:300])
    body = answer.json()  # always JSON
    if answer.status_code != 202:
        error = body["error"]
        assert isinstance(error["code"], str) and isinstance(error["message"], str)
    else:
        assert body["accepted"] == len(body["event_ids"]) >= 1


async def _send(client: httpx.AsyncClient, content: bytes, content_type: str) -> None:
    headers = {"origin": SITE, "user-agent": "fuzz"}
    if content_type:
        headers["content-type"] = content_type
    check(await client.post("/v1/events", content=content, headers=headers))


@FUZZ
@given(payload=events, content_type=content_types)
async def test_event_shaped_payloads(fuzz_app: Any, payload: Any, content_type: str) -> None:
    async with client_for(fuzz_app) as client:
        await _send(client, json.dumps(payload).encode(), content_type)


@settings(FUZZ, max_examples=300)
@given(body=json_values | st.builds(lambda e: {"events": e}, st.lists(events, max_size=5)))
async def test_any_json_body(fuzz_app: Any, body: Any) -> None:
    async with client_for(fuzz_app) as client:
        await _send(client, json.dumps(body).encode(), "application/json")


@settings(FUZZ, max_examples=1000)
@given(raw=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
async def test_raw_bytes(fuzz_app: Any, raw: bytes) -> None:
    async with client_for(fuzz_app) as client:
        await _send(client, raw, "text/plain")


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 100_000 + b"]" * 100_000,  # deep nesting
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        json.dumps({"event_name": "Lead", "user_data": {"em": "é" * 9000}}).encode(),
        json.dumps({"event_name": "x" * 300}).encode(),
        json.dumps({"event_name": "Lead", "event_time": 1e308}).encode(),
        b'{"event_name": "Lead", "event_time": NaN}',
        b'{"event_name": "Lead", "value": ' + b"9" * 5000 + b"}",
        "\ud800".encode("utf-8", "surrogatepass"),
        b'{"event_name": "Lead", "user_data": {"em": ["a@b.c"] }, "custom_data": []}',
        json.dumps({"events": [mirror(str(i)) for i in range(1001)]}).encode(),
        b"",
    ],
)
async def test_nasty_bodies(fuzz_app: Any, content: bytes) -> None:
    async with client_for(fuzz_app) as client:
        await _send(client, content, "application/json")
