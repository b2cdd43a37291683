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


async def test_locate_as_a_subprocess_shadow_dom_json_and_nothing_selected() -> None:
    async with sites_server() as url:
        # Playwright's CSS pierces the open shadow root; selectors are relative to it.
        code, out, _ = await locate(f"{url}/shadow.html", "#buy-box button", "--json")
        assert code == 0
        result = json.loads(out)
        assert result["in_shadow"] and result["text"] == "Buy now"
        assert result["matches"] == [1] * len(result["selectors"]) and result["selectors"]

        code, out, err = await locate(f"{url}/shop.html", "#no-such-thing", "--wait", "0.2")
        assert code == 1 and out == "" and "selects nothing" in err


async def test_locate_light_dom_bundle_and_text_output() -> None:
    from desktop_app.commands.locate import format_text
    from desktop_app.commands.locate import locate as locate_in_process

    async with sites_server() as url:
        result, _ = await locate_in_process(f"{url}/shop.html", "[data-expect=buy-hoodie]")
        assert result is not None
        assert result["selectors"][0].startswith("#product-hoodie button")
        assert result["matches"] == [1] * len(result["selectors"])
        assert (result["text"], result["role"]) == ("Add to cart", "button")
        links, _ = await locate_in_process(f"{url}/shop.html", "a[href*=cart]")
        assert links is not None
        text = format_text(links)
        assert 'a[href^="/cart"]' in text and "Role: link" in text
