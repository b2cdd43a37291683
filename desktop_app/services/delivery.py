"""Deliver the outbox to Meta: batches of ≤ 1,000 per pixel, retries by Graph error code.

- transient answers (codes 1/2/4/17/32/341/613/368/80000–80014, 5xx, timeouts, network
  errors) → exponential backoff with jitter and a cap, same event_id (Meta deduplicates);
- code 100 → the event is kept with Meta's message and never resent. Meta rejects the whole
  batch when one event is invalid (https://developers.facebook.com/documentation/ads-commerce/conversions-api/using-the-api),
  so a refused batch is split in halves until the bad event stands alone: good events
  are not lost with it;
- 190 / permissions → sending stops for that pixel (events parked as `needs_token`) until the
  token provider returns a different token;
- events whose event_time passes Meta's 7-day limit while queued are marked `expired`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from desktop_app.capi.graph_api import MAX_EVENT_AGE_S, MAX_EVENTS_PER_REQUEST
from desktop_app.capi.graph_errors import Outcome
from desktop_app.services.graph_client import GraphClient, GraphResult
from desktop_app.services.outbox import Outbox, OutboxRow

logger = logging.getLogger(__name__)

TokenProvider = Callable[[], str | None]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base_s: float = 1.0
    factor: float = 2.0
    cap_s: float = 300.0
    jitter: float = 0.5  # fraction of the delay that is randomised (spreads retry storms)

    def delay(self, attempts: int, rand: Callable[[], float] = random.random) -> float:
        raw = min(self.cap_s, self.base_s * self.factor ** max(0, attempts - 1))
        return raw * (1 - self.jitter) + raw * self.jitter * rand()


@dataclass(frozen=True, slots=True)
class DeliveryUpdate:
    """One change in an event's life: accepted, sending, delivered, retrying, rejected, …"""

    # accepted | duplicate | blocked | sending | delivered | retrying | rejected | needs_token
    # | expired
    kind: str
    pixel_id: str
    event_name: str
    event_id: str | None
    status: str
    attempts: int = 0
    response: dict[str, Any] | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    at: float = field(default_factory=time.time)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_row(cls, kind: str, row: OutboxRow) -> DeliveryUpdate:
        return cls(
            kind,
            row.pixel_id,
            row.event_name,
            row.event_id,
            row.status,
            row.attempts,
            row.response,
            row.findings,
        )


def token_fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:16]


_STATUS_FOR = {
    Outcome.DELIVERED: "delivered",
    Outcome.RETRY: "retrying",
    Outcome.REJECT: "rejected",
    Outcome.AUTH: "needs_token",
}


class Deliverer:
    """A single asyncio task draining the outbox; `wake()` after new events are committed."""

    def __init__(
        self,
        outbox: Outbox,
        client: GraphClient,
        token_provider: TokenProvider,
        *,
        notify: Callable[[DeliveryUpdate], None],
        policy: RetryPolicy | None = None,
        batch_size: int = MAX_EVENTS_PER_REQUEST,
        token_poll_s: float = 2.0,
        linger_s: float = 0.02,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._outbox = outbox
        self._client = client
        self._token_provider = token_provider
        self._notify = notify
        self.policy = policy or RetryPolicy()
        self.batch_size = min(batch_size, MAX_EVENTS_PER_REQUEST)
        self._token_poll_s = token_poll_s
        self._linger_s = linger_s
        self._clock = clock
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.in_flight = 0
        self.held: dict[str, str] = {}  # pixel → fingerprint of the token Meta refused
        self.backoff: dict[str, float] = {}  # pixel → clock time before which it is not sent
        self.token_ok: bool | None = None  # None until a token has been tried
        self.has_token: bool | None = None  # None until the provider was asked
        self.last_error: dict[str, Any] | None = None
        self.requests_sent = 0
        self._token: str | None = None
        self._token_checked = -1e9  # monotonic time of the last token lookup

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="relay-delivery")

    def wake(self) -> None:
        self._wake.set()

    def token_changed(self) -> None:
        """Look the token up again now (instead of at the next poll) and resume."""
        self._token_checked = -1e9
        self._wake.set()

    async def stop(self) -> None:
        """Finish the request in flight (its answer is recorded), then stop."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @property
    def stopping(self) -> bool:
        return self._stopping

    @property
    def busy(self) -> bool:
        return self.in_flight > 0

    async def _run(self) -> None:
        await self._outbox.release_held()  # a restart may bring a new token: try again
        last_expiry = -1e18
        while not self._stopping:
            self._wake.clear()
            try:
                if self._clock() - last_expiry > 30:
                    await self._expire()
                    last_expiry = self._clock()
                worked = await self._round()
            except Exception:
                logger.exception("delivery round failed")
                worked = False
            if self.stopping:
                break
            if not worked:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._idle_wait())
            if self._linger_s and self.has_token and not self.stopping:
                # Let events arriving together leave together: one request, not one each.
                await asyncio.sleep(self._linger_s)

    def _idle_wait(self) -> float:
        if self.has_token is False:  # nothing can be sent before the next token lookup
            return max(0.001, self._token_checked + self._token_poll_s - time.monotonic())
        now = self._clock()
        wait = 30.0
        due = self._outbox.next_due_at()
        if due is not None:
            wait = min(wait, max(0.0, due - now))
        if self.backoff:
            wait = min(wait, max(0.0, min(self.backoff.values()) - now))
        if self.held:
            wait = min(wait, self._token_poll_s)
        return wait + 0.001

    async def _expire(self) -> None:
        limit = int(self._clock()) - MAX_EVENT_AGE_S
        response = {
            "verdict": {
                "outcome": "expired",
                "message": "event_time passed Meta's 7-day limit while the event was queued",
                "advice": "Fix what kept it from being sent; Meta will not accept it any more.",
            }
        }
        for row in await self._outbox.expire(limit, response):
            self._emit(DeliveryUpdate.from_row("expired", row))

    def _current_token(self) -> tuple[str | None, bool]:
        """(token, looked up just now). The provider may ask the OS keyring over D-Bus, so
        it is asked at most once per poll interval (or at once after `token_changed`)."""
        if time.monotonic() - self._token_checked < self._token_poll_s:
            return self._token, False
        self._token = self._token_provider()
        self._token_checked = time.monotonic()
        self.has_token = bool(self._token)
        return self._token, True

    async def _round(self) -> bool:
        now = self._clock()
        token, fresh = self._current_token()
        if not token:
            if fresh and self._outbox.has_due(now):
                self.last_error = {
                    "message": "no access token: events are kept until one is stored",
                    "advice": "Store the pixel's access token (keyring) or set "
                    "PIXELBRIDGE_ACCESS_TOKEN.",
                    "at": now,
                }
            return False
        if not self.held and not self._outbox.has_due(now):
            return False
        worked = False
        fingerprint = token_fingerprint(token)
        for pixel, refused in list(self.held.items()):
            if refused != fingerprint:  # a new token: resume
                del self.held[pixel]
                released = await self._outbox.release_held(pixel)
                logger.info("new token for pixel %s: resuming %d events", pixel, released)
                worked = True
        for pixel in self._outbox.pending_pixels(now):
            if pixel in self.held or self.backoff.get(pixel, 0) > now or self._stopping:
                continue
            rows = await self._outbox.claim(pixel, self.batch_size, now)
            if rows:
                await self._deliver(pixel, rows, token)
                worked = True
        return worked

    async def _deliver(self, pixel: str, rows: list[OutboxRow], token: str) -> None:
        # Busy from claim to recorded answer, so `wait_idle` never sees a half-done batch.
        self.in_flight += 1
        try:
            await self._send(pixel, rows, token)
        finally:
            self.in_flight -= 1

    async def _send(self, pixel: str, rows: list[OutboxRow], token: str) -> None:
        for row in rows:
            self._emit(DeliveryUpdate.from_row("sending", row))
        result = await self._client.send(
            pixel,
            [row.payload for row in rows],
            token=token,
            test_event_code=rows[0].test_event_code,
        )
        self.requests_sent += 1
        outcome = result.verdict.outcome
        if outcome is Outcome.REJECT and len(rows) > 1:
            # One bad event sinks the batch: find it by halving, keep the rest flowing.
            await self._outbox.update(
                [r.id for r in rows], status="sending", response=result.response_record()
            )
            middle = len(rows) // 2
            for part in (rows[:middle], rows[middle:]):
                for row in part:
                    row.attempts += 1
                await self._send(pixel, part, token)
            return
        await self._record(pixel, rows, result, token)

    async def _record(
        self, pixel: str, rows: list[OutboxRow], result: GraphResult, token: str
    ) -> None:
        verdict = result.verdict
        status = _STATUS_FOR[verdict.outcome]
        now = self._clock()
        response = result.response_record()
        next_at = 0.0
        if verdict.outcome is Outcome.RETRY:
            attempts = max(r.attempts for r in rows) + 1
            next_at = now + self.policy.delay(attempts)
        await self._outbox.update(
            [r.id for r in rows],
            status=status,
            response=response,
            next_attempt_at=next_at,
            sent_at=now,
        )
        # State changes after the commit, so observers never see state ahead of the store.
        if verdict.outcome is Outcome.RETRY:
            # Meta is struggling: hold the whole pixel (new events too) until the backoff ends.
            self.backoff[pixel] = next_at
        else:
            self.backoff.pop(pixel, None)
        if verdict.outcome is Outcome.DELIVERED:
            self.token_ok = True
        else:
            self.last_error = {**verdict.to_json(), "pixel_id": pixel, "at": now}
            logger.warning(
                "pixel %s: %d events %s: %s — %s",
                pixel,
                len(rows),
                status,
                verdict.message,
                verdict.advice,
            )
        if verdict.outcome is Outcome.AUTH:
            self.token_ok = False
            self.held[pixel] = token_fingerprint(token)
        for row in rows:
            row.status, row.response, row.attempts = status, response, row.attempts + 1
            self._emit(DeliveryUpdate.from_row(status, row))

    def _emit(self, update: DeliveryUpdate) -> None:
        try:
            self._notify(update)
        except Exception:
            logger.exception("delivery listener failed")
