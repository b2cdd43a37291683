"""Fault matrix: every accepted event reaches the Graph stand-in's final tally exactly once
(a duplicate only ever with the same event_id), and nothing is resent after 100 or 190.

Real loopback HTTP against `GraphStandIn`, real SQLite; retries are fast (10–50 ms backoff).
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from conftest import Harness, mirror, wait_for

from desktop_app.capi.graph_errors import GRAPH_ERROR_RULES, Outcome
from desktop_app.services.relay import RelayService

pytestmark = pytest.mark.asyncio

RETRYABLE_CODES = sorted(
    c for c, rule in GRAPH_ERROR_RULES.items() if rule.outcome is Outcome.RETRY
)


async def accept(relay: RelayService, events: list[dict[str, Any]]) -> list[str]:
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            relay.events_url,
            content=json.dumps({"events": events}),
            headers={"content-type": "application/json"},
        )
    assert answer.status_code == 202, answer.text
    return [str(i) for i in answer.json()["event_ids"]]


def assert_exactly_once(h: Harness, accepted: list[str]) -> None:
    assert set(h.standin.delivered) == set(accepted)
    assert all(count == 1 for count in h.standin.delivered.values()), h.standin.delivered


# (name, script for the stand-in's next answers)
FAULTS: list[tuple[str, list[tuple[Any, ...]]]] = [
    ("500 burst", [("status", 500)] * 4),
    ("503 burst", [("status", 503)] * 3),
    ("502 then 504", [("status", 502), ("status", 504)]),
    ("transient flag", [("code", 999, 500)]),
    ("429 without envelope", [("status", 429)] * 2),
    ("code 4 twice", [("code", 4, 400), ("code", 4, 400)]),
    # every retryable code of the table, one after the other, on the same batch
    ("every retryable code", [("code", code, 400) for code in RETRYABLE_CODES]),
]


@pytest.mark.parametrize(("name", "script"), FAULTS, ids=[f[0] for f in FAULTS])
async def test_transient_faults_deliver_exactly_once(
    harness: Any, name: str, script: list[tuple[Any, ...]]
) -> None:
    async with harness() as h:
        h.standin.script = list(script)
        relay = await h.relay()
        accepted = await accept(relay, [mirror(f"{name}-{i}") for i in range(20)])
        assert await relay.wait_idle(10)
        assert_exactly_once(h, accepted)
        # every scripted failure was answered, then one successful request
        assert [s.answer for s in h.standin.seen][-1] == "ok"
        assert len(h.standin.seen) == len(script) + 1
        (row, *_) = relay.deliveries()
        assert row["status"] == "delivered" and row["attempts"] == len(script) + 1


async def test_hang_past_timeout_then_recovers(harness: Any) -> None:
    async with harness() as h:
        h.standin.script = [("hang",)]
        relay = await h.relay(timeout_s=0.3)
        accepted = await accept(relay, [mirror(f"h{i}") for i in range(10)])
        assert await h.standin.hanging.wait() is True
        assert await relay.wait_idle(10)
        assert_exactly_once(h, accepted)
        last = relay.deliveries()[0]
        assert last["attempts"] == 2
        assert relay.health()["last_error"]["message"] == "timed out waiting for Meta"


async def test_connection_refused_for_a_while(harness: Any) -> None:
    async with harness() as h:
        port = h.standin.port
        await h.standin.stop()  # Meta unreachable: connection refused
        relay = await h.relay(graph_url=f"http://127.0.0.1:{port}")
        accepted = await accept(relay, [mirror(f"r{i}") for i in range(15)])
        assert await wait_for(lambda: relay.deliveries()[0]["attempts"] >= 3)
        health = relay.health()
        assert health["queue_depth"] == 15
        assert "network error" in health["last_error"]["message"]
        await h.standin.start(port=port)
        assert await relay.wait_idle(10)
        assert_exactly_once(h, accepted)


async def test_code_100_isolates_the_bad_event_and_never_resends_it(harness: Any) -> None:
    async with harness() as h:
        h.standin.reject_ids = {"bad-7"}
        relay = await h.relay()
        ids = [f"ok-{i}" for i in range(16)]
        ids[7] = "bad-7"
        await accept(relay, [mirror(i) for i in ids])
        assert await relay.wait_idle(10)
        good = [i for i in ids if i != "bad-7"]
        assert_exactly_once(h, good)
        statuses = {d["event_id"]: d for d in relay.deliveries(limit=100)}
        bad = statuses["bad-7"]
        assert bad["status"] == "rejected"
        assert bad["response"]["verdict"]["code"] == 100
        assert bad["response"]["body"]["error"]["message"] == "Invalid parameter"
        # halving 16 → 8 → 4 → 2 → 1: the bad event alone is refused once, then left alone
        alone = [s for s in h.standin.requests_with("bad-7") if s.event_ids == ["bad-7"]]
        assert len(alone) == 1
        assert len(h.standin.requests_with("bad-7")) == 5
        before = len(h.standin.seen)
        await accept(relay, [mirror("after-1")])
        assert await relay.wait_idle(5)
        assert len(h.standin.seen) == before + 1
        assert "bad-7" not in h.standin.seen[-1].event_ids


async def test_code_190_parks_the_pixel_until_a_new_token(harness: Any) -> None:
    async with harness() as h:
        h.standin.valid_tokens = {"new-token"}
        current = {"token": "expired-token"}
        relay = await h.relay(token=lambda: current["token"])
        accepted = await accept(relay, [mirror(f"t{i}") for i in range(12)])
        assert await wait_for(lambda: relay.health()["token_ok"] is False)
        health = relay.health()
        assert health["status"] == "needs_token"
        assert "reconnect" in health["last_error"]["advice"]
        assert {d["status"] for d in relay.deliveries()} == {"needs_token"}
        # more events arrive; none is sent while the token is the refused one
        accepted += await accept(relay, [mirror("t-late")])
        polls_before = len(h.standin.seen)
        # several token polls (50 ms each) pass without a request to Meta
        assert not await wait_for(lambda: len(h.standin.seen) > polls_before, timeout_s=0.4)
        assert len(h.standin.seen) == 1
        current["token"] = "new-token"
        relay.notify_token_changed()
        assert await relay.wait_idle(10)
        assert_exactly_once(h, accepted)
        assert relay.health()["token_ok"] is True


async def test_batches_of_at_most_1000_per_pixel(harness: Any) -> None:
    async with harness() as h:
        h.standin.script = [("status", 503)]  # let a backlog build up behind one failure
        relay = await h.relay(max_body_bytes=4 * 1024 * 1024)
        other_pixel = "999000999"
        events = [mirror(f"b{i}") for i in range(2300)]
        events += [mirror(f"o{i}", pixel_id=other_pixel) for i in range(300)]
        accepted: list[str] = []
        for start in range(0, len(events), 1000):
            accepted += await accept(relay, events[start : start + 1000])
        assert await relay.wait_idle(30)
        assert_exactly_once(h, accepted)
        sizes = [len(s.event_ids) for s in h.standin.seen]
        assert max(sizes) == 1000
        for seen in h.standin.seen:
            assert len({e.startswith("o") for e in seen.event_ids}) == 1, "pixels mixed"
            expected = other_pixel if seen.event_ids[0].startswith("o") else "1234567890"
            assert seen.pixel_id == expected


async def test_expired_while_queued_is_marked_not_dropped(harness: Any) -> None:
    async with harness() as h:
        h.standin.valid_tokens = set()  # nothing gets through: events wait in the queue
        relay = await h.relay()
        await accept(relay, [mirror("stale-1")])
        assert await wait_for(lambda: relay.health()["token_ok"] is False)
        await relay.stop()
        # restart eight days later: the queued event passed Meta's 7-day limit meanwhile
        later = await h.relay(
            data_dir=relay.settings.data_dir, clock=lambda: time.time() + 8 * 24 * 3600
        )
        assert await wait_for(lambda: later.deliveries()[0]["status"] == "expired")
        assert len(h.standin.seen) == 1
