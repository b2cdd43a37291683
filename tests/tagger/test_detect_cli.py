"""`pixelbridge detect URL --json` as a subprocess against a fixture site on loopback."""

from __future__ import annotations

import asyncio
import json
import sys

import pytest
from tagger.harness import Bench, site_app

from desktop_app.services.http_server import LocalServer


async def _run(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "desktop_app",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode or 0, out.decode(), err.decode()


@pytest.mark.asyncio
@pytest.mark.browser
async def test_detect_json_names_woocommerce_with_evidence_and_preset() -> None:
    ref: dict[str, Bench] = {}
    server = LocalServer(site_app(ref), name="detect-site")
    url = await server.start()
    try:
        code, out, err = await _run("detect", f"{url}/woocommerce/product/linen-shirt/", "--json")
        assert code == 0, err
        report = json.loads(out)
        assert report["platform"] == "woocommerce"
        assert "generator meta says WooCommerce" in report["evidence"]
        assert report["pixel_ids"] == [] and report["native_events"] == []
        assert {r["event"] for r in report["preset"]["rules"]} >= {"AddToCart", "Purchase"}
        code, out, _ = await _run("detect", f"{url}/woocommerce/product/linen-shirt/")
        assert code == 0 and out.startswith("Platform: woocommerce")
    finally:
        await server.stop()
    code, _, err = await _run("detect", "ftp://nope")
    assert code == 2 and "must start with http" in err
