"""The sandbox answers the CAPI events edge like Meta, over real loopback HTTP."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import httpx
import pytest

from desktop_app.services.logs import redact
from desktop_app.services.sandbox import MetaSandbox

# A fake token, built so that no token-shaped literal is committed.
TOKEN = "EAA" + "sandboxtesttoken0123456789abcdef"
PIXEL = "1234567890"
EVENTS_PATH = f"/v26.0/{PIXEL}/events"


@pytest.mark.asyncio
async def test_form_field_with_json_string_is_accepted_and_listed(
    open_sandbox: Any, make_event: Any
) -> None:
    async with open_sandbox() as (sandbox, client):
        before = time.time()
        events = [make_event("e1"), make_event("e2", event_name="AddToCart")]
        response = await client.post(
            EVENTS_PATH,
            data={"data": json.dumps(events), "access_token": TOKEN, "test_event_code": "TEST123"},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["events_received"] == 2
        assert body["messages"] == []
        assert body["fbtrace_id"]

        listed = (await client.get("/_sandbox/events", params={"pixel_id": PIXEL})).json()["events"]
        assert [e["event_id"] for e in listed] == ["e1", "e2"]
        assert listed[1]["event_name"] == "AddToCart"
        assert listed[0]["pixel_id"] == PIXEL
        assert listed[0]["test_event_code"] == "TEST123"
        assert listed[0]["user_data"] == events[0]["user_data"]
        assert before <= listed[0]["received_at"] <= time.time()
        assert sandbox.received(PIXEL) == listed
        assert sandbox.received("999") == []
        assert (await client.get("/_sandbox/events", params={"pixel_id": "999"})).json() == {
            "events": []
        }


@pytest.mark.asyncio
async def test_sdk_shape_list_of_json_strings_in_query_token(
    open_sandbox: Any, make_event: Any
) -> None:
    async with open_sandbox() as (sandbox, client):
        # facebook-business json-encodes a list of json.dumps(event) strings into the form.
        data = json.dumps([json.dumps(make_event("s1")), json.dumps(make_event("s2"))])
        response = await client.post(
            EVENTS_PATH,
            params={"access_token": TOKEN},
            data={"data": data, "partner_agent": "pixelbridge-test"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["events_received"] == 2
        received = sandbox.received()
        assert [e["event_id"] for e in received] == ["s1", "s2"]
        assert received[0]["partner_agent"] == "pixelbridge-test"


@pytest.mark.asyncio
async def test_json_body_with_bearer_token(open_sandbox: Any, make_event: Any) -> None:
    async with open_sandbox() as (sandbox, client):
        response = await client.post(
            "/v19.0/42/events",  # any version path
            json={"data": [make_event("j1")]},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert response.status_code == 200, response.text
        assert sandbox.received("42")[0]["event_id"] == "j1"


@pytest.mark.asyncio
async def test_multipart_form_as_curl_dash_f(open_sandbox: Any, make_event: Any) -> None:
    async with open_sandbox() as (sandbox, client):
        # Meta's own examples use `curl -F data=[...]`, a multipart body.
        files = {
            "data": (None, json.dumps([make_event("m1")])),
            "access_token": (None, TOKEN),
            "test_event_code": (None, "TEST9"),
        }
        response = await client.post(EVENTS_PATH, files=files)
        assert response.status_code == 200, response.text
        (record,) = sandbox.received()
        assert record["event_id"] == "m1"
        assert record["test_event_code"] == "TEST9"


@pytest.mark.asyncio
async def test_warnings_come_back_as_messages(open_sandbox: Any, make_event: Any) -> None:
    async with open_sandbox() as (_sandbox, client):
        event = make_event("w1")
        event["user_data"]["fbp"] = "nonsense"
        response = await client.post(EVENTS_PATH, json={"data": [event], "access_token": TOKEN})
        assert response.status_code == 200, response.text
        messages = response.json()["messages"]
        assert len(messages) == 1
        assert "fbp" in messages[0]


# One sandbox for all cases of a table (a server start/stop costs ~0.3 s).
BAD_CREDENTIALS: list[tuple[str | None, str | None]] = [
    (None, None),
    ("wrong-token", None),
    (None, "Bearer wrong"),
    (None, "Basic abc"),
]


@pytest.mark.asyncio
async def test_missing_or_wrong_token_is_code_190(open_sandbox: Any, make_event: Any) -> None:
    async with open_sandbox() as (sandbox, client):
        for token, header in BAD_CREDENTIALS:
            params = {"access_token": token} if token else {}
            headers = {"Authorization": header} if header else {}
            response = await client.post(
                EVENTS_PATH,
                params=params,
                headers=headers,
                data={"data": json.dumps([make_event()])},
            )
            assert response.status_code == 401, (token, header)
            error = response.json()["error"]
            assert error["code"] == 190
            assert error["type"] == "OAuthException"
            assert error["fbtrace_id"]
        assert sandbox.received() == []


@pytest.mark.asyncio
async def test_any_token_accepted_when_none_configured(make_event: Any) -> None:
    async with MetaSandbox() as open_box, httpx.AsyncClient(base_url=open_box.url) as http:
        ok = await http.post(EVENTS_PATH, json={"data": [make_event()], "access_token": "x"})
        empty = await http.post(EVENTS_PATH, json={"data": [make_event()], "access_token": ""})
    assert ok.status_code == 200
    assert empty.status_code == 401


@pytest.mark.asyncio
async def test_one_bad_event_rejects_whole_batch(open_sandbox: Any, make_event: Any) -> None:
    async with open_sandbox() as (sandbox, client):
        too_old = make_event("old", event_time=int(time.time()) - 8 * 24 * 3600)
        response = await client.post(
            EVENTS_PATH, json={"data": [make_event("good"), too_old], "access_token": TOKEN}
        )
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == 100
        assert error["error_subcode"] == 2804003
        assert error["fbtrace_id"]
        assert sandbox.received() == []


@pytest.mark.asyncio
async def test_insufficient_customer_information_subcode(
    open_sandbox: Any, make_event: Any
) -> None:
    async with open_sandbox() as (_sandbox, client):
        weak = {"db": "a" * 64, "client_user_agent": "Mozilla/5.0"}  # "db + UA" cannot match
        event = make_event("weak", user_data=weak)
        response = await client.post(EVENTS_PATH, json={"data": [event], "access_token": TOKEN})
        assert response.status_code == 400
        assert response.json()["error"]["error_subcode"] == 2804050


@pytest.mark.asyncio
async def test_more_than_1000_events_is_code_100(open_sandbox: Any, make_event: Any) -> None:
    async with open_sandbox() as (sandbox, client):
        events = [make_event(f"b{i}") for i in range(1001)]
        response = await client.post(EVENTS_PATH, json={"data": events, "access_token": TOKEN})
        assert response.status_code == 400
        assert response.json()["error"]["code"] == 100
        assert sandbox.received() == []
        exactly = await client.post(
            EVENTS_PATH, json={"data": events[:1000], "access_token": TOKEN}
        )
        assert exactly.json()["events_received"] == 1000


MALFORMED: list[tuple[bytes, str]] = [
    (b"data=not-json", "application/x-www-form-urlencoded"),
    (b'data={"event_name":"x"}', "application/x-www-form-urlencoded"),
    (b"data=[1,2]", "application/x-www-form-urlencoded"),
    (b"data=", "application/x-www-form-urlencoded"),
    (b"{not json", "application/json"),
    (b"[1]", "application/json"),
    (b'{"other": 1}', "application/json"),
    (b'{"data": []}', "application/json"),
    (b'{"data": ["{broken"]}', "application/json"),
]


@pytest.mark.asyncio
async def test_malformed_data_is_code_100(open_sandbox: Any) -> None:
    async with open_sandbox() as (sandbox, client):
        for body, content_type in MALFORMED:
            response = await client.post(
                EVENTS_PATH,
                params={"access_token": TOKEN},
                content=body,
                headers={"content-type": content_type},
            )
            assert response.status_code == 400, (body, response.text)
            assert response.json()["error"]["code"] == 100, body
        assert sandbox.received() == []


@pytest.mark.asyncio
async def test_non_numeric_pixel_and_unknown_paths(open_sandbox: Any, make_event: Any) -> None:
    async with open_sandbox() as (_sandbox, client):
        bad_pixel = await client.post(
            "/v26.0/not-a-pixel/events", json={"data": [make_event()], "access_token": TOKEN}
        )
        assert bad_pixel.status_code == 400
        assert bad_pixel.json()["error"]["error_subcode"] == 33
        bad_version = await client.post(
            f"/latest/{PIXEL}/events", json={"data": [make_event()], "access_token": TOKEN}
        )
        assert bad_version.json()["error"]["code"] == 2500
        nowhere = await client.get("/a/b/c/d")
        assert nowhere.status_code == 400
        assert nowhere.json()["error"]["code"] == 2500


@pytest.mark.asyncio
async def test_token_health_routes(open_sandbox: Any) -> None:
    async with open_sandbox() as (_sandbox, client):
        me = await client.get("/v26.0/me", params={"access_token": TOKEN})
        assert me.status_code == 200
        assert me.json()["id"]
        pixel = await client.get(
            f"/v26.0/{PIXEL}", params={"fields": "id,name", "access_token": TOKEN}
        )
        assert pixel.json() == {"id": PIXEL, "name": f"Sandbox pixel {PIXEL}"}
        only_id = await client.get(
            f"/v26.0/{PIXEL}", params={"fields": "id", "access_token": TOKEN}
        )
        assert only_id.json() == {"id": PIXEL}
        bad = await client.get(
            f"/v26.0/{PIXEL}", params={"fields": "id,name", "access_token": "no"}
        )
        assert bad.status_code == 401
        assert bad.json()["error"]["code"] == 190
        debug = await client.get(
            "/v26.0/debug_token", params={"input_token": "nope", "access_token": TOKEN}
        )
        assert debug.json()["data"]["is_valid"] is False
        debug_ok = await client.get(
            "/v26.0/debug_token", params={"input_token": TOKEN, "access_token": TOKEN}
        )
        assert debug_ok.json()["data"]["is_valid"] is True


@pytest.mark.asyncio
async def test_wait_for_events_and_clear(open_sandbox: Any, make_event: Any) -> None:
    async with open_sandbox() as (sandbox, client):
        assert await sandbox.wait_for_events(1, timeout_s=0.05) is False
        await client.post(EVENTS_PATH, json={"data": [make_event()], "access_token": TOKEN})
        assert await sandbox.wait_for_events(1, pixel_id=PIXEL, timeout_s=1.0) is True
        assert len(sandbox.requests()) == 1
        stats = (await client.get("/_sandbox/stats", params={"pixel_id": PIXEL})).json()
        assert stats == {"events": 1, "requests": 1, "pending_faults": 0}
        cleared = await client.delete("/_sandbox/events")
        assert cleared.status_code == 200
        assert sandbox.received() == []
        assert sandbox.requests() == []


@pytest.mark.asyncio
async def test_token_never_logged_nor_in_request_log(
    open_sandbox: Any, make_event: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async with open_sandbox() as (sandbox, client):
        caplog.set_level(logging.DEBUG)
        await client.post(
            EVENTS_PATH, params={"access_token": TOKEN}, json={"data": [make_event()]}
        )
        await client.post(EVENTS_PATH, params={"access_token": TOKEN + "x"}, json={"data": []})
        await client.get(f"/v26.0/{PIXEL}", headers={"Authorization": f"Bearer {TOKEN}"})
        assert len(caplog.records) > 0
        for record in caplog.records:
            if record.name.startswith(("httpx", "httpcore")):
                continue  # the test's own client, not the sandbox
            text = record.getMessage()
            if record.name == "uvicorn.access":
                # uvicorn.access has no handler in the app (access_log=False; pytest attaches
                # one here), and the app's log handler redacts whatever reaches it.
                text = redact(text)
            assert TOKEN not in text, record.name
        assert TOKEN not in json.dumps(sandbox.requests())
        assert TOKEN not in json.dumps(sandbox.received())


@pytest.mark.asyncio
async def test_oversized_body_is_refused(
    open_sandbox: Any, make_event: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.services import sandbox_graph

    monkeypatch.setattr(sandbox_graph, "MAX_BODY_BYTES", 2048)
    async with open_sandbox() as (sandbox, client):
        events = [make_event(f"big{i}") for i in range(20)]
        response = await client.post(EVENTS_PATH, json={"data": events, "access_token": TOKEN})
        assert response.status_code == 413
        assert response.json()["error"]["code"] == 100
        assert sandbox.received() == []
