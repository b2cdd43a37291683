"""The relay over real loopback HTTP: the thin path, the HTTP contract and its hardening."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from conftest import PIXEL, SITE, Harness, mirror, wait_for
from graph_standin import GraphStandIn

from desktop_app.services.delivery import DeliveryUpdate
from desktop_app.services.relay import RelayService

pytestmark = pytest.mark.asyncio

BEACON = {"content-type": "text/plain;charset=UTF-8", "origin": SITE, "user-agent": "Mozilla/5.0"}


async def post(url: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with httpx.AsyncClient() as client:
        return await client.post(url, content=content, headers=headers or BEACON)


async def test_thin_path_beacon_to_meta_and_back(harness: Any) -> None:
    async with harness() as h:
        await _thin_path(h)


async def _thin_path(h: Harness) -> None:
    standin = h.standin
    relay = await h.relay(test_event_code="TEST123")
    updates: list[DeliveryUpdate] = []
    relay.add_listener(updates.append)
    answer = await post(relay.events_url, mirror("order-1"))
    assert answer.status_code == 202, answer.text
    assert answer.json()["event_ids"] == ["order-1"]
    assert answer.headers["access-control-allow-origin"] == SITE
    assert await relay.wait_idle(5)
    assert standin.delivered == {"order-1": 1}
    sent = standin.seen[0].body
    assert sent["test_event_code"] == "TEST123"
    event = sent["data"][0]
    user_data = event["user_data"]
    # hashed, never raw; the relay adds the client's address and browser
    assert len(user_data["em"][0]) == 64 and "Jane" not in json.dumps(sent)
    assert user_data["client_ip_address"] == "127.0.0.1"
    assert user_data["client_user_agent"] == "Mozilla/5.0"
    assert user_data["fbp"] == "fb.1.1700000000000.1234567890"
    assert [u.kind for u in updates] == ["accepted", "sending", "delivered"]
    (row,) = relay.deliveries()
    assert row["status"] == "delivered" and row["attempts"] == 1
    assert row["response"]["body"]["events_received"] == 1
    assert "good-token" not in json.dumps(row)
    (obs,) = relay.server_observations()
    assert (obs.pixel_id, obs.event_name, obs.event_id) == (PIXEL, "Purchase", "order-1")
    traces = relay.raw_user_data("order-1")
    assert traces and {t.key for t in traces} >= {"em", "ph"}
    # GET /v1/deliveries serves the same rows
    async with httpx.AsyncClient() as client:
        listed = (await client.get(f"{relay.url}/v1/deliveries")).json()["deliveries"]
        health = (await client.get(f"{relay.url}/healthz")).json()
    assert listed == relay.deliveries()
    assert health["queue_depth"] == 0 and health["token_ok"] is True
    assert health["test_event_code_set"] is True and health["last_error"] is None


async def test_batch_body_and_duplicate_within_48h(harness: Any) -> None:
    async with harness() as h:
        await _batch_and_duplicate(h.standin, await h.relay())


async def _batch_and_duplicate(standin: GraphStandIn, relay: RelayService) -> None:
    batch = {"events": [mirror(f"e{i}") for i in range(5)]}
    first = await post(relay.events_url, batch, {"content-type": "application/json"})
    assert first.status_code == 202 and first.json()["accepted"] == 5
    # a reload re-posts the same event: acknowledged, delivered once
    again = await post(relay.events_url, mirror("e3"))
    assert again.status_code == 202 and again.json()["duplicates"] == ["e3"]
    assert await relay.wait_idle(5)
    assert sorted(standin.delivered.elements()) == [f"e{i}" for i in range(5)]


@pytest.mark.parametrize(
    ("body", "headers", "status", "field"),
    [
        (b"{not json", None, 400, None),
        ({"event_id": "x"}, None, 422, "event_name"),
        ({"event_name": "Purchase", "user_data": "a@b.c"}, None, 422, "user_data"),
        ({"event_name": 5}, None, 422, "event_name"),
        ({"event_name": "Lead", "event_time": "yesterday"}, None, 422, "event_time"),
        (
            {"events": [{"event_name": "Lead"}, {"event_name": ""}]},
            None,
            422,
            "events[1].event_name",
        ),
        ({"events": []}, None, 422, "events"),
        ([1, 2], None, 422, "body"),
        (b"<xml/>", {"content-type": "application/xml"}, 415, "body"),
    ],
)
async def test_bad_requests_get_json_errors_naming_the_field(
    harness: Any, body: Any, headers: dict[str, str] | None, status: int, field: str | None
) -> None:
    async with harness() as h:
        relay = await h.relay()
        answer = await post(relay.events_url, body, headers)
        assert relay.health()["queue_depth"] == 0
    assert answer.status_code == status
    error = answer.json()["error"]
    assert error["field"] == field and error["message"]


async def test_rule_breaking_event_is_kept_with_findings_not_sent(harness: Any) -> None:
    async with harness() as h:
        await _rule_breaking(h.standin, await h.relay())


async def _rule_breaking(standin: GraphStandIn, relay: RelayService) -> None:
    old = mirror("old-1", event_time=1_000_000_000)  # 2001: past Meta's 7-day limit
    answer = await post(relay.events_url, {"events": [old, mirror("ok-1")]})
    assert answer.status_code == 202
    (blocked,) = answer.json()["blocked"]
    assert blocked["event_id"] == "old-1"
    assert any(f["code"] == "event_time_too_old" for f in blocked["findings"])
    assert await relay.wait_idle(5)
    assert standin.delivered == {"ok-1": 1}
    statuses = {d["event_id"]: d["status"] for d in relay.deliveries()}
    assert statuses == {"old-1": "blocked", "ok-1": "delivered"}


async def test_body_cap_413(harness: Any) -> None:
    async with harness() as h:
        relay = await h.relay(max_body_bytes=2048)
        big = mirror("big", custom_data={"note": "x" * 4096})
        answer = await post(relay.events_url, big)
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "body_too_large"


async def test_cors_allow_list_and_private_network_preflight(harness: Any) -> None:
    async with harness() as h, httpx.AsyncClient() as client:
        relay = await h.relay()
        ok = await client.options(
            relay.events_url,
            headers={
                "origin": "https://shop.example.test",
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type",
                "access-control-request-private-network": "true",
            },
        )
        evil = await client.options(
            relay.events_url,
            headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
        )
        evil_post = await client.post(
            relay.events_url, content=b"{}", headers={"origin": "https://evil.example"}
        )
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://shop.example.test"
    assert ok.headers["access-control-allow-private-network"] == "true"
    assert evil.status_code == 400
    assert "access-control-allow-origin" not in evil.headers
    assert "access-control-allow-origin" not in evil_post.headers


async def test_trusted_host(harness: Any) -> None:
    async with harness() as h, httpx.AsyncClient() as client:
        relay = await h.relay()
        bad = await client.get(f"{relay.url}/healthz", headers={"host": "evil.example"})
        proxied = await client.get(f"{relay.url}/healthz", headers={"host": "relay.example.test"})
    assert bad.status_code == 400
    assert proxied.status_code == 200  # the host of relay_url is accepted


async def test_forwarded_for_only_from_trusted_proxy_and_rate_limit(harness: Any) -> None:
    async with harness() as h:
        await _forwarded(h)


async def _forwarded(h: Harness) -> None:
    standin = h.standin
    headers = {**BEACON, "x-forwarded-for": "203.0.113.7"}
    plain = await h.relay()
    await post(plain.events_url, mirror("direct"), headers)
    behind = await h.relay(
        trusted_proxies=["127.0.0.1"],
        rate_limit_burst=3,
        rate_limit_per_s=0.01,
    )
    answers = [await post(behind.events_url, mirror(f"p{i}"), headers) for i in range(5)]
    assert [a.status_code for a in answers] == [202, 202, 202, 429, 429]
    assert answers[-1].json()["error"]["code"] == "rate_limited"
    # deliveries are loopback-only: the forwarded client is not loopback
    async with httpx.AsyncClient() as client:
        hidden = await client.get(f"{behind.url}/v1/deliveries", headers=headers)
    assert hidden.status_code == 403
    assert await plain.wait_idle(5) and await behind.wait_idle(5)
    ips = {
        s.event_ids[0]: s.body["data"][0]["user_data"]["client_ip_address"] for s in standin.seen
    }
    assert ips["direct"] == "127.0.0.1"  # XFF ignored without a trusted proxy
    assert ips["p0"] == "203.0.113.7"


async def test_token_never_in_logs_responses_or_health(
    harness: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with harness() as h:
        await _token_redacted(h, caplog)


async def _token_redacted(h: Harness, caplog: pytest.LogCaptureFixture) -> None:
    token = "EAAB" + "x" * 40
    h.standin.valid_tokens = {"other"}
    h.standin.echo_token_in_errors = True
    relay = await h.relay(token=lambda: token)
    await post(relay.events_url, mirror("t1"))
    assert await wait_for(lambda: relay.health()["token_ok"] is False)
    health = relay.health()
    assert health["status"] == "needs_token" and health["token_ok"] is False
    assert "reconnect" in health["last_error"]["advice"]
    everything = json.dumps([relay.deliveries(), health]) + caplog.text
    assert token not in everything
    assert "Invalid OAuth access token" in json.dumps(relay.deliveries())


async def test_test_event_code_left_in_config_is_flagged(
    harness: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from desktop_app.tagger.config import parse_config

    config = parse_config(
        {"pixel_id": PIXEL, "rules": [], "site": {"url": SITE}, "test_event_code": "TEST777"}
    )
    async with harness() as h:
        relay = await h.relay(config=config)
        await post(relay.events_url, mirror("tec-1"))
        assert await relay.wait_idle(5)
        health = relay.health()
    assert health["test_event_code_set"] is True
    assert any("remove it for production" in w for w in health["warnings"])
    assert h.standin.seen[0].body["test_event_code"] == "TEST777"
    assert "test_event_code is set" in caplog.text
