"""Broken tag rules reported by pages: `POST/GET /v1/diagnostics`, `/healthz`, listeners.

Over real loopback HTTP (servers started inside each test body), plus one real-Chromium run of
the snippet with a rule whose selector is invalid.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from conftest import PIXEL, SITE, mirror, wait_for

from desktop_app.services.delivery import DeliveryUpdate
from desktop_app.services.diagnostics_log import (
    MAX_ERROR_CHARS,
    DiagnosticShapeError,
    DiagnosticsLog,
    parse_report,
)

BEACON = {"content-type": "text/plain;charset=UTF-8", "origin": SITE, "user-agent": "Mozilla/5.0"}
EMAIL = "jane.doe@example.com"
SELECTOR_ERROR = (
    "Failed to execute 'querySelectorAll' on 'Document': 'button[id=' is not a valid selector."
)


def report(
    rule: Any = "atc", error: str = SELECTOR_ERROR, url: str | None = None
) -> dict[str, Any]:
    page = url or f"{SITE}/product/blue-shirt?email={EMAIL}&utm_source=x#phone=+16505551212"
    return {"pixel_id": PIXEL, "diagnostic": {"rule": rule, "error": error, "url": page}}


async def post(url: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with httpx.AsyncClient() as client:
        return await client.post(url, content=content, headers=headers or BEACON)


def diagnostics_url(h_relay_url: str) -> str:
    return f"{h_relay_url}/v1/diagnostics"


@pytest.mark.asyncio
async def test_report_is_kept_stripped_and_shown(
    harness: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with harness() as h:
        relay = await h.relay()
        updates: list[DeliveryUpdate] = []
        relay.add_listener(updates.append)
        answer = await post(diagnostics_url(relay.url), report())
        assert answer.status_code == 202, answer.text
        assert answer.json() == {"accepted": 1}
        assert answer.headers["access-control-allow-origin"] == SITE
        async with httpx.AsyncClient() as client:
            listed = (await client.get(diagnostics_url(relay.url))).json()
            health = (await client.get(f"{relay.url}/healthz")).json()

    (item,) = listed["diagnostics"]
    assert item["rule"] == "atc" and item["error"] == SELECTOR_ERROR
    assert item["pixel_id"] == PIXEL and item["user_agent"] == "Mozilla/5.0"
    # query string and fragment dropped: they can carry an email or a phone number
    assert item["url"] == f"{SITE}/product/blue-shirt" and item["page"] == "/product/blue-shirt"
    assert item["message"] == f"Rule 'atc' is broken on /product/blue-shirt: {SELECTOR_ERROR}"
    assert listed["count"] == 1
    (summary,) = listed["rules"]
    assert (summary["rule"], summary["count"]) == ("atc", 1)
    assert health["rule_errors"] == 1
    assert health["last_rule_error"]["message"] == item["message"]
    assert "user_agent" not in health["last_rule_error"]  # /healthz is public
    assert [d.to_json() for d in relay.rule_diagnostics()] == [item]
    # the desktop app hears about it through the relay's listeners
    (update,) = [u for u in updates if u.kind == "rule_error"]
    assert update.pixel_id == PIXEL and update.findings[0]["message"] == item["message"]
    assert update.findings[0]["field"] == "atc" and "re-pick" in update.findings[0]["fix"]
    # one warning line, and no customer data anywhere
    assert [r.levelno for r in caplog.records if "is broken" in r.getMessage()] == [logging.WARNING]
    everything = json.dumps([listed, health, update.to_json()]) + caplog.text
    assert EMAIL not in everything and "6505551212" not in everything
    assert "utm_source" not in everything


@pytest.mark.asyncio
async def test_personal_data_in_path_error_and_credentials_is_masked(harness: Any) -> None:
    async with harness() as h:
        relay = await h.relay()
        url = f"http://user:secret@127.0.0.1:8123/unsubscribe/{EMAIL.replace('@', '%40')}"
        error = f"cannot read value of {EMAIL} " + "x" * 5000
        answer = await post(diagnostics_url(relay.url), report(rule=None, error=error, url=url))
        assert answer.status_code == 202, answer.text
        (item,) = [d.to_json() for d in relay.rule_diagnostics()]
    assert item["url"] == "http://127.0.0.1:8123/unsubscribe/[email]"
    assert item["rule"] is None and item["message"].startswith("The PixelBridge snippet hit")
    assert item["error"].startswith("cannot read value of [email] x")
    assert len(item["error"]) == MAX_ERROR_CHARS
    assert "secret" not in json.dumps(item) and EMAIL not in json.dumps(item)


@pytest.mark.asyncio
async def test_refusals_415_422_413_400(harness: Any) -> None:
    async with harness() as h:
        relay = await h.relay(max_body_bytes=256 * 1024)
        url = diagnostics_url(relay.url)
        form = {**BEACON, "content-type": "application/x-www-form-urlencoded"}
        answer = await post(url, report(), form)
        assert answer.status_code == 415 and answer.json()["error"]["field"] == "body"
        # strict shape: 422 names the field
        bad_shapes: list[tuple[Any, str]] = [
            (["not", "an", "object"], "body"),
            ({"pixel_id": PIXEL}, "diagnostic"),
            ({"diagnostic": "broken"}, "diagnostic"),
            ({**report(), "pixel_id": "pixel-1"}, "pixel_id"),
            (report(error=""), "diagnostic.error"),
            ({"diagnostic": {"rule": "atc", "error": 42, "url": SITE}}, "diagnostic.error"),
            ({"diagnostic": {"rule": ["atc"], "error": "x", "url": SITE}}, "diagnostic.rule"),
            ({"diagnostic": {"rule": "atc", "error": "x"}}, "diagnostic.url"),
            (report(url="javascript:alert(1)"), "diagnostic.url"),
            (report(url="http://[::1"), "diagnostic.url"),
        ]
        for body, field in bad_shapes:
            answer = await post(url, body)
            assert answer.status_code == 422, (body, answer.text)
            assert answer.json()["error"] == {
                "code": "invalid_diagnostic",
                "message": answer.json()["error"]["message"],
                "field": field,
            }, body
        # a report is tiny: the cap is 32 KiB even though events may be 256 KiB
        huge = report(error="x" * 40_000)
        answer = await post(url, huge)
        assert answer.status_code == 413 and answer.json()["error"]["code"] == "body_too_large"
        answer = await post(url, b"{not json")
        assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_json"
        assert relay.rule_diagnostics() == [] and relay.health()["rule_errors"] == 0


@pytest.mark.asyncio
async def test_cors_host_and_rate_limit(harness: Any) -> None:
    async with harness() as h:
        relay = await h.relay(rate_limit_loopback=True, rate_limit_burst=2, rate_limit_per_s=0.01)
        url = diagnostics_url(relay.url)
        async with httpx.AsyncClient() as client:
            preflight = await client.options(
                url,
                headers={
                    "origin": SITE,
                    "access-control-request-method": "POST",
                    "access-control-request-headers": "content-type",
                    "access-control-request-private-network": "true",
                },
            )
            assert preflight.status_code == 200
            assert preflight.headers["access-control-allow-origin"] == SITE
            assert preflight.headers["access-control-allow-private-network"] == "true"
            foreign = await client.options(
                url,
                headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
            )
            assert foreign.status_code == 400
            assert "access-control-allow-origin" not in foreign.headers
            wrong_host = await client.post(
                url, content=json.dumps(report()), headers={**BEACON, "host": "evil.example"}
            )
            assert wrong_host.status_code == 400
        other_origin = await post(url, report(), {**BEACON, "origin": "https://shop.example.test"})
        assert other_origin.headers["access-control-allow-origin"] == "https://shop.example.test"
        assert (await post(url, report())).status_code == 202
        limited = await post(url, report())
        assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
        # diagnostics have their own bucket: the page's events still get through
        assert (await post(relay.events_url, mirror("after-flood"))).status_code == 202
        assert relay.health()["rule_errors"] == 2


@pytest.mark.asyncio
async def test_listing_is_loopback_only_unless_public(harness: Any) -> None:
    async with harness() as h:
        forwarded = {"x-forwarded-for": "203.0.113.7"}
        private = await h.relay(trusted_proxies=["127.0.0.1"])
        public = await h.relay(trusted_proxies=["127.0.0.1"], deliveries_public=True)
        async with httpx.AsyncClient() as client:
            refused = await client.get(diagnostics_url(private.url), headers=forwarded)
            served = await client.get(diagnostics_url(public.url), headers=forwarded)
            bad_limit = await client.get(diagnostics_url(private.url) + "?limit=0")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert served.status_code == 200 and served.json()["diagnostics"] == []
    assert bad_limit.status_code == 422 and bad_limit.json()["error"]["field"] == "limit"


def test_log_keeps_the_last_n_and_warns_once_a_minute(caplog: pytest.LogCaptureFixture) -> None:
    now = [1000.0]
    log = DiagnosticsLog(max_items=200, clock=lambda: now[0])
    caplog.set_level(logging.WARNING)
    for i in range(250):
        log.add(parse_report(report(url=f"{SITE}/p/{i}"), now=float(i)))
    assert log.total == 250 and len(log.items()) == 200
    assert log.items()[0].page == "/p/50" and log.items(limit=2)[-1].page == "/p/249"
    assert len(caplog.records) == 1  # 250 identical (rule, error) reports → one line
    log.add(parse_report(report(error="another error")))
    assert len(caplog.records) == 2  # a different error is news
    now[0] += 59
    log.add(parse_report(report()))
    assert len(caplog.records) == 2
    now[0] += 2
    log.add(parse_report(report()))
    assert len(caplog.records) == 3 and "252 report(s)" in caplog.records[-1].getMessage()
    summary = {(s["rule"], s["error"]): s["count"] for s in log.summary()}
    assert summary == {("atc", SELECTOR_ERROR): 252, ("atc", "another error"): 1}


def test_numeric_rule_id_is_accepted_and_bool_is_not() -> None:
    assert parse_report(report(rule=7)).rule == "7"
    with pytest.raises(DiagnosticShapeError) as caught:
        parse_report(report(rule=True))
    assert caught.value.field == "diagnostic.rule"


@pytest.mark.asyncio
@pytest.mark.browser
async def test_invalid_selector_in_chromium_reaches_the_relay(harness: Any) -> None:
    from tagger.harness import config_for, open_bench

    rules = [
        {"id": "bad", "event": "Lead", "trigger": {"type": "click", "selectors": ["button[id="]}},
        {"id": "good", "event": "Contact", "trigger": {"type": "click", "selectors": ["#go"]}},
    ]
    config = config_for(rules)
    async with harness() as h:
        relay = await h.relay(config=config)
        updates: list[DeliveryUpdate] = []
        relay.add_listener(updates.append)
        async with open_bench(config, relay_url=relay.events_url) as b:
            await b.page.goto(b.url(f"/generic/broken.html?email={EMAIL}#step"))
            await b.page.click("#go")
            assert await wait_for(lambda: bool(relay.rule_diagnostics()), timeout_s=10)
            # the page keeps working and the good rule on the same click still fires
            assert await b.page.text_content("#out") == "clicked"
            await b.wait_for(lambda: len(b.events("Contact")) == 1)
            assert await wait_for(lambda: bool(relay.deliveries()), timeout_s=10)
            assert await relay.wait_idle(10)
            (delivery,) = relay.deliveries()
            assert (delivery["event_name"], delivery["status"]) == ("Contact", "delivered")
            assert delivery["event_id"] == b.events("Contact")[0]["eid"]  # paired with the Pixel
        (item,) = relay.rule_diagnostics()  # the broken rule stays skipped: one report
        assert item.rule == "bad" and "selector" in item.error.lower()
        assert item.url == f"{b.site_url}/generic/broken.html" and item.pixel_id == PIXEL
        assert "Chrome" in (item.user_agent or "")
        assert relay.health()["rule_errors"] == 1
        assert [u.kind for u in updates].count("rule_error") == 1
        assert EMAIL not in json.dumps(item.to_json())
