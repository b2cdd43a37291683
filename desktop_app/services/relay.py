"""The relay service: receive mirrors from the snippet, hash, store durably, deliver to Meta.

A plain asyncio object used unchanged by the desktop app (test events), the headless demo and
`pixelbridge relay` on a server. It reports through listener callbacks (`DeliveryUpdate`),
never Qt signals. Contract: docs/internals.md; HTTP: docs/relay-api.md.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from desktop_app import __version__
from desktop_app.capi.graph_api import DEFAULT_GRAPH_URL, MAX_EVENTS_PER_REQUEST
from desktop_app.capi.observations import ServerObservation
from desktop_app.capi.server_event import BuiltEvent, EventShapeError, build_server_event
from desktop_app.capi.user_data import FieldTrace
from desktop_app.capi.validation import blocking
from desktop_app.services.delivery import Deliverer, DeliveryUpdate, RetryPolicy, TokenProvider
from desktop_app.services.diagnostics_log import DiagnosticsLog, RuleDiagnostic
from desktop_app.services.graph_client import GraphClient
from desktop_app.services.http_server import LocalServer
from desktop_app.services.observed_events import ObservedEvents
from desktop_app.services.outbox import NewEvent, Outbox
from desktop_app.services.paths import AppPaths
from desktop_app.services.relay_app import HttpSettings, StorageUnavailable, build_app
from desktop_app.tagger.config import TagConfig

logger = logging.getLogger(__name__)

__all__ = ["DeliveryUpdate", "RelayService", "RelaySettings", "RetryPolicy"]

Listener = Callable[[DeliveryUpdate], None]


def _default_data_dir() -> Path:
    return AppPaths.default().data / "relay"


@dataclass(slots=True)
class RelaySettings:
    host: str = "127.0.0.1"
    port: int = 0
    graph_url: str = DEFAULT_GRAPH_URL
    test_event_code: str | None = None
    data_dir: Path = field(default_factory=_default_data_dir)
    timeout_s: float = 5.0  # per Graph request; Meta suggests ≥ 1.5 s (CAPI troubleshooting)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    batch_size: int = MAX_EVENTS_PER_REQUEST
    trusted_proxies: list[str] = field(default_factory=list)  # X-Forwarded-For from these only
    extra_hosts: list[str] = field(default_factory=list)  # more accepted Host headers
    max_body_bytes: int = 256 * 1024
    rate_limit_per_s: float = 20.0
    rate_limit_burst: int = 200
    rate_limit_loopback: bool = False
    deliveries_public: bool = False
    app_secret: str | None = None
    default_country: str | None = None
    token_poll_s: float = 2.0  # how often a refused/missing token is looked up again
    raw_traces_max: int = 2000  # raw → hash traces kept in memory for the UI, never on disk
    durability: str = "full"  # "full": fsync per commit (power-loss safe); "process": no fsync
    linger_s: float = 0.02  # wait this long after a wake so events close together share a batch
    clock: Callable[[], float] = time.time  # delivery's clock (tests simulate days passing)


class RelayService:
    def __init__(
        self, config: TagConfig, settings: RelaySettings, token_provider: TokenProvider
    ) -> None:
        self.config = config
        self.settings = settings
        self._token_provider = token_provider
        self._listeners: list[Listener] = []
        self._traces: OrderedDict[str, list[FieldTrace]] = OrderedDict()
        self._warnings: list[str] = []
        self._rule_log = DiagnosticsLog()  # broken tag rules reported by pages, memory only
        code_in_config = config.raw.get("test_event_code")
        if settings.test_event_code is None and isinstance(code_in_config, str):
            settings.test_event_code = code_in_config or None
            # A test code in the exported config sends live traffic to Test Events.
            self._warnings.append(
                "test_event_code is set in the config file: remove it for production"
            )
        self.outbox = Outbox(settings.data_dir / "outbox.sqlite3", durability=settings.durability)
        self._observed = ObservedEvents(self.outbox)
        self._client: GraphClient | None = None
        self._deliverer: Deliverer | None = None
        self._server: LocalServer | None = None
        self.url = ""
        self.started_at = 0.0

    # -- lifecycle ---------------------------------------------------------------------
    async def start(self) -> str:
        self.outbox.open()
        self._client = GraphClient(
            self.settings.graph_url,
            timeout_s=self.settings.timeout_s,
            app_secret=self.settings.app_secret,
        )
        self._deliverer = Deliverer(
            self.outbox,
            self._client,
            self._token_provider,
            notify=self._emit,
            policy=self.settings.retry,
            batch_size=self.settings.batch_size,
            token_poll_s=self.settings.token_poll_s,
            linger_s=self.settings.linger_s,
            clock=self.settings.clock,
        )
        self._deliverer.start()
        app = build_app(self, self._http_settings())
        self._server = LocalServer(
            app,
            host=self.settings.host,
            port=self.settings.port,
            name="relay",
            forwarded_allow_ips=",".join(self.settings.trusted_proxies),
        )
        try:
            self.url = await self._server.start()
        except Exception:
            await self._close_delivery()
            raise
        self.started_at = time.time()
        if self.settings.test_event_code:
            logger.warning(
                "test_event_code is set: events go to Events Manager → Test Events "
                "(they still count); remove it in production"
            )
        return self.url

    async def stop(self) -> None:
        """Stop accepting, let the request in flight finish and record, close the store."""
        if self._server is not None:
            await self._server.stop()
            self._server = None
        await self._close_delivery()

    async def _close_delivery(self) -> None:
        if self._deliverer is not None:
            await self._deliverer.stop()
            self._deliverer = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        self.outbox.close()

    def _http_settings(self) -> HttpSettings:
        hosts = ["127.0.0.1", "localhost", "::1", self.settings.host]
        if self.config.relay_url:
            hosts.append(urlsplit(self.config.relay_url).hostname or "")
        hosts.extend(self.settings.extra_hosts)
        return HttpSettings(
            allowed_hosts=[h for h in dict.fromkeys(hosts) if h],
            allowed_origins=self.config.allowed_origins,
            max_body_bytes=self.settings.max_body_bytes,
            rate_limit_per_s=self.settings.rate_limit_per_s,
            rate_limit_burst=self.settings.rate_limit_burst,
            rate_limit_loopback=self.settings.rate_limit_loopback,
            deliveries_public=self.settings.deliveries_public,
        )

    @property
    def events_url(self) -> str:
        return f"{self.url}/v1/events"

    # -- listeners ---------------------------------------------------------------------
    def add_listener(self, callback: Listener) -> None:
        self._listeners.append(callback)

    def remove_listener(self, callback: Listener) -> None:
        if callback in self._listeners:
            self._listeners.remove(callback)

    def _emit(self, update: DeliveryUpdate) -> None:
        for callback in list(self._listeners):
            try:
                callback(update)
            except Exception:
                logger.exception("relay listener failed")

    # -- ingest (called by relay_app) --------------------------------------------------
    async def ingest(
        self, mirrors: Sequence[Any], *, client_ip: str | None, user_agent: str | None
    ) -> dict[str, Any]:
        now = time.time()
        built: list[BuiltEvent] = []
        for index, mirror in enumerate(mirrors):
            try:
                built.append(
                    build_server_event(
                        mirror,
                        default_pixel_id=self.config.pixel_id,
                        client_ip=client_ip,
                        client_user_agent=user_agent,
                        now=now,
                        default_country=self.settings.default_country,
                    )
                )
            except EventShapeError as exc:
                if len(mirrors) > 1:
                    raise EventShapeError(f"events[{index}].{exc.field}", exc.message) from None
                raise
        new = [
            NewEvent(
                pixel_id=b.pixel_id,
                event_name=b.event_name,
                event_id=b.event_id,
                event_time=int(b.event["event_time"]),
                payload=b.event,
                findings=[f.to_json() for f in b.findings],
                test_event_code=self.settings.test_event_code,
                status="blocked" if blocking(b.findings) else "queued",
            )
            for b in built
        ]
        try:
            appended = await self.outbox.append(new, now=now)
        except Exception as exc:
            logger.error("could not store events: %s", exc)
            raise StorageUnavailable("events could not be stored; retry shortly") from None
        duplicates, blocked = [], []
        listening = bool(self._listeners)  # no update objects on a headless relay's hot path
        for item, event, b in zip(appended, new, built, strict=True):
            if item.duplicate:
                duplicates.append(item.event_id)
            else:
                if b.event_id is not None:
                    self._remember(b.event_id, b.traces)
                if event.status == "blocked":
                    blocked.append({"event_id": b.event_id, "findings": event.findings})
            if listening:
                kind = "duplicate" if item.duplicate else event.status
                self._emit(
                    DeliveryUpdate(
                        "accepted" if kind == "queued" else kind,
                        event.pixel_id,
                        event.event_name,
                        event.event_id,
                        event.status if not item.duplicate else "duplicate",
                        findings=event.findings,
                    )
                )
        if self._deliverer is not None:
            self._deliverer.wake()
        return {
            "accepted": len(new),
            "event_ids": [e.event_id for e in new],
            "duplicates": duplicates,
            "blocked": blocked,
        }

    def _remember(self, event_id: str, traces: list[FieldTrace]) -> None:
        self._traces[event_id] = traces
        self._traces.move_to_end(event_id)
        while len(self._traces) > self.settings.raw_traces_max:
            self._traces.popitem(last=False)

    def raw_user_data(self, event_id: str) -> list[FieldTrace] | None:
        """raw → normalized → sha256 per value, from memory only (None once forgotten)."""
        return self._traces.get(event_id)

    # -- broken tag rules (POST /v1/diagnostics) ----------------------------------------
    @property
    def rule_log(self) -> DiagnosticsLog:
        return self._rule_log

    def record_diagnostic(self, item: RuleDiagnostic) -> None:
        """Keep the report and tell listeners: kind `rule_error`, the report in `findings`."""
        self._rule_log.add(item)
        self._emit(
            DeliveryUpdate(
                "rule_error",
                item.pixel_id or self.config.pixel_id,
                "",
                None,
                "rule_error",
                findings=[item.as_finding()],
                at=item.at,
            )
        )

    def rule_diagnostics(self, limit: int | None = None) -> list[RuleDiagnostic]:
        """The latest reports of broken rules, oldest first (same as GET /v1/diagnostics)."""
        return self._rule_log.items(limit)

    # -- state -------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        stats = self.outbox.stats()
        counts: dict[str, int] = stats["counts"]
        pending = sum(counts.get(s, 0) for s in ("queued", "retrying", "sending", "needs_token"))
        oldest = stats["oldest_pending_at"]
        deliverer = self._deliverer
        token_ok = deliverer.token_ok if deliverer else None
        if deliverer is not None and deliverer.has_token is False and pending:
            token_ok = False
        warnings = list(self._warnings)
        if self.settings.test_event_code:
            warnings.append("test_event_code is set: events go to Test Events")
        if deliverer is not None and deliverer.held:
            warnings.append("token expired/invalid — reconnect: store a new access token")
        status = "ok" if token_ok is not False else "needs_token"
        return {
            "status": status,
            "version": __version__,
            "pixel_id": self.config.pixel_id,
            "queue_depth": pending,
            "oldest_pending_s": round(time.time() - oldest, 3) if oldest else 0.0,
            "counts": counts,
            "last_error": deliverer.last_error if deliverer else None,
            "token_ok": token_ok,
            "test_event_code_set": bool(self.settings.test_event_code),
            "warnings": warnings,
            "graph_url": self.settings.graph_url,
            "uptime_s": round(time.time() - self.started_at, 3) if self.started_at else 0.0,
            **self._rule_log.health_fields(),
        }

    def deliveries(self, since: float | None = None, limit: int = 200) -> list[dict[str, Any]]:
        return [row.to_delivery() for row in self.outbox.rows(since=since, limit=limit)]

    def server_observations(self, limit: int = 100_000) -> list[ServerObservation]:
        """The stored events as the side-by-side log pairs them (latest `limit` changes)."""
        return self._observed.latest(limit)

    async def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """True once nothing is queued, retrying or in flight (parked events don't count)."""
        deadline = time.monotonic() + timeout_s
        while True:
            counts = self.outbox.stats()["counts"]
            busy = self._deliverer is not None and self._deliverer.busy
            if not busy and not any(counts.get(s) for s in ("queued", "retrying", "sending")):
                return True
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.01)

    def notify_token_changed(self) -> None:
        """Call after storing a new token so sending resumes at once, not at the next poll."""
        if self._deliverer is not None:
            self._deliverer.token_changed()
