"""A test session on the owner's own site: the rules run in the visible page without installing
anything there.

"Test this rule" on the demo shop works because its pages carry the snippet, a relay and the
pixel capture. On the owner's site none of that exists yet, so `SiteSession` brings it, as
`verify --inject` does (services/verify.py): a built-in `MetaSandbox`, a `RelayService` that
accepts the site's origin and delivers there with the workspace's test event code, a
`PixelCapture` on the page, and the snippet for the current rules as an init script (top frame
only). A page that already runs a PixelBridge snippet keeps its own: the runtime returns when
`window.pixelbridge.v` is already set (resources/snippet/runtime.js), and the site's inline copy
runs before the injected one (which waits for DOMContentLoaded).

Init scripts stay for the page's lifetime, so `update_rules` adds a newer one and each copy
registers itself in a slot that the next copy overwrites: on the next load only the last
registered copy runs. Qt-free; callers listen to `capture` and `relay` for live updates.
"""

from __future__ import annotations

import copy
import json
import logging
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from desktop_app.services.lifecycle import stop_all

if TYPE_CHECKING:
    from playwright.async_api import Page

    from desktop_app.services.relay import RelayService
    from desktop_app.services.sandbox import MetaSandbox
    from desktop_app.tagger.config import TagConfig


logger = logging.getLogger(__name__)

SANDBOX_TOKEN = "pixelbridge-site-session-sandbox"  # only the local sandbox ever sees it
# Where each injected copy leaves its run function; the DOMContentLoaded hook runs the last one.
SLOT = "__pixelbridgeSessionRun"


def session_script(config: TagConfig, relay_url: str) -> str:
    """The snippet for `config` as an init script that a later one replaces."""
    from desktop_app.tagger.snippet import render_snippet

    html = render_snippet(config, relay_url)
    body = html[html.index(">") + 1 : html.rindex("</script>")]
    slot = json.dumps(SLOT)
    # Top frame only (init scripts also run in every iframe). Every copy overwrites the slot;
    # the first one hooks DOMContentLoaded, by which time all copies have registered.
    return (
        "(function(){if(window.top!==window)return;var first=!window[" + slot + "];"
        "window[" + slot + "]=function(){\n" + body + "\n};"
        "if(!first)return;var run=function(){window[" + slot + "]();};"
        "if(document.readyState==='loading'){document.addEventListener('DOMContentLoaded',run);}"
        "else{run();}})();"
    )


def origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


class SiteSession:
    """Sandbox + relay + capture + injected snippet for one page of the owner's site."""

    def __init__(
        self,
        config: TagConfig,
        page: Page,
        *,
        test_event_code: str | None = None,
        data_dir: Path | None = None,
    ) -> None:
        from desktop_app.services.pixel_capture import PixelCapture

        self.config = copy.deepcopy(config)  # the session's allow-list must not leak back
        self.page = page
        self.capture = PixelCapture()
        self.relay: RelayService | None = None
        self.sandbox: MetaSandbox | None = None
        self._test_event_code = test_event_code or None
        self._data_dir = data_dir
        self._temp_dir: tempfile.TemporaryDirectory[str] | None = None
        self._scripts: list[Any] = []  # Disposables from add_init_script (when supported)

    @property
    def running(self) -> bool:
        return self.relay is not None

    async def start(self, origins: list[str] | None = None) -> None:
        """Start the sandbox and relay, capture the page's Pixel, inject the rules' snippet."""
        from desktop_app.services.relay import RelayService, RelaySettings
        from desktop_app.services.sandbox import MetaSandbox

        if self.running:
            return
        wanted = [o for o in [origin_of(self.page.url), *(origins or [])] if o]
        for origin in wanted:
            if origin not in self.config.allowed_origins:
                self.config.site_origins = [*self.config.site_origins, origin]
        try:
            self.sandbox = MetaSandbox(token=SANDBOX_TOKEN)
            graph_url = await self.sandbox.start()
            data_dir = self._data_dir
            if data_dir is None:
                self._temp_dir = tempfile.TemporaryDirectory(prefix="pixelbridge-session-")
                data_dir = Path(self._temp_dir.name)
            settings = RelaySettings(
                graph_url=graph_url, test_event_code=self._test_event_code, data_dir=data_dir
            )
            self.relay = RelayService(self.config, settings, lambda: SANDBOX_TOKEN)
            await self.relay.start()
            await self.capture.attach(self.page)
            await self._inject()
        except BaseException:
            await self.stop()
            raise
        logger.info("site session: relay at %s, sandbox at %s", self.relay.events_url, graph_url)

    async def _inject(self) -> None:
        if self.relay is None:
            return
        script = session_script(self.config, self.relay.events_url)
        self._scripts.append(await self.page.add_init_script(script=script))

    async def update_rules(self, rules: list[dict[str, Any]]) -> None:
        """The rules changed: the next load of the page runs these."""
        self.config.rules = copy.deepcopy(rules)
        await self._inject()

    async def stop(self) -> None:
        page = self.page
        if not page.is_closed():
            try:
                await self.capture.detach(page)
            except Exception:
                logger.debug("could not detach the pixel capture", exc_info=True)
            for disposable in self._scripts:
                try:  # scripts cannot always be removed (then they die with the page)
                    await disposable.dispose()
                except Exception:
                    logger.debug("could not remove an injected snippet", exc_info=True)
        self._scripts = []
        await stop_all((("relay", self.relay), ("sandbox", self.sandbox)))
        self.relay = self.sandbox = None
        if self._temp_dir is not None:
            self._temp_dir.cleanup()
            self._temp_dir = None
