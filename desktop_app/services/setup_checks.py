"""The checks behind each setup-wizard step, as plain async functions (no Qt).

site URL → reachable? which platform? Pixel ids already on the page? (headless Chromium via
`site_probe`, which answers Meta's endpoints locally so probing sends nothing to Meta);
Pixel id → format; test event code → format; "send a test event" → one PageView through a
real relay to Meta (or the sandbox), answered with Meta's own words.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.services.token_health import TokenHealth
from desktop_app.tagger.config import TagConfig

if TYPE_CHECKING:
    from playwright.async_api import Page

    from desktop_app.services.site_probe import MetaStub

logger = logging.getLogger(__name__)

# Pixel (dataset) ids are all digits; the tag-config schema accepts 5–20 of them.
PIXEL_ID_RE = re.compile(r"^[0-9]{5,20}$")
# Events Manager → Test events shows codes such as TEST12345.
TEST_CODE_RE = re.compile(r"^TEST[0-9A-Z]{1,20}$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.I)


@dataclass(slots=True)
class SiteCheck:
    url: str
    reachable: bool
    platform: str | None = None
    evidence: list[str] = field(default_factory=list)
    pixel_ids: list[str] = field(default_factory=list)
    native_events: list[str] = field(default_factory=list)
    preset: dict[str, Any] = field(default_factory=dict)
    problem: str = ""


@dataclass(frozen=True, slots=True)
class TestEventResult:
    ok: bool
    message: str  # plain words for the owner
    status: str = ""  # the outbox status: delivered | rejected | needs_token | retrying…
    response: dict[str, Any] | None = None
    event_id: str = ""


def normalize_url(text: str) -> str:
    text = text.strip()
    if text and not re.match(r"^[a-z]+://", text, re.I):
        text = "https://" + text
    return text


def url_problem(text: str) -> str:
    """'' when `text` looks like a web address, else what is wrong, in plain words."""
    if not URL_RE.match(normalize_url(text)):
        return "Type your site's address, for example https://myshop.com."
    return ""


def pixel_id_problem(text: str) -> str:
    text = text.strip()
    if not text:
        return "Paste your Pixel id: Events Manager → Data sources → your Pixel (15–16 digits)."
    if not PIXEL_ID_RE.match(text):
        return "A Pixel id is only digits (usually 15 or 16), for example 1234567890123456."
    return ""


def test_code_problem(text: str) -> str:
    text = text.strip()
    if text and not TEST_CODE_RE.match(text):
        return "Test codes look like TEST12345: copy it from Events Manager → Test events."
    return ""


async def probe_site(
    url: str, *, timeout_s: float = 30.0, page: Page | None = None, stub: MetaStub | None = None
) -> SiteCheck:
    """Open `url` and read platform, Pixel ids and the events it already sends: in `page` (the
    app's visible browser, with its `stub` for Meta's endpoints) or else headless."""
    from playwright.async_api import Error as PlaywrightError

    from desktop_app.services.chromium import ChromiumNotFoundError
    from desktop_app.services.site_probe import detect_site, detection_report, probe_page

    url = normalize_url(url)
    try:
        if page is None:
            report = await detect_site(url, timeout_s)
        else:
            page.set_default_navigation_timeout(timeout_s * 1000)
            report = detection_report(await probe_page(page, url, stub=stub))
    except ChromiumNotFoundError as exc:
        return SiteCheck(url, False, problem=str(exc))
    except PlaywrightError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        logger.info("site %s not reachable: %s", url, first)
        return SiteCheck(
            url,
            False,
            problem=f"PixelBridge could not open {url} ({first}). Check the address and that "
            "the site is online.",
        )
    return SiteCheck(
        url,
        True,
        platform=report["platform"],
        evidence=list(report["evidence"]),
        pixel_ids=list(report["pixel_ids"]),
        native_events=list(report["native_events"]),
        preset=report["preset"],
    )


_STATUS_WORDS: dict[str, str] = {
    "delivered": "Meta received the test event.",
    "rejected": "Meta refused the test event: {detail}",
    "needs_token": "Meta refused the access token: {detail}",
    "blocked": "The test event was not sent because it is incomplete: {detail}",
    "retrying": "Meta could not be reached yet; PixelBridge keeps trying.",
    "queued": "The test event is still waiting to be sent.",
    "sending": "The test event is still being sent.",
}


# Delivery states the owner waits through (services/delivery.py statuses).
_WAIT_WORDS: dict[str, str] = {
    "sending": "Sending the test event to Meta…",
    "retrying": "Meta did not answer yet; PixelBridge tries again (attempt {attempt})…",
}


async def send_test_event(
    config: TagConfig,
    token_provider: Callable[[], str | None],
    *,
    graph_url: str,
    test_event_code: str,
    data_dir: Path,
    timeout_s: float = 15.0,
    on_status: Callable[[str], None] | None = None,
) -> TestEventResult:
    """One PageView through a real relay (hashing, outbox, Graph client) and Meta's answer.

    `on_status` hears, in words, what the wait is about (sending, Meta slow, retrying).
    """
    from desktop_app.services.relay import RelayService, RelaySettings

    settings = RelaySettings(
        graph_url=graph_url,
        test_event_code=test_event_code or None,
        data_dir=data_dir,
        token_poll_s=60.0,  # a refused token is reported, not retried, during setup
    )
    relay = RelayService(config, settings, token_provider)
    event_id = f"pixelbridge-setup-{uuid.uuid4().hex[:12]}"
    if on_status is not None:
        report = on_status

        def heard(update: Any) -> None:
            words = _WAIT_WORDS.get(str(update.status))
            if update.event_id == event_id and words:
                report(words.format(attempt=int(update.attempts) + 1))

        relay.add_listener(heard)
    await relay.start()
    try:
        await relay.ingest(
            [
                {
                    "event_name": "PageView",
                    "event_id": event_id,
                    "event_source_url": config.site_url or "https://example.com/",
                    "action_source": "website",
                }
            ],
            client_ip="127.0.0.1",
            user_agent="PixelBridge setup test",
        )
        await relay.wait_idle(timeout_s)
        rows = [r for r in relay.deliveries() if r["event_id"] == event_id]
    finally:
        await relay.stop()
    row: dict[str, Any] = rows[0] if rows else {"status": "queued"}
    status = str(row.get("status"))
    raw_response = row.get("response")
    response: dict[str, Any] | None = raw_response if isinstance(raw_response, dict) else None
    detail = _detail(response, row.get("findings"))
    words = _STATUS_WORDS.get(status, "Unexpected state: {detail}").format(detail=detail)
    return TestEventResult(status == "delivered", words, status, response, event_id)


def _detail(response: dict[str, Any] | None, findings: Any) -> str:
    """Meta's message (with the relay's advice) from a delivery row, else the first finding."""
    verdict = (response or {}).get("verdict")
    if isinstance(verdict, dict) and verdict.get("message"):
        advice = f" {verdict['advice']}" if verdict.get("advice") else ""
        return f"{verdict['message']} (code {verdict.get('code')}).{advice}"
    if isinstance(findings, list) and findings and isinstance(findings[0], dict):
        return str(findings[0].get("message") or "")
    return "no details"


@dataclass(slots=True)
class SetupDraft:
    """What the setup wizard has gathered so far (never the token)."""

    mode: str = "sandbox"  # sandbox | test | live (services/settings.MODES)
    site_url: str = ""
    site: SiteCheck | None = None
    pixel_id: str = ""
    test_event_code: str = ""
    rules: list[dict[str, Any]] = field(default_factory=list)
    relay_url: str = ""

    @property
    def platform(self) -> str | None:
        return self.site.platform if self.site else None

    def tag_config(self) -> TagConfig:
        from desktop_app.tagger.config import parse_config

        data: dict[str, Any] = {
            "version": 1,
            "pixel_id": self.pixel_id,
            "site": {"url": self.site_url or None, "platform": self.platform},
            "rules": self.rules,
        }
        if self.relay_url:
            data["relay_url"] = self.relay_url
        return parse_config(data, source="setup")


class SetupService:
    """The wizard's backend: keyring, Graph API (or sandbox at `graph_url`), a scratch relay."""

    def __init__(self, graph_url: str, data_dir: Path) -> None:
        self.graph_url = graph_url
        self.data_dir = data_dir

    async def probe_site(
        self, url: str, page: Page | None = None, stub: MetaStub | None = None
    ) -> SiteCheck:
        return await probe_site(url, page=page, stub=stub)

    def has_token(self, pixel_id: str) -> bool:
        from desktop_app.services import token_store

        try:
            return token_store.token_source(pixel_id) is not None
        except token_store.TokenStoreError:
            return False

    async def store_and_check_token(self, pixel_id: str, token: str | None) -> TokenHealth:
        """Store `token` (if given) in the keyring, then ask Meta about the stored one."""
        from desktop_app.services import token_store
        from desktop_app.services.token_health import check_token

        if token:
            token_store.set_token(pixel_id, token)  # raises TokenStoreError with advice
        return await check_token(
            token_store.get_token(pixel_id), pixel_id, graph_url=self.graph_url
        )

    async def send_test_event(
        self, draft: SetupDraft, on_status: Callable[[str], None] | None = None
    ) -> TestEventResult:
        from desktop_app.services import token_store

        return await send_test_event(
            draft.tag_config(),
            token_store.token_provider(draft.pixel_id),
            graph_url=self.graph_url,
            test_event_code=draft.test_event_code if draft.mode != "live" else "",
            data_dir=self.data_dir / f"setup-{uuid.uuid4().hex[:8]}",
            on_status=on_status,
        )


def browser_advice() -> str:
    """'' when a Chromium is available for checking sites, else what to install (first run)."""
    import os
    import sys

    from desktop_app.services.chromium import INSTALL_HINT, find_chromium

    if find_chromium() is not None:
        return ""
    # Playwright's own download, where `playwright install chromium` could run.
    roots = {
        "linux": Path.home() / ".cache" / "ms-playwright",
        "darwin": Path.home() / "Library" / "Caches" / "ms-playwright",
        "win32": Path(os.environ.get("LOCALAPPDATA", Path.home())) / "ms-playwright",
    }
    custom = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    root = Path(custom) if custom and custom != "0" else roots.get(sys.platform)
    if root is not None and any(root.glob("chromium*")):
        return ""
    return INSTALL_HINT
