"""The snippet against the real relay and the Meta sandbox: every Pixel event reaches Meta's
stand-in as a server event with the same event_name and event_id, user data hashed."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from tagger.harness import PIXEL_ID, SHOP_RULES, config_for, open_bench

from desktop_app.services.relay import RelayService, RelaySettings
from desktop_app.services.sandbox import MetaSandbox

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]

TOKEN = "sandbox-token"


async def test_snippet_to_real_relay_to_sandbox(tmp_path: Path) -> None:
    sandbox = MetaSandbox(token=TOKEN)
    graph_url = await sandbox.start()
    config = config_for(SHOP_RULES)
    relay = RelayService(
        config,
        RelaySettings(graph_url=graph_url, test_event_code="TEST42", data_dir=tmp_path / "relay"),
        lambda: TOKEN,
    )
    await relay.start()
    try:
        async with open_bench(config, relay_url=relay.events_url) as b:
            await b.page.goto(b.url("/generic/product.html?fbclid=IwAR_Case"))
            await b.page.click("#add")
            await b.page.goto(b.url("/generic/checkout.html"))
            await b.page.fill("input[name=first_name]", "Jane")
            await b.page.fill("input[name=last_name]", "Doe")
            await b.page.fill("input[name=email]", "Jane.Doe@Example.com")
            async with b.page.expect_navigation(url=re.compile("thank-you")):
                await b.page.click("#place-order")
            await b.wait_for(lambda: len(b.events()) == 3)
            assert await sandbox.wait_for_events(3, pixel_id=PIXEL_ID, timeout_s=10)
            assert await relay.wait_idle(10)
            received = sandbox.received(PIXEL_ID)
            server = sorted((e["event_name"], e["event_id"]) for e in received)
            browser = sorted((h["ev"], h["eid"]) for h in b.events())
            assert server == browser
            purchase = next(e for e in received if e["event_name"] == "Purchase")
            assert purchase["event_id"] == "A-1001"
            user = purchase["user_data"]
            assert user["em"] in (
                hashlib.sha256(b"jane.doe@example.com").hexdigest(),
                [hashlib.sha256(b"jane.doe@example.com").hexdigest()],
            )
            assert user["fbc"].endswith(".IwAR_Case")
            assert user["fbp"] == b.events("Purchase")[0]["fbp"]
            assert "Jane" not in str(received)
    finally:
        await relay.stop()
        await sandbox.stop()
