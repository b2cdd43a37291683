"""Find and launch a Chromium for headless jobs (verify, the headless demo, tests).

Playwright's own browser download cannot run on every machine, so a system Chromium, Chrome
or Edge is used when Playwright's is missing. The args are the set measured to work as root
on a closed network (no background connections to Google's hosts).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.async_api import Browser, Playwright

HEADLESS_ARGS = (
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-features=LocalNetworkAccessChecks",
)

# Debian's /usr/bin/chromium is a shell wrapper that prints noise; prefer the real binary.
SYSTEM_CANDIDATES = (
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
    "/usr/bin/microsoft-edge",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
)

INSTALL_HINT = (
    "No Chromium-based browser found. Install one: on Debian/Ubuntu "
    "`sudo apt-get install chromium`; on macOS or Windows install Google Chrome; "
    "or set PIXELBRIDGE_CHROMIUM to the browser's executable."
)


class ChromiumNotFoundError(RuntimeError):
    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


def find_chromium() -> str | None:
    """A system browser path, or None when Playwright's bundled Chromium should be used."""
    override = os.environ.get("PIXELBRIDGE_CHROMIUM")
    if override:
        return override
    for candidate in SYSTEM_CANDIDATES:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome", "msedge"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _needs_no_sandbox() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


async def launch_headless(playwright: Playwright, *, headless: bool = True) -> Browser:
    """Launch a Chromium, system first; raise `ChromiumNotFoundError` with install advice."""
    args = list(HEADLESS_ARGS)
    if _needs_no_sandbox():
        args.insert(0, "--no-sandbox")
    executable = find_chromium()
    try:
        return await playwright.chromium.launch(
            executable_path=executable, headless=headless, args=args
        )
    except Exception as exc:
        if executable is None and "Executable doesn't exist" in str(exc):
            raise ChromiumNotFoundError() from exc
        raise
