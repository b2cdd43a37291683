"""Drive the app's visible browser (a QtWebEngine view) with Playwright over CDP. Qt-free.

QtWebEngine opens a Chrome DevTools Protocol port when `QTWEBENGINE_REMOTE_DEBUGGING` is set
*before* its first object exists; Playwright then attaches with `connect_over_cdp`. Measured on
this machine (shared/reference/environment.md): the port must be picked by us (Qt rejects 0),
`no_defaults=True` is required (Qt refuses Playwright's default browser-context setup), and an
explicit `--remote-allow-origins` stops Qt from allowing every origin on that port.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shlex
import socket
import sys
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page, Playwright

logger = logging.getLogger(__name__)

DEBUG_ENV = "QTWEBENGINE_REMOTE_DEBUGGING"
FLAGS_ENV = "QTWEBENGINE_CHROMIUM_FLAGS"
HOST = "127.0.0.1"


class EmbeddedBrowserError(RuntimeError):
    """The embedded browser could not be reached over CDP."""


def free_port(host: str = HOST) -> int:
    """A port free right now (small race until QtWebEngine binds it; Qt rejects port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True, slots=True)
class CdpEndpoint:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def chromium_flags(endpoint: CdpEndpoint, existing: str = "", *, software: bool = False) -> str:
    flags = shlex.split(existing)
    flags = [f for f in flags if not f.startswith("--remote-allow-origins")]
    flags.append(f"--remote-allow-origins={endpoint.url}")
    if _running_as_root() and "--no-sandbox" not in flags:
        flags.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    if software and "--disable-gpu" not in flags:
        flags.append("--disable-gpu")  # no GPU (offscreen/Xvfb): GL emulation costs ~1 core
    return shlex.join(flags)


def needs_software_rendering(env: MutableMapping[str, str]) -> bool:
    """No GPU to draw with: offscreen Qt, no display, or Linux without a DRI device (Xvfb, VMs)."""
    if env.get("QT_QPA_PLATFORM", "") in ("offscreen", "minimal"):
        return True
    if not any(env.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY")):
        return True
    return sys.platform.startswith("linux") and not os.path.exists("/dev/dri")


def prepare_environment(
    port: int | None = None, env: MutableMapping[str, str] | None = None
) -> CdpEndpoint:
    """Set QtWebEngine's CDP variables; call before any QtWebEngine object is created."""
    env = os.environ if env is None else env
    endpoint = CdpEndpoint(HOST, port or free_port())
    env[DEBUG_ENV] = f"{endpoint.host}:{endpoint.port}"
    software = needs_software_rendering(env)
    env[FLAGS_ENV] = chromium_flags(endpoint, env.get(FLAGS_ENV, ""), software=software)
    if software:
        # Measured under Xvfb without a GPU: with Qt Quick on Mesa's llvmpipe the view stops
        # producing frames, so Playwright's clicks wait forever for the element to be stable.
        env.setdefault("QT_QUICK_BACKEND", "software")
    logger.debug("embedded browser CDP endpoint %s", endpoint.url)
    return endpoint


def is_web_page(url: str) -> bool:
    return url.startswith(("http://", "https://"))


class EmbeddedBrowser:
    """One Playwright connection to the app's QtWebEngine; `page()` is the view's page."""

    def __init__(self, endpoint: CdpEndpoint) -> None:
        self.endpoint = endpoint
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        # The demo, the tagger and the journey recorder may all ask at once: one connection.
        self._connecting = asyncio.Lock()

    @property
    def connected(self) -> bool:
        return self._browser is not None and self._browser.is_connected()

    async def connect(self, timeout_s: float = 20.0) -> Browser:
        """Attach over CDP, retrying while QtWebEngine is still opening its port."""
        async with self._connecting:
            return await self._connect(timeout_s)

    async def _connect(self, timeout_s: float) -> Browser:
        if self._browser is not None:
            return self._browser
        from playwright.async_api import async_playwright

        self._playwright = await async_playwright().start()
        deadline = asyncio.get_running_loop().time() + timeout_s
        last_error: Exception | None = None
        while asyncio.get_running_loop().time() < deadline:
            try:
                self._browser = await self._playwright.chromium.connect_over_cdp(
                    self.endpoint.url, no_defaults=True, timeout=5_000
                )
                return self._browser
            except Exception as exc:  # the port opens with the first web view
                last_error = exc
                await asyncio.sleep(0.1)
        await self.close()
        raise EmbeddedBrowserError(
            f"could not attach to the embedded browser at {self.endpoint.url}: {last_error}"
        )

    async def page(
        self, matches: Callable[[str], bool] = is_web_page, timeout_s: float = 20.0
    ) -> Page:
        """The view's page (the newest open page whose URL `matches`), once it exists.

        Every context is searched: a page on a workspace's persistent profile (a separate
        Chromium browser context) may be listed apart from the default one. The newest page
        wins because switching profile replaces the view's page, and the old one can still be
        listed for a moment after Qt deleted it.
        """
        browser = await self.connect(timeout_s)
        deadline = asyncio.get_running_loop().time() + timeout_s
        while asyncio.get_running_loop().time() < deadline:
            found = [
                page
                for context in browser.contexts
                for page in context.pages
                if not page.is_closed() and matches(page.url)
            ]
            if found:
                return found[-1]
            await asyncio.sleep(0.05)
        seen = [p.url for c in browser.contexts for p in c.pages]
        raise EmbeddedBrowserError(f"no matching page in the embedded browser (saw {seen})")

    async def close(self) -> None:
        """Disconnect (the view stays alive) and stop Playwright's driver process."""
        browser, self._browser = self._browser, None
        playwright, self._playwright = self._playwright, None
        if browser is not None:
            try:
                await browser.close()
            except Exception:
                logger.debug("CDP disconnect failed", exc_info=True)
        if playwright is not None:
            await playwright.stop()
