"""A real HAR recorded by Chromium, paired with the relay's deliveries by `pixelbridge pair`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.async_api import Route
from verify.harness import open_bench

from desktop_app.capi.har import parse_har
from desktop_app.cli import main

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]

PIXEL_RE = re.compile(r"^https://www\.facebook\.com/tr/?(\?|$)")


async def test_real_har_and_deliveries_through_pair_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    har_path = tmp_path / "visit.har"
    async with open_bench(tmp_path, record_har_path=str(har_path)) as b:
        await b.page.goto(b.url("good.html"))
        await b.wait_for(pixels=1, servers=1)
        await b.page.goto(b.url("lowercase.html"))
        await b.wait_for(pixels=2, servers=2)

        async def blocked(route: Route) -> None:
            await route.abort("blockedbyclient")

        await b.page.route(PIXEL_RE, blocked)  # an ad blocker eats the Pixel request itself
        await b.page.goto(b.url("blocked.html"))
        await b.wait_for(pixels=2, servers=3)
        rows = b.relay.deliveries(limit=100)
        await b.context.close()  # writes the HAR

    imported = parse_har(har_path.read_text(encoding="utf-8"))
    assert imported.problems == []
    assert {o.event_id for o in imported.pixels if o.event_name == "Purchase"} == {
        "order-1001",
        "order-2002",
    }
    assert any("order-3003" in url for url in imported.blocked)

    server_log = tmp_path / "capi.jsonl"
    lines = [json.dumps({"data": [row["payload"]]}) for row in rows]
    lines.insert(1, '{"data": [ this line was cut off')
    server_log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report_path = tmp_path / "report.json"
    html_path = tmp_path / "report.html"

    status = main(
        [
            "pair",
            "--har",
            str(har_path),
            "--server",
            str(server_log),
            "--report",
            str(report_path),
            "--html",
            str(html_path),
        ]
    )
    out, err = capsys.readouterr()
    assert status == 1  # not every conversion is counted once
    assert "capi.jsonl:2: not JSON" in err
    assert "never left the browser" in err

    report = json.loads(report_path.read_text(encoding="utf-8"))
    verdicts = {
        (p["event_id"], p["verdict"]) for p in report["pairs"] if p["event_name"] != "PageView"
    }
    # Line 2 is broken and reported; every other line was still paired.
    assert report["problems"] == [
        {"source": "capi.jsonl", "line": 2, "message": report["problems"][0]["message"]}
    ]
    assert verdicts == {
        ("order-1001", "deduplicated"),
        ("order-2002", "event_name_mismatch"),
        ("order-3003", "server_only"),
    }
    assert report["blocked_pixel_requests"][0].startswith("Purchase eid=order-3003")
    assert {s["step"] for s in report["timeline"]} >= {"pixel_request", "server_request"}
    assert "counted once" in out and "conversions" in out
    page = html_path.read_text(encoding="utf-8")
    assert "<script" not in page and "event_name_mismatch" in page
    assert "jane.doe@example.com" not in page and "jane.doe" not in report_path.read_text()
