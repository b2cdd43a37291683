"""`pixelbridge locate URL CSS [--json]` as a user runs it: a subprocess against real pages."""

from __future__ import annotations

import asyncio
import json
import sys

import pytest
from tagger_ui.pickhelpers import sites_server

pytestmark = [pytest.mark.browser, pytest.mark.asyncio]


async def locate(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "desktop_app",
        "locate",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_locate_json_light_and_shadow_dom_and_nothing_selected() -> None:
    async with sites_server() as url:
        code, out, _ = await locate(f"{url}/shop.html", "[data-expect=buy-hoodie]", "--json")
        assert code == 0
        result = json.loads(out)
        assert result["selectors"][0].startswith("#product-hoodie button")
        assert result["matches"] == [1] * len(result["selectors"])
        assert (result["text"], result["role"]) == ("Add to cart", "button")

        # Playwright's CSS pierces the open shadow root; selectors are relative to it.
        code, out, _ = await locate(f"{url}/shadow.html", "#buy-box button", "--json")
        assert code == 0
        result = json.loads(out)
        assert result["in_shadow"] and result["text"] == "Buy now"
        assert result["matches"] == [1] * len(result["selectors"]) and result["selectors"]

        code, out, _ = await locate(f"{url}/shop.html", "a[href*=cart]")
        assert code == 0 and 'a[href^="/cart"]' in out and "Role: link" in out

        code, out, err = await locate(f"{url}/shop.html", "#no-such-thing", "--wait", "0.2")
        assert code == 1 and out == "" and "selects nothing" in err
