"""`pixelbridge verify` end to end: a real CLI process, a real site, Chromium, relay, sandbox."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from verify.harness import PIXEL_ID, open_bench, site_app

from desktop_app.services.http_server import LocalServer
from desktop_app.services.verify import VerifyJob, VerifySettings

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]

RULES: list[dict[str, Any]] = [
    {
        "id": "atc",
        "event": "AddToCart",
        "trigger": {"type": "click", "selectors": ["#add"]},
        "url": {"match": "contains", "value": "/shop/product"},
        "params": {"value": {"selector": ".price .amount"}, "currency": {"value": "EUR"}},
    },
    {
        "id": "buy",
        "event": "Purchase",
        "trigger": {"type": "pageview"},
        "url": {"match": "contains", "value": "/shop/thanks"},
        "event_id": {"query": "order"},
        "params": {"value": {"selector": "#total"}, "currency": {"value": "EUR"}},
    },
]
JOURNEY = {
    "steps": [
        {"action": "goto", "url": "product.html"},
        {"action": "click", "selector": "#add"},
        {"action": "wait", "ms": 300},
        {"action": "click", "selector": "#buy"},
    ]
}


async def run_cli(*args: str, timeout_s: float = 120.0) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "desktop_app",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout_s)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_verify_inject_journey_counts_every_conversion_once(tmp_path: Path) -> None:
    site = LocalServer(site_app(), name="fixture site")
    site_url = await site.start()
    config = tmp_path / "tags.json"
    config.write_text(
        json.dumps({"version": 1, "pixel_id": PIXEL_ID, "site": {"url": site_url}, "rules": RULES}),
        encoding="utf-8",
    )
    journey = tmp_path / "journey.json"
    journey.write_text(json.dumps(JOURNEY), encoding="utf-8")
    report, html = tmp_path / "report.json", tmp_path / "report.html"
    try:
        status, out, err = await run_cli(
            "verify",
            f"{site_url}/shop/product.html",
            "--config",
            str(config),
            "--inject",
            "--journey",
            str(journey),
            "--settle",
            "0.5",
            "--report",
            str(report),
            "--html",
            str(html),
        )
    finally:
        await site.stop()
    assert status == 0, (out, err)
    data = json.loads(report.read_text(encoding="utf-8"))
    verdicts = {p["event_name"]: p["verdict"] for p in data["pairs"]}
    assert verdicts["AddToCart"] == "deduplicated"
    assert verdicts["Purchase"] == "deduplicated"
    purchase = next(p for p in data["pairs"] if p["event_name"] == "Purchase")
    assert purchase["event_id"] == "77"
    steps = {(s["step"], s["event_id"]): s for s in data["timeline"]}
    assert steps[("meta_response", "77")]["detail"]["fbtrace_id"]  # the sandbox answered
    assert data["summary"]["all_counted_once"] is True
    assert data["emq"]["77"]["score"] >= 0
    assert "2 conversions: 2 counted once" in out
    assert "fbtrace_id" in html.read_text(encoding="utf-8")


async def test_verify_exits_1_when_a_conversion_is_counted_twice(tmp_path: Path) -> None:
    """No --inject: the site's own tags report to the site's relay; verify reads its deliveries."""
    async with open_bench(tmp_path) as b:
        # Another visitor's order reaches the same relay during the check: not ours.
        async def other_visitor() -> int:
            async with httpx.AsyncClient() as client:
                response = await client.post(
                    b.relay.events_url,
                    json={"event_name": "Purchase", "event_id": "someone-else", "fbp": "fb.1.1.9"},
                    headers={"User-Agent": "Mozilla/5.0 (another visitor)"},
                )
                return response.status_code

        posted: list[asyncio.Task[int]] = []

        def on_progress(message: str) -> None:
            if message.startswith("Opening") and not posted:
                posted.append(asyncio.get_running_loop().create_task(other_visitor()))

        settings = VerifySettings(
            url=b.url("duplicated_tag.html"), relay_url=b.relay.events_url, settle_s=0.2
        )
        result = await VerifyJob(b.config, settings, on_progress=on_progress).run()
        assert await posted[0] in (200, 202)
        foreign = [s for s in b.servers() if s.event_id == "someone-else"]
        assert foreign  # the relay took it (and settled it) while verify was running
    verdicts = sorted(p.verdict for p in result.pairs if p.is_conversion)
    assert verdicts == ["deduplicated", "double_fire"]
    assert result.notes == []
    assert result.report()["server_events"] == 2


async def test_verify_reports_a_missing_relay_and_a_bad_journey(tmp_path: Path) -> None:
    config = tmp_path / "tags.json"
    config.write_text(json.dumps({"version": 1, "pixel_id": PIXEL_ID, "rules": []}))
    bad = tmp_path / "journey.json"
    bad.write_text(json.dumps({"steps": [{"action": "jump"}]}))
    status, _, err = await run_cli(
        "verify", "http://127.0.0.1:9/", "--config", str(config), "--journey", str(bad)
    )
    assert status == 2 and "step 1: action must be one of" in err
    status, _, err = await run_cli("verify", "http://127.0.0.1:9/", "--config", str(config))
    assert status == 3 and "could not check" in err
