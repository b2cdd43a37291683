"""Fixtures for the relay tests: a Graph stand-in, a tag config, a relay factory."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from graph_standin import GraphStandIn  # noqa: E402

from desktop_app.services.delivery import RetryPolicy  # noqa: E402
from desktop_app.services.relay import RelayService, RelaySettings  # noqa: E402
from desktop_app.tagger.config import TagConfig, parse_config  # noqa: E402

PIXEL = "1234567890"
SITE = "http://127.0.0.1:8123"
FAST_RETRY = RetryPolicy(base_s=0.01, factor=2.0, cap_s=0.05, jitter=0.5)


@pytest.fixture
def config() -> TagConfig:
    return parse_config(
        {
            "pixel_id": PIXEL,
            "rules": [],
            "relay_url": "http://relay.example.test",
            "site": {"url": f"{SITE}/shop", "origins": ["https://shop.example.test"]},
        }
    )


class Harness:
    """A Graph stand-in plus relays started on demand; everything stops on exit."""

    def __init__(self, tmp_path: Path, config: TagConfig) -> None:
        self.tmp_path = tmp_path
        self.config = config
        self.standin = GraphStandIn()
        self.relays: list[RelayService] = []

    @property
    def graph_url(self) -> str:
        return f"http://127.0.0.1:{self.standin.port}"

    async def relay(
        self,
        graph_url: str | None = None,
        token: Callable[[], str | None] = lambda: "good-token",
        **overrides: Any,
    ) -> RelayService:
        cfg = overrides.pop("config", self.config)
        settings = RelaySettings(
            graph_url=graph_url or self.graph_url,
            data_dir=overrides.pop("data_dir", self.tmp_path / f"relay{len(self.relays)}"),
            retry=overrides.pop("retry", FAST_RETRY),
            timeout_s=overrides.pop("timeout_s", 2.0),
            token_poll_s=overrides.pop("token_poll_s", 0.05),
            **overrides,
        )
        relay = RelayService(cfg, settings, token)
        await relay.start()
        self.relays.append(relay)
        return relay


@pytest.fixture
def harness(tmp_path: Path, config: TagConfig) -> Callable[[], Any]:
    """`async with harness() as h:` inside the test body.

    Not an async fixture on purpose: pytest-qt runs `processEvents()` between setup, call and
    teardown, which steps qasync timers with no running loop; servers must not live across
    those phases (same finding as tests/sandbox/conftest.py).
    """

    @asynccontextmanager
    async def run() -> AsyncIterator[Harness]:
        h = Harness(tmp_path, config)
        await h.standin.start()
        try:
            yield h
        finally:
            for relay in h.relays:
                await relay.stop()
            await h.standin.stop()

    return run


def mirror(event_id: str, name: str = "Purchase", **extra: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event_name": name,
        "event_id": event_id,
        "event_source_url": f"{SITE}/shop/checkout",
        "user_data": {"email": "Jane.Doe@Example.com", "phone": "+1 (650) 555-1212"},
        "custom_data": {"value": 42.5, "currency": "USD"},
        "fbp": "fb.1.1700000000000.1234567890",
    }
    event.update(extra)
    return event


async def wait_for(condition: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    """Poll a condition in a bounded loop (no sleep-as-synchronisation)."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.005)
    return True


def alive(pid: int) -> bool:
    """The process runs: it exists and is not a zombie waiting to be reaped (Linux /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")
