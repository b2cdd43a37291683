"""Scripted faults: the sandbox answers the next requests as a failing Meta would."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from desktop_app.services.sandbox import MetaSandbox

# A fake token, built so that no token-shaped literal is committed.
TOKEN = "EAA" + "sandboxtesttoken0123456789abcdef"
EVENTS_PATH = "/v26.0/1234567890/events"


async def _post(client: httpx.AsyncClient, event: dict[str, Any]) -> httpx.Response:
    return await client.post(EVENTS_PATH, json={"data": [event], "access_token": TOKEN})


@pytest.mark.asyncio
async def test_scripted_answers_are_consumed_in_order(open_sandbox: Any, make_event: Any) -> None:
    async with open_sandbox() as (sandbox, client):
        script = [
            {"status": 503},
            {"error": {"code": 4}},
            {"error": {"code": 100, "error_subcode": 2804019, "message": "bad"}, "status": 400},
            {"body": {"weird": True}, "status": 202},
        ]
        posted = await client.post("/_sandbox/faults", json=script)
        assert posted.status_code == 200
        assert len((await client.get("/_sandbox/faults")).json()["faults"]) == 4

        unavailable = await _post(client, make_event("f1"))
        assert unavailable.status_code == 503
        assert unavailable.json()["error"]["code"] == 2
        assert unavailable.json()["error"]["is_transient"] is True

        throttled = await _post(client, make_event("f2"))
        assert throttled.status_code == 400
        assert throttled.json()["error"]["code"] == 4
        assert throttled.json()["error"]["fbtrace_id"]

        invalid = await _post(client, make_event("f3"))
        error = invalid.json()["error"]
        assert (error["code"], error["error_subcode"], error["message"]) == (100, 2804019, "bad")

        weird = await _post(client, make_event("f4"))
        assert (weird.status_code, weird.json()) == (202, {"weird": True})

        # Script used up: the next request is answered normally and only it is kept.
        normal = await _post(client, make_event("f5"))
        assert normal.status_code == 200
        assert [e["event_id"] for e in sandbox.received()] == ["f5"]
        statuses = [(r["status"], r["fault"] is not None) for r in sandbox.requests()]
        assert statuses == [(503, True), (400, True), (400, True), (202, True), (200, False)]


@pytest.mark.asyncio
async def test_controls_do_not_consume_faults(open_sandbox: Any, make_event: Any) -> None:
    async with open_sandbox() as (sandbox, client):
        sandbox.set_faults([{"status": 500}])
        assert (await client.get("/_sandbox/events")).status_code == 200
        assert (await client.get("/_sandbox/faults")).json()["faults"] == [{"status": 500}]
        assert (await client.delete("/_sandbox/faults")).status_code == 200
        assert (await _post(client, make_event())).status_code == 200


@pytest.mark.asyncio
async def test_close_drops_the_connection_without_an_answer(
    open_sandbox: Any, make_event: Any
) -> None:
    async with open_sandbox() as (sandbox, client):
        sandbox.set_faults([{"close": True}])
        with pytest.raises(httpx.TransportError):
            await _post(client, make_event("c1"))
        assert sandbox.received() == []
        # The server keeps serving afterwards.
        assert (await _post(client, make_event("c2"))).status_code == 200
        assert sandbox.requests()[0]["status"] is None


@pytest.mark.asyncio
async def test_hang_delays_the_answer_past_a_client_timeout(
    open_sandbox: Any, make_event: Any
) -> None:
    async with open_sandbox() as (sandbox, _client):
        sandbox.set_faults([{"hang_s": 0.6}, {"hang_s": 0.3}])
        async with httpx.AsyncClient(base_url=sandbox.url, timeout=0.15) as impatient:
            with pytest.raises(httpx.ReadTimeout):
                await _post(impatient, make_event("h1"))
        async with httpx.AsyncClient(base_url=sandbox.url, timeout=5.0) as patient:
            started = time.monotonic()
            response = await _post(patient, make_event("h2"))
            elapsed = time.monotonic() - started
        assert response.status_code == 200
        assert elapsed >= 0.25  # loop timers may fire a little early
        # h1 is still accepted late (Meta may process a request the client gave up on).
        assert await sandbox.wait_for_events(2, timeout_s=2.0)


@pytest.mark.asyncio
async def test_a_hang_does_not_delay_stop(make_event: Any) -> None:
    box = MetaSandbox()
    url = await box.start()
    box.set_faults([{"hang_s": 60}])
    async with httpx.AsyncClient(base_url=url, timeout=10.0) as http:
        request = asyncio.ensure_future(
            http.post(EVENTS_PATH, json={"data": [make_event()], "access_token": "t"})
        )
        async with asyncio.timeout(2.0):  # the server has taken the fault: it is hanging
            while box.pending_faults():  # noqa: ASYNC110 (bounded poll)
                await asyncio.sleep(0.01)
        started = time.monotonic()
        await asyncio.wait_for(box.stop(), timeout=4.0)
        assert time.monotonic() - started < 4.0
        await asyncio.gather(request, return_exceptions=True)


BAD_SCRIPTS: list[Any] = [
    {"status": "x"},
    [{"unknown": 1}],
    [{"error": {"code": "4"}}],
    [{"hang_s": -1}],
    [{"status": 99}],
    "nope",
    [1],
]


@pytest.mark.asyncio
async def test_bad_fault_scripts_are_refused(open_sandbox: Any) -> None:
    async with open_sandbox() as (sandbox, client):
        for script in BAD_SCRIPTS:
            response = await client.post("/_sandbox/faults", json=script)
            assert response.status_code == 400, script
            assert response.json()["error"]["message"]
        assert sandbox.pending_faults() == []


@pytest.mark.asyncio
async def test_latency_delays_graph_answers_not_controls(make_event: Any) -> None:
    async with (
        MetaSandbox(latency_s=0.4) as box,
        httpx.AsyncClient(base_url=box.url, timeout=5.0) as http,
    ):
        started = time.monotonic()
        control = await http.get("/_sandbox/stats")
        control_s = time.monotonic() - started
        started = time.monotonic()
        graph = await http.post(EVENTS_PATH, json={"data": [make_event()], "access_token": "t"})
        graph_s = time.monotonic() - started
    assert control.status_code == graph.status_code == 200
    assert graph_s >= 0.35  # loop timers may fire a little early
    assert control_s < 0.35
