""" "Test this rule" on the owner's own site: a `SiteSession` feeding the Events tab live.

The tagging presenter calls `prepare(page, rules)` before it fires a rule. The first time, on a
page without a PixelBridge snippet, this starts the session (sandbox, relay, capture, injected
snippet; services/site_session.py) and pairs its two channels into the log the same way the demo
does (views/live_pairs.py). Every time, the page is reloaded so it runs the current rules. A page
that already runs a PixelBridge snippet (the demo shop, or a site where it is installed) is left
alone: its own relay is in charge there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from desktop_app.views.live_pairs import LivePairs

if TYPE_CHECKING:
    from playwright.async_api import Page

    from desktop_app.services.site_session import SiteSession
    from desktop_app.views.pair_model import PairTableModel

logger = logging.getLogger(__name__)

# The sandbox needs a Pixel ID in the URL; before the owner enters theirs, any digits do.
PLACEHOLDER_PIXEL_ID = "1000000000000001"
HAS_SNIPPET_JS = "() => !!(window.pixelbridge && window.pixelbridge.v)"


class SiteSessionPresenter:
    def __init__(
        self,
        model: PairTableModel,
        *,
        pixel_id: Callable[[], str] = lambda: "",
        test_event_code: Callable[[], str] = lambda: "",
    ) -> None:
        self.model = model
        self._pixel_id = pixel_id
        self._test_event_code = test_event_code
        self.session: SiteSession | None = None
        self._live: LivePairs | None = None

    def raw_user_data(self, event_id: str) -> Any:
        relay = self.session.relay if self.session else None
        return relay.raw_user_data(event_id) if relay else None

    async def prepare(self, page: Page, rules: list[dict[str, Any]]) -> str:
        """Before a test: make `page` run `rules` (starting the session once). Returns words."""
        from desktop_app.services.site_session import origin_of

        session = self.session
        if session is not None and (
            session.page is not page or origin_of(page.url) not in session.config.allowed_origins
        ):
            await self.stop()  # another page or site: its origin must be on the allow-list
            session = None
        if session is None:
            if await self._has_snippet(page):
                return ""
            session = await self._start(page, rules)
            started = "Started a test session (built-in Meta sandbox). "
        else:
            await session.update_rules(rules)
            started = ""
        await page.reload()
        return started + "Reloaded the page with your rules."

    @staticmethod
    async def _has_snippet(page: Page) -> bool:
        try:
            return bool(await page.evaluate(HAS_SNIPPET_JS))
        except Exception:  # navigating: treat as "no snippet", the session is harmless then
            logger.debug("snippet check failed", exc_info=True)
            return False

    async def _start(self, page: Page, rules: list[dict[str, Any]]) -> SiteSession:
        from desktop_app.services.site_session import SiteSession, origin_of
        from desktop_app.tagger.config import TagConfig

        config = TagConfig(
            pixel_id=self._pixel_id() or PLACEHOLDER_PIXEL_ID,
            site_url=origin_of(page.url),
            rules=[dict(r) for r in rules],
        )
        session = SiteSession(config, page, test_event_code=self._test_event_code() or None)
        await session.start()
        self.session = session
        relay = session.relay
        live = LivePairs(
            lambda: session.capture.observations,
            lambda: relay.server_observations() if relay else [],
            self.model.pairs,
            self.model.set_pairs,
        )
        session.capture.add_listener(live.poke)
        if relay is not None:
            relay.add_listener(live.poke)
        self._live = live
        return session

    async def stop(self) -> None:
        live, self._live = self._live, None
        if live is not None:
            await live.close()
        session, self.session = self.session, None
        if session is not None:
            await session.stop()
