"""The headless verify job: open a site, replay a journey, capture both channels, pair them.

`VerifyJob(config, settings).run()` launches headless Chromium (or uses a page it is given),
records every Meta Pixel request with `PixelCapture`, and gets the server copies either from
its own relay (`inject=True`: the snippet is injected into the page and a `RelayService`
delivers to `graph_url`, or to a built-in `MetaSandbox` when none is given) or, for a site that
already runs the snippet, from that relay's `GET /v1/deliveries` (loopback/trusted only). It
waits until every browser conversion has a settled server copy (bounded), then pairs them
(`capi/dedup.py`) and returns a `VerifyResult` whose `report()` is the verify JSON.
Progress goes to a callback; no Qt, so the CLI, a cron job and the desktop app share it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from desktop_app.capi.dedup import Pair, pair_events
from desktop_app.capi.emq import estimate
from desktop_app.capi.observations import PixelObservation, ServerObservation
from desktop_app.capi.server_log import ParseProblem, read_documents
from desktop_app.services.journey import Step, replay
from desktop_app.services.lifecycle import stop_all
from desktop_app.services.pixel_capture import PixelCapture
from desktop_app.services.verify_page import Session, injected_script, session_markers

if TYPE_CHECKING:
    from playwright.async_api import Page

    from desktop_app.services.relay import RelayService
    from desktop_app.services.sandbox import MetaSandbox
    from desktop_app.tagger.config import TagConfig

logger = logging.getLogger(__name__)

SANDBOX_TOKEN = "pixelbridge-verify-sandbox"  # only the local sandbox ever sees it
SETTLED = frozenset({"delivered", "rejected", "expired", "blocked"})
Progress = Callable[[str], None]


@dataclass(slots=True)
class VerifySettings:
    url: str
    inject: bool = False
    graph_url: str | None = None  # with inject: None → the built-in sandbox
    relay_url: str | None = None  # without inject: the site's relay (default: config.relay_url)
    journey: list[Step] | None = None
    settle_s: float = 3.0  # without a journey: how long to let the page fire events
    delivery_timeout_s: float = 20.0
    test_event_code: str | None = None
    token_provider: Callable[[], str | None] | None = None
    data_dir: Path | None = None  # the injected relay's outbox (default: a fresh temp folder)


@dataclass(slots=True)
class VerifyResult:
    url: str
    pairs: list[Pair]
    pixels: list[PixelObservation]
    servers: list[ServerObservation]
    notes: list[str] = field(default_factory=list)  # what could not be checked, in plain words
    problems: list[ParseProblem] = field(default_factory=list)
    findings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # event_id → …
    graph_url: str | None = None
    started_at: float = 0.0
    duration_s: float = 0.0

    def report(self) -> dict[str, Any]:
        """The `verify` report context: pass to `dedup.report` / `evidence.evidence_json`."""
        emq: dict[str, Any] = {}
        for pair in self.pairs:
            if pair.server is not None and pair.event_id:
                user_data = pair.server.payload.get("user_data")
                if isinstance(user_data, dict):
                    emq[pair.event_id] = estimate(user_data).to_json()
        return {
            "command": "verify",
            "url": self.url,
            "graph_url": self.graph_url,
            "started_at": self.started_at,
            "duration_s": round(self.duration_s, 2),
            "pixel_requests": len(self.pixels),
            "server_events": len(self.servers),
            "notes": list(self.notes),
            "problems": [p.to_json() for p in self.problems],
            "findings": self.findings,
            "emq": emq,
        }


class VerifyJob:
    def __init__(
        self, config: TagConfig, settings: VerifySettings, *, on_progress: Progress | None = None
    ) -> None:
        self.config = config
        self.settings = settings
        self._on_progress = on_progress
        self.capture = PixelCapture()
        self.relay: RelayService | None = None
        self.sandbox: MetaSandbox | None = None
        self._temp_dir: Any = None

    async def run(self, page: Page | None = None) -> VerifyResult:
        """The whole job; launches (and closes) a headless Chromium when no page is given."""
        if page is not None:
            return await self._run_on(page)
        from desktop_app.services.browser import HeadlessBrowser

        async with HeadlessBrowser() as browser:
            return await self._run_on(await browser.new_page())

    async def _run_on(self, page: Page) -> VerifyResult:
        started = time.time()
        notes: list[str] = []
        try:
            graph_url = await self._start_services()
            await self.capture.attach(page)
            if self.relay is not None:
                await page.add_init_script(script=injected_script(self.config, self.relay))
            await self._browse(page)
            session = await session_markers(page) if self.relay is None else None
            servers, problems, findings = await self._server_side(started, notes, session)
        finally:
            await self._stop_services()
        pixels = [o for o in self.capture.observations if o.observed_at >= started - 1]
        if not pixels:
            notes.append(
                "No Meta Pixel request was seen: the Pixel is not installed on these pages, "
                "is blocked, or waits for consent."
            )
        pairs = pair_events(pixels, servers)
        return VerifyResult(
            url=self.settings.url,
            pairs=pairs,
            pixels=pixels,
            servers=servers,
            notes=notes,
            problems=problems,
            findings=findings,
            graph_url=graph_url,
            started_at=started,
            duration_s=time.time() - started,
        )

    # -- services ----------------------------------------------------------------------------
    async def _start_services(self) -> str | None:
        if not self.settings.inject:
            return None
        import tempfile

        from desktop_app.services.relay import RelayService, RelaySettings
        from desktop_app.services.sandbox import MetaSandbox

        graph_url = self.settings.graph_url
        token_provider = self.settings.token_provider
        if graph_url is None:
            self.sandbox = MetaSandbox(token=SANDBOX_TOKEN)
            graph_url = await self.sandbox.start()
            token_provider = _constant(SANDBOX_TOKEN)
            self._report(f"Built-in Meta sandbox at {graph_url}")
        data_dir = self.settings.data_dir
        if data_dir is None:
            self._temp_dir = tempfile.TemporaryDirectory(prefix="pixelbridge-verify-")
            data_dir = Path(self._temp_dir.name)
        # The relay must accept the site's origins (CORS allow-list) for this run: the start
        # page's and those the journey goes to.
        urls = [self.settings.url] + [
            urljoin(self.settings.url, step.url)
            for step in self.settings.journey or []
            if step.action == "goto" and step.url
        ]
        for origin in filter(None, map(_origin, urls)):
            if origin not in self.config.site_origins:
                self.config.site_origins = [*self.config.site_origins, origin]
        settings = RelaySettings(
            graph_url=graph_url, test_event_code=self.settings.test_event_code, data_dir=data_dir
        )
        self.relay = RelayService(self.config, settings, token_provider or _constant(None))
        await self.relay.start()
        self._report(f"Relay for the injected snippet at {self.relay.events_url}")
        return graph_url

    async def _stop_services(self) -> None:
        await stop_all((("relay", self.relay), ("sandbox", self.sandbox)))
        self.relay = self.sandbox = None
        if self._temp_dir is not None:
            self._temp_dir.cleanup()
            self._temp_dir = None

    # -- the visit ---------------------------------------------------------------------------
    async def _browse(self, page: Page) -> None:
        settings = self.settings
        self._report(f"Opening {settings.url}")
        await page.goto(settings.url, wait_until="load", timeout=30_000)
        if settings.journey:
            self._report(f"Replaying the journey ({len(settings.journey)} steps)")
            await replay(page, settings.journey, settings.url)
        # Events fired on load or by the last step may still be on their way (timers,
        # beacons on unload): give the page a bounded moment, as a visitor would stay.
        await page.wait_for_timeout(settings.settle_s * 1000)

    async def _server_side(
        self, started: float, notes: list[str], session: Session | None
    ) -> tuple[list[ServerObservation], list[ParseProblem], dict[str, list[dict[str, Any]]]]:
        wanted = {
            (o.event_name, o.event_id)
            for o in self.capture.observations
            if o.event_id and o.event_name != "PageView"
        }
        deadline = time.monotonic() + self.settings.delivery_timeout_s
        rows: list[dict[str, Any]] = []
        source = "relay"
        while True:
            rows, error = await self._deliveries(started)
            if error:
                notes.append(error)
                return [], [], {}
            if session is not None:
                rows = [r for r in rows if session.owns(r)]
            settled = {(r["event_name"], r["event_id"]) for r in rows if r["status"] in SETTLED}
            if wanted <= settled and (self.relay is None or await self.relay.wait_idle(0.05)):
                break
            if time.monotonic() >= deadline:
                pending = sorted(f"{n} {i}" for n, i in wanted - settled)
                if pending:
                    notes.append(f"Server copies still missing or queued: {', '.join(pending)}")
                break
            await asyncio.sleep(0.1)
        if session is not None:
            # A live site's relay also serves every other visitor's events: keep ours only.
            rows = [r for r in rows if session.owns(r)]
        if rows:
            self._report(f"{len(rows)} server event(s) from the relay")
        log = read_documents(rows, source)
        findings = {str(r.get("event_id")): r["findings"] for r in rows if r.get("findings")}
        return log.servers, log.problems, findings

    async def _deliveries(self, started: float) -> tuple[list[dict[str, Any]], str | None]:
        if self.relay is not None:
            rows = [r for r in self.relay.deliveries(limit=1000) if r["received_at"] >= started - 1]
            return rows, None
        relay_url = self.settings.relay_url or self.config.relay_url
        if not relay_url:
            return [], (
                "No relay to ask for the server side (no --inject, no relay URL in the config): "
                "every conversion shows as browser only."
            )
        import httpx

        base = relay_url.rstrip("/").removesuffix("/v1/events")
        try:
            async with httpx.AsyncClient(timeout=5.0) as client:
                response = await client.get(
                    f"{base}/v1/deliveries", params={"since": started - 1, "limit": 1000}
                )
        except httpx.HTTPError as exc:
            return [], f"The relay at {base} did not answer ({type(exc).__name__})."
        if response.status_code != 200:
            return [], (
                f"The relay at {base} refused the deliveries list (HTTP {response.status_code}); "
                "it serves it to loopback only unless deliveries_public is set."
            )
        data = response.json()
        found = data.get("deliveries") if isinstance(data, dict) else None
        return (found if isinstance(found, list) else []), None

    def _report(self, message: str) -> None:
        logger.info("verify: %s", message)
        if self._on_progress is not None:
            try:
                self._on_progress(message)
            except Exception:
                logger.exception("verify progress callback failed")


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _constant(value: str | None) -> Callable[[], str | None]:
    return lambda: value
