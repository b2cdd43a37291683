"""Meta's own Python SDK talks to the sandbox as to Meta: its request shape is accepted and it
parses the sandbox's answers (success and error envelopes) as Graph answers."""

from __future__ import annotations

import asyncio
import hashlib
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from facebook_business.adobjects.serverside.action_source import ActionSource
from facebook_business.adobjects.serverside.custom_data import CustomData
from facebook_business.adobjects.serverside.event import Event
from facebook_business.adobjects.serverside.event_request import EventRequest
from facebook_business.adobjects.serverside.user_data import UserData
from facebook_business.api import FacebookAdsApi
from facebook_business.exceptions import FacebookRequestError
from facebook_business.session import FacebookSession

from desktop_app.services.sandbox import MetaSandbox

TOKEN = "EAAsdkoracletoken0123456789"
PIXEL = "987654321"


def _event(event_id: str, event_time: int) -> Event:
    return Event(
        event_name="Purchase",
        event_time=event_time,
        event_id=event_id,
        event_source_url="https://shop.example/thanks",
        action_source=ActionSource.WEBSITE,
        user_data=UserData(emails=["  Joe.Smith@Example.com "], client_user_agent="Mozilla/5.0"),
        custom_data=CustomData(value=12.5, currency="EUR"),
    )


def _send(token: str, events: list[Event]) -> Any:
    FacebookAdsApi.init(access_token=token, crash_log=False)
    return EventRequest(events=events, pixel_id=PIXEL, test_event_code="TEST42").execute()


async def _in_thread(pool: ThreadPoolExecutor, token: str, events: list[Event]) -> Any:
    # A plain thread pool, not `asyncio.to_thread`: qasync's default executor (QThreads) left
    # behind after the test's loop closes was seen to crash a later `processEvents()`.
    return await asyncio.get_running_loop().run_in_executor(pool, _send, token, events)


@pytest.mark.asyncio
async def test_sdk_request_is_accepted_and_errors_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        await _check_sdk_against_sandbox(pool, monkeypatch)


async def _check_sdk_against_sandbox(
    pool: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with MetaSandbox(token=TOKEN) as sandbox:
        monkeypatch.setattr(FacebookSession, "GRAPH", sandbox.url)
        now = int(time.time())
        response = await _in_thread(pool, TOKEN, [_event("sdk-1", now)])
        assert response.events_received == 1
        assert response.fbtrace_id
        (record,) = sandbox.received(PIXEL)
        assert record["event_id"] == "sdk-1"
        assert record["test_event_code"] == "TEST42"
        # The SDK normalized and hashed the email itself; the sandbox kept it as sent.
        expected = hashlib.sha256(b"joe.smith@example.com").hexdigest()
        assert record["user_data"]["em"] == [expected]

        with pytest.raises(FacebookRequestError) as bad_token:
            await _in_thread(pool, "not-the-token", [_event("sdk-2", now)])
        assert bad_token.value.api_error_code() == 190
        assert bad_token.value.http_status() == 401

        too_old = now - 8 * 24 * 3600
        with pytest.raises(FacebookRequestError) as rejected:
            await _in_thread(pool, TOKEN, [_event("sdk-3", now), _event("sdk-4", too_old)])
        assert rejected.value.api_error_code() == 100
        assert rejected.value.api_error_subcode() == 2804003
        assert rejected.value.api_error_type() == "OAuthException"
        assert [r["event_id"] for r in sandbox.received()] == ["sdk-1"]
