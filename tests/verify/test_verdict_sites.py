"""Each verdict reproduced by a real page in real Chromium, through the real relay and sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Route
from verify.harness import open_bench

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]


def conversions(pairs: list) -> list[str]:  # type: ignore[type-arg]
    return sorted(p.verdict for p in pairs if p.is_conversion)


async def test_shared_order_id_is_deduplicated(tmp_path: Path) -> None:
    async with open_bench(tmp_path) as b:
        await b.page.goto(b.url("good.html"))
        await b.wait_for(pixels=1, servers=1)
        pairs = b.pairs()
        assert conversions(pairs) == ["deduplicated"]
        pair = next(p for p in pairs if p.is_conversion)
        assert pair.pixel is not None and pair.server is not None
        assert pair.pixel.event_id == pair.server.event_id == "order-1001"
        assert pair.server.status == "delivered"
        # The stand-in fbevents.js set _fbp and the site forwarded it: no fbp warning.
        assert pair.pixel.fbp and "fbp_mismatch" not in pair.warnings
        assert pair.pixel.page_load  # `it`, what tells a reload from a double fire


async def test_ids_generated_separately(tmp_path: Path) -> None:
    async with open_bench(tmp_path) as b:
        await b.page.goto(b.url("separate_ids.html"))
        await b.wait_for(pixels=1, servers=1)
        assert conversions(b.pairs()) == ["pixel_only", "server_only"]


async def test_reload_with_a_new_id(tmp_path: Path) -> None:
    async with open_bench(tmp_path) as b:
        await b.page.goto(b.url("reload.html"))
        await b.wait_for(pixels=1, servers=1)
        await b.page.reload()
        await b.wait_for(pixels=2, servers=2)
        assert conversions(b.pairs()) == ["deduplicated", "new_id_on_reload"]


async def test_lowercase_server_name(tmp_path: Path) -> None:
    async with open_bench(tmp_path) as b:
        await b.page.goto(b.url("lowercase.html"))
        await b.wait_for(pixels=1, servers=1)
        pairs = b.pairs()
        assert conversions(pairs) == ["event_name_mismatch"]
        mismatch = next(p for p in pairs if p.is_conversion)
        assert mismatch.server is not None and mismatch.server.event_name == "purchase"


async def test_duplicated_tag_fires_twice(tmp_path: Path) -> None:
    async with open_bench(tmp_path) as b:
        await b.page.goto(b.url("duplicated_tag.html"))
        await b.wait_for(pixels=2, servers=2)
        assert conversions(b.pairs()) == ["deduplicated", "double_fire"]


async def test_blocked_pixel_leaves_the_server_copy_alone(tmp_path: Path) -> None:
    async with open_bench(tmp_path) as b:

        async def block(route: Route) -> None:
            await route.abort("blockedbyclient")

        # Registered after the capture's route, so it wins (like an ad blocker would).
        await b.page.route("https://connect.facebook.net/**", block)
        await b.page.goto(b.url("blocked.html"))
        await b.wait_for(pixels=0, servers=1)
        assert b.pixels() == []
        assert conversions(b.pairs()) == ["server_only"]


async def test_missing_event_id(tmp_path: Path) -> None:
    async with open_bench(tmp_path) as b:
        await b.page.goto(b.url("missing_eid.html"))
        await b.wait_for(pixels=1, servers=1)
        pairs = [p for p in b.pairs() if p.is_conversion]
        # The page's server copy left before fbevents.js set _fbp, so not even Meta's
        # name + fbp fallback links them: one verdict per side.
        assert conversions(pairs) == ["missing_event_id", "missing_event_id"]
        assert sum(p.pixel is not None for p in pairs) == 1
        assert sum(p.server is not None for p in pairs) == 1
