"""The relay against the built-in Meta sandbox (our stand-in for Graph), over loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import mirror, wait_for

from desktop_app.services.relay import RelayService, RelaySettings
from desktop_app.services.sandbox import MetaSandbox
from desktop_app.tagger.config import TagConfig

pytestmark = pytest.mark.asyncio

TOKEN = "EAArelaysandbox" + "k" * 30


async def test_relay_delivers_to_the_sandbox_and_parks_on_a_bad_token(
    tmp_path: Path, config: TagConfig
) -> None:
    sandbox = MetaSandbox(token=TOKEN)
    graph_url = await sandbox.start()
    current = {"token": TOKEN}
    relay = RelayService(
        config,
        RelaySettings(
            graph_url=graph_url, data_dir=tmp_path / "r", test_event_code="TEST9", token_poll_s=0.05
        ),
        lambda: current["token"],
    )
    await relay.start()
    try:
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                relay.events_url, json={"events": [mirror("s-1"), mirror("s-2")]}
            )
            assert answer.status_code == 202
            assert await relay.wait_idle(5)
            received = sandbox.received(config.pixel_id)
            assert sorted(e["event_id"] for e in received) == ["s-1", "s-2"]
            assert {e["test_event_code"] for e in received} == {"TEST9"}
            assert len(received[0]["user_data"]["em"][0]) == 64
            # the token is revoked: Meta (the sandbox) answers 190, the pixel is parked
            current["token"] = "EAAwrong" + "w" * 30
            relay.notify_token_changed()
            await client.post(relay.events_url, json=mirror("s-3"))
            assert await wait_for(lambda: relay.health()["status"] == "needs_token")
            rows: dict[str, Any] = {d["event_id"]: d for d in relay.deliveries()}
            assert rows["s-3"]["status"] == "needs_token"
            assert rows["s-3"]["response"]["verdict"]["code"] == 190
            current["token"] = TOKEN
            relay.notify_token_changed()
            assert await wait_for(lambda: relay.health()["queue_depth"] == 0)
            assert sorted(e["event_id"] for e in sandbox.received()) == ["s-1", "s-2", "s-3"]
    finally:
        await relay.stop()
        await sandbox.stop()
