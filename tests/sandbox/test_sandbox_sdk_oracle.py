"""Meta's own Python SDK talks to the sandbox as to Meta: its request shape is accepted and it
parses the sandbox's answers (success and error envelopes) as Graph answers."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from facebook_business.adobjects.serverside.action_source import ActionSource
from facebook_business.adobjects.serverside.custom_data import CustomData
from facebook_business.adobjects.serverside.event import Event
from facebook_business.adobjects.serverside.event_request import EventRequest
from facebook_business.adobjects.serverside.user_data import UserData
from facebook_business.api import FacebookAdsApi
from facebook_business.exceptions import FacebookRequestError
from facebook_business.session import FacebookSession

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


@pytest.fixture
def sandbox_process() -> Iterator[str]:
    """The sandbox as `pixelbridge sandbox` runs it, in its own process.

    The SDK is synchronous (requests); driving it from a thread while the sandbox ran on the
    test's qasync loop crashed Qt now and then (a segfault inside the loop), so the sandbox
    runs apart and this test needs no event loop at all.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "sandbox", "--token", TOKEN],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("listening on "), line
        yield line.removeprefix("listening on ")
    finally:
        proc.terminate()
        proc.communicate(timeout=10)  # waits and closes the stdout pipe


def test_sdk_request_is_accepted_and_errors_parse(
    sandbox_process: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FacebookSession, "GRAPH", sandbox_process)
    now = int(time.time())
    response = _send(TOKEN, [_event("sdk-1", now)])
    assert response.events_received == 1
    assert response.fbtrace_id

    def received() -> list[dict[str, Any]]:
        answer = httpx.get(f"{sandbox_process}/_sandbox/events", params={"pixel_id": PIXEL})
        events: list[dict[str, Any]] = answer.json()["events"]
        return events

    (record,) = received()
    assert record["event_id"] == "sdk-1"
    assert record["test_event_code"] == "TEST42"
    # The SDK normalized and hashed the email itself; the sandbox kept it as sent.
    expected = hashlib.sha256(b"joe.smith@example.com").hexdigest()
    assert record["user_data"]["em"] == [expected]

    with pytest.raises(FacebookRequestError) as bad_token:
        _send("not-the-token", [_event("sdk-2", now)])
    assert bad_token.value.api_error_code() == 190
    assert bad_token.value.http_status() == 401

    too_old = now - 8 * 24 * 3600
    with pytest.raises(FacebookRequestError) as rejected:
        _send(TOKEN, [_event("sdk-3", now), _event("sdk-4", too_old)])
    assert rejected.value.api_error_code() == 100
    assert rejected.value.api_error_subcode() == 2804003
    assert rejected.value.api_error_type() == "OAuthException"
    assert [r["event_id"] for r in received()] == ["sdk-1"]
