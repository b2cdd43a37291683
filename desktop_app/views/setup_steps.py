"""The setup wizard's steps and words, as data (views/setup_wizard.py walks them)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from desktop_app.services.setup_checks import SetupDraft, SiteCheck, TestEventResult
from desktop_app.services.token_health import TokenHealth
from desktop_app.tagger.rule_draft import event_label
from desktop_app.views.styles import AMBER, BLUE, GREEN, ON_TINT, RED, tone

if TYPE_CHECKING:
    from playwright.async_api import Page

    from desktop_app.services.site_probe import MetaStub

logger = logging.getLogger(__name__)


class SetupBackend(Protocol):
    async def probe_site(
        self, url: str, page: Page | None = None, stub: MetaStub | None = None
    ) -> SiteCheck: ...
    def has_token(self, pixel_id: str) -> bool: ...
    async def store_and_check_token(self, pixel_id: str, token: str | None) -> TokenHealth: ...
    async def send_test_event(
        self, draft: SetupDraft, on_status: Callable[[str], None] | None = None
    ) -> TestEventResult: ...


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    title: str
    intro: str


STEPS: tuple[Step, ...] = (
    Step(
        "site",
        "Your website",
        "Type the address of your shop or website. PixelBridge opens it (without sending "
        "anything to Meta) to see how it is built.",
    ),
    Step(
        "pixel",
        "Your Meta Pixel",
        "The Pixel is how Meta recognises your site. Its id is a long number: Events Manager "
        "→ Data sources → your Pixel → Settings.",
    ),
    Step(
        "token",
        "Permission to send",
        "An access token lets PixelBridge send your site's events to Meta from a server, "
        "which ad blockers and browsers cannot stop. It is kept in this computer's keyring, "
        "never in a file.",
    ),
    Step(
        "test_code",
        "Test code",
        "While you set things up, events can go to Meta's “Test events” tab instead of "
        "counting for your ads. Events Manager → your Pixel → Test events shows the code.",
    ),
    Step(
        "tagging",
        "What to track",
        "These are the moments on your site that Meta should hear about. You can add more "
        "later by pointing and clicking on your site.",
    ),
    Step(
        "test_event",
        "Send a test event",
        "One test event goes all the way to Meta, the way your site's events will.",
    ),
    Step(
        "install",
        "Install on your site",
        "Paste this code into your site, following the steps for your platform.",
    ),
)
# platform id (tagger/platforms.py) → the name owners know
PLATFORM_NAMES: dict[str | None, str] = {
    "woocommerce": "WooCommerce",
    "wordpress": "WordPress",
    "webflow": "Webflow",
    "framer": "Framer",
    "squarespace": "Squarespace",
    "kajabi": "Kajabi",
    "clickfunnels": "ClickFunnels",
    "shopify": "Shopify",
}
MODE_WORDS = {
    "sandbox": "Practice mode: events go to PixelBridge's built-in sandbox, not to Meta.",
    "test": "Test mode: events go to Meta's Test events tab.",
    "live": "Live: events go to Meta and count for your ads.",
}


def wizard_style(dark: bool) -> str:
    """The wizard's own rules; check results take the theme's readable tone."""
    good, bad, warn = (tone(c, dark) for c in (GREEN, RED, AMBER))
    return f"""
QLabel#wizardTitle {{ font-size: 20px; font-weight: 700; }}
QLabel#wizardIntro {{ font-size: 13px; }}
QLabel#wizardMode {{ color: palette(window-text); }}
QLabel#checkResult[state="good"] {{ color: {good}; font-weight: 600; }}
QLabel#checkResult[state="bad"] {{ color: {bad}; font-weight: 600; }}
QLabel#checkResult[state="warn"] {{ color: {warn}; font-weight: 600; }}
QListWidget#wizardSteps {{ font-size: 13px; border: none; background: transparent; }}
QPushButton#wizardNext {{ font-weight: 600; color: #ffffff; background: {BLUE};
    border: 1px solid {BLUE}; border-radius: 4px; padding: 6px 18px; }}
QPushButton#wizardNext:disabled {{ color: {ON_TINT}; background: #8ab4f8;
    border-color: #8ab4f8; }}
"""


def describe_rule(rule: dict[str, Any]) -> str:
    """'Purchase — when a page opens' in the owner's words."""
    trigger = rule.get("trigger") or {}
    kind = trigger.get("type")
    when = {
        "pageview": "when a matching page opens",
        "click": f"when “{trigger.get('text') or 'a button'}” is clicked",
        "submit": "when a form is sent",
        "visible": "when something appears on the page",
        "event": "when the site reports it",
    }.get(str(kind), "")
    return f"{event_label(str(rule.get('event')))} — {when}".rstrip(" —")
