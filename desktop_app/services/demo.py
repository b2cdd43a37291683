"""The embedded default: the whole PixelBridge path on this computer, walked by a browser.

`DemoRun.start()` brings up, on free loopback ports, the Meta sandbox, the demo shop and the
relay pointed at the sandbox (with a test event code), and installs the generated snippet in
the shop. `DemoRun.walk(page)` then shops on a Playwright `Page` — ViewContent, AddToCart,
InitiateCheckout, Purchase with the customer's email/phone/name — waits until the relay has
delivered every server copy, and pairs the Pixel and server events. The page may be a headless
Chromium page (CLI, tests) or the desktop app's embedded browser over CDP.

Progress goes to a callback (`DemoProgress`), so the CLI prints it and the desktop app shows it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.capi.dedup import Pair, pair_events
from desktop_app.capi.observations import PixelObservation, ServerObservation
from desktop_app.services.demo_site import DEMO_SITE_DIR, DemoSiteServer
from desktop_app.services.lifecycle import stop_all
from desktop_app.services.paths import AppPaths
from desktop_app.services.pixel_capture import PixelCapture

if TYPE_CHECKING:
    from playwright.async_api import Page

    from desktop_app.services.relay import RelayService
    from desktop_app.services.sandbox import MetaSandbox
    from desktop_app.tagger.config import TagConfig

logger = logging.getLogger(__name__)

DEMO_TAGS = DEMO_SITE_DIR / "tags.json"
DEMO_TOKEN = "pixelbridge-demo-token"  # only the local sandbox ever sees it
DEMO_TEST_EVENT_CODE = "TEST_PIXELBRIDGE_DEMO"
DEMO_EVENTS = ("ViewContent", "AddToCart", "InitiateCheckout", "Purchase")
STEP_TIMEOUT_S = 15.0
DELIVERY_TIMEOUT_S = 20.0
# Server copies in these states will not change without a retry: pairing can proceed.
SETTLED = frozenset({"delivered", "rejected", "expired", "blocked"})


def _remove_stale_runs(data_dir: Path) -> None:
    """Drop `run-<pid>-…` stores left by demos whose process is gone (killed, crashed)."""
    for run_dir in data_dir.glob("run-*-*"):
        pid = run_dir.name.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(run_dir, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, not ours
        return True
    return True


def counted_once(pair: Pair) -> bool:
    """Both copies share the key *and* Meta has the server copy (a queued one is not counted)."""
    return (
        pair.verdict == "deduplicated"
        and pair.server is not None
        and pair.server.status == "delivered"
    )


class DemoError(RuntimeError):
    """A demo step could not run (a page did not load, a button is missing…)."""


@dataclass(frozen=True, slots=True)
class DemoCustomer:
    """The shopper typed into the checkout form; lives in memory only."""

    email: str = "ada.lovelace@example.com"
    phone: str = "+44 20 7946 0958"
    first_name: str = "Ada"
    last_name: str = "Lovelace"


@dataclass(frozen=True, slots=True)
class DemoProgress:
    step: str  # starting | ready | ViewContent | AddToCart | … | delivering | done | warning
    message: str
    done: int = 0
    total: int = len(DEMO_EVENTS)


ProgressCallback = Callable[[DemoProgress], None]


class DemoRun:
    """Sandbox + relay + demo shop, and the walk through the shop. `stop()` ends everything."""

    def __init__(
        self,
        customer: DemoCustomer | None = None,
        *,
        data_dir: Path | None = None,
        graph_url: str | None = None,
        on_progress: ProgressCallback | None = None,
        test_event_code: str = DEMO_TEST_EVENT_CODE,
        delivery_timeout_s: float = DELIVERY_TIMEOUT_S,
        step_timeout_s: float = STEP_TIMEOUT_S,
    ) -> None:
        self.customer = customer or DemoCustomer()
        self.data_dir = data_dir or AppPaths.default().data / "demo"
        self._graph_url = graph_url  # None: start the built-in sandbox and send there
        self._on_progress = on_progress
        self.test_event_code = test_event_code
        self.delivery_timeout_s = delivery_timeout_s
        self.step_timeout_s = step_timeout_s
        self.capture = PixelCapture()
        self.sandbox: MetaSandbox | None = None
        self.relay: RelayService | None = None
        self.shop: DemoSiteServer | None = None
        self.config: TagConfig | None = None
        self.run_dir: Path | None = None  # this run's relay store, under data_dir
        self.pairs: list[Pair] = []
        self.done = 0

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> str:
        """Start sandbox, shop and relay; return the shop's URL. Cleans up if anything fails."""
        try:
            return await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> str:
        from desktop_app.services.relay import RelayService, RelaySettings
        from desktop_app.services.sandbox import MetaSandbox
        from desktop_app.tagger.config import load_config
        from desktop_app.tagger.snippet import render_snippet

        self._report("starting", "Starting the Meta sandbox, the relay and the demo shop")
        graph_url = self._graph_url
        if graph_url is None:
            self.sandbox = MetaSandbox(token=DEMO_TOKEN)
            graph_url = await self.sandbox.start()
        # The shop starts first: the relay's CORS allow-list needs the shop's origin, and the
        # snippet (which needs the relay's URL) is installed once the relay listens.
        self.shop = DemoSiteServer()
        shop_url = await self.shop.start()
        config = load_config(DEMO_TAGS)
        config.site_url = shop_url
        self.config = config
        # A store of its own per run (the demo's events are not the user's real ones, and two
        # demos may run at once), removed at stop(); `data_dir` may be any folder.
        self.data_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale_runs(self.data_dir)
        self.run_dir = Path(tempfile.mkdtemp(prefix=f"run-{os.getpid()}-", dir=self.data_dir))
        settings = RelaySettings(
            graph_url=graph_url, test_event_code=self.test_event_code, data_dir=self.run_dir
        )
        self.relay = RelayService(config, settings, lambda: DEMO_TOKEN)
        await self.relay.start()
        self.shop.snippet = render_snippet(config, self.relay.events_url)
        self._report("ready", f"Demo shop at {shop_url}")
        return shop_url

    async def stop(self) -> None:
        """Stop relay, shop and sandbox (in that order: the relay may still be sending)."""
        relay, self.relay = self.relay, None
        shop, self.shop = self.shop, None
        sandbox, self.sandbox = self.sandbox, None
        await stop_all((("relay", relay), ("demo shop", shop), ("sandbox", sandbox)))
        run_dir, self.run_dir = self.run_dir, None
        if run_dir is not None:
            shutil.rmtree(run_dir, ignore_errors=True)

    async def __aenter__(self) -> DemoRun:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def shop_url(self) -> str:
        return self.shop.url if self.shop else ""

    # -- the walk ----------------------------------------------------------------------------
    async def walk(self, page: Page) -> list[Pair]:
        """Shop once on `page` and return the Pixel/server pairs."""
        if self.shop is None or self.relay is None:
            raise RuntimeError("DemoRun.start() first")
        await self.capture.attach(page)
        self.done = 0
        first = len(self.capture.observations)  # this walk's Pixel requests start here
        # A second walk in the same run pairs only its own events, not the earlier walks'.
        earlier = {s.event_id for s in self._servers()} | {p.event_id for p in self.pairs}
        customer = self.customer

        await self._step(page, "ViewContent", "Opening a product page", self.shop.product_url())
        await self._step(page, "AddToCart", "Adding it to the cart", click="#add-to-cart")
        await _checked(page.wait_for_selector("#added-note:not([hidden])"), "the cart update")
        await _checked(page.click("#view-cart"), "the View cart link")
        await _checked(page.wait_for_url("**/cart"), "the cart page")
        await self._step(page, "InitiateCheckout", "Going to checkout", click="#checkout-button")
        await _checked(page.wait_for_url("**/checkout"), "the checkout page")
        for selector, value in (
            ("#first_name", customer.first_name),
            ("#last_name", customer.last_name),
            ("#email", customer.email),
            ("#phone", customer.phone),
        ):
            await _checked(page.fill(selector, value), f"the checkout field {selector}")
        await self._step(page, "Purchase", "Placing the order", click="#place-order")

        self._report("delivering", "Waiting for the relay to deliver the server events")
        await self._wait_delivered(first, earlier)
        self.pairs = pair_events(self._pixels_from(first), self._servers_new(earlier))
        conversions = [p for p in self.pairs if p.is_conversion]
        once = sum(map(counted_once, conversions))
        self._report("done", f"{once} of {len(conversions)} conversions counted once")
        return self.pairs

    async def _step(
        self,
        page: Page,
        event_name: str,
        message: str,
        url: str | None = None,
        *,
        click: str | None = None,
    ) -> None:
        self._report(event_name, message)
        since = time.time() - 0.001
        if url is not None:
            await _checked(page.goto(url), f"the page {url}")
        if click is not None:
            await _checked(page.click(click), f"the button {click}")
        try:
            await self.capture.wait_for(
                lambda o: o.event_name == event_name and o.observed_at >= since,
                self.step_timeout_s,
            )
        except TimeoutError:
            self._report(
                "warning", f"No {event_name} Pixel request within {self.step_timeout_s:g} s"
            )
            return
        self.done += 1
        self._report(event_name, f"{event_name} sent by the Pixel")

    async def _wait_delivered(self, first: int, earlier: set[str | None]) -> None:
        """Until every Pixel conversion, and each demo event, has a settled server copy.

        The demo events are waited for by name too: with the Pixel blocked there are no Pixel
        ids to wait for, but the relay still gets (and must deliver) every conversion.
        """
        assert self.relay is not None
        wanted = {(o.event_name, o.event_id) for o in self._pixels_from(first) if o.event_id}
        deadline = time.monotonic() + self.delivery_timeout_s
        while True:
            settled = {
                (s.event_name, s.event_id)
                for s in self._servers_new(earlier)
                if s.status in SETTLED
            }
            names = {name for name, _ in settled}
            if wanted <= settled and names.issuperset(DEMO_EVENTS):
                await self.relay.wait_idle(max(0.1, deadline - time.monotonic()))
                return
            if time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.05)
        pending = {name for name, eid in wanted if (name, eid) not in settled}
        pending |= set(DEMO_EVENTS) - names
        self._report(
            "warning", f"Server copies still queued or missing: {', '.join(sorted(pending))}"
        )

    def _pixels_from(self, first: int) -> list[PixelObservation]:
        return self.capture.observations[first:]

    def _servers_new(self, earlier: set[str | None]) -> list[ServerObservation]:
        return [s for s in self._servers() if s.event_id not in earlier]

    def _servers(self) -> list[ServerObservation]:
        return self.relay.server_observations() if self.relay else []

    def _report(self, step: str, message: str) -> None:
        logger.info("demo: %s", message)
        if self._on_progress is None:
            return
        try:
            self._on_progress(DemoProgress(step, message, self.done))
        except Exception:
            logger.exception("demo progress callback failed")


async def _checked[T](awaitable: Awaitable[T], what: str) -> T:
    """Await a Playwright call; turn its failure into a one-line `DemoError`."""
    try:
        return await awaitable
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DemoError(f"demo step failed at {what}: {first}") from exc
