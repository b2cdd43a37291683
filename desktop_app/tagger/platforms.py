"""Platform detection: a table of weighted signals per platform, scored over facts from a page.

No single signal decides (the approach of the open Wappalyzer fork, read not copied): each
signal has a weight, a platform needs a score of at least `THRESHOLD`, and when several match
the more specific one wins (WooCommerce over WordPress). Facts are gathered in the page by
`resources/snippet/page_facts.js` (run by `desktop_app/services/site_probe.py`); this module
stays pure.
Signals: shared/reference/tagger-and-platforms.md §B.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

THRESHOLD = 2


@dataclass(frozen=True, slots=True)
class Signal:
    kind: str  # generator | global | selector | script | header | cookie | html
    pattern: str  # regex (generator/script/header value/cookie name/html) or name/CSS
    weight: int
    label: str
    header: str = ""  # for kind == "header"


@dataclass(slots=True)
class PageFacts:
    """What the probe read from one loaded page (no customer data)."""

    url: str = ""
    generator: list[str] = field(default_factory=list)
    globals: list[str] = field(default_factory=list)  # names from SIGNAL globals that exist
    selectors: list[str] = field(default_factory=list)  # SIGNAL selectors that match
    scripts: list[str] = field(default_factory=list)  # script/link/img URLs
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    cookies: list[str] = field(default_factory=list)  # names only
    html_head: str = ""  # first 20 kB of the HTML, for comments
    pixel_ids: list[str] = field(default_factory=list)
    native_events: list[str] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PageFacts:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True, slots=True)
class Detection:
    platform: str | None
    evidence: list[str]
    scores: dict[str, int]


def _g(name: str, weight: int = 2) -> Signal:
    return Signal("global", name, weight, f"window.{name} exists")


def _s(css: str, weight: int, label: str = "") -> Signal:
    return Signal("selector", css, weight, label or f"page has {css}")


SIGNATURES: dict[str, tuple[Signal, ...]] = {
    "woocommerce": (
        Signal("generator", r"^WooCommerce", 3, "generator meta says WooCommerce"),
        _g("wc_add_to_cart_params"),
        _g("woocommerce_params"),
        _g("wcSettings", 1),
        _s("body.woocommerce, body.woocommerce-page", 2, "body has WooCommerce classes"),
        _s("[data-block-name^='woocommerce/'], [class*='wp-block-woocommerce-']", 2),
        Signal("script", r"/wp-content/plugins/woocommerce/", 2, "WooCommerce plugin assets"),
    ),
    "wordpress": (
        Signal("generator", r"^WordPress", 3, "generator meta says WordPress"),
        Signal(
            "script", r"/wp-(content|includes)/", 2, "assets under /wp-content/ or /wp-includes/"
        ),
        _s("link[rel='https://api.w.org/']", 2, "WordPress REST API link"),
        Signal("header", r".", 1, "X-Pingback header", header="x-pingback"),
        _g("wp", 1),
    ),
    "webflow": (
        Signal("generator", r"^Webflow", 3, "generator meta says Webflow"),
        _s("html[data-wf-site][data-wf-page]", 3, "html has data-wf-site/data-wf-page"),
        _g("Webflow"),
        Signal("html", r"This site was created in Webflow", 2, "Webflow comment"),
        Signal("script", r"(website-files\.com|d3e54v103j8qbb\.cloudfront\.net)", 1, "Webflow CDN"),
        _g("__WEBFLOW_CURRENCY_SETTINGS", 1),
    ),
    "framer": (
        Signal("generator", r"^Framer", 3, "generator meta says Framer"),
        _s("#main[data-framer-hydrate-v2]", 3, "Framer hydration root"),
        _s("[data-framer-component-type], [data-framer-name]", 1, "Framer component markup"),
        Signal("script", r"framerusercontent\.com|events\.framer\.com", 2, "Framer CDN"),
        _g("__framer_importFromPackage"),
    ),
    "squarespace": (
        _g("Static.SQUARESPACE_CONTEXT", 3),
        Signal("header", r"(?i)squarespace", 2, "server: Squarespace", header="server"),
        Signal("html", r"This is Squarespace\.", 2, "Squarespace comment"),
        Signal("script", r"(static1|assets)\.squarespace\.com", 2, "Squarespace CDN"),
        _g("Y.Squarespace", 1),
    ),
    "kajabi": (
        _g("Kajabi", 3),
        Signal("cookie", r"^_kjb_session$", 2, "_kjb_session cookie"),
        Signal("script", r"kajabi-cdn\.com|kajabi-storefronts", 2, "Kajabi CDN"),
    ),
    "clickfunnels": (
        _g("CFAppDomain", 3),
        _s("meta[name='cf:app_domain:']", 2, "ClickFunnels app-domain meta"),
        _s("html.clickfunnels-com", 2, "html.clickfunnels-com"),
        _s("form#cfAR", 2, "hidden ClickFunnels form #cfAR"),
        _s("[data-de-type]", 1, "ClickFunnels editor markup (data-de-type)"),
        Signal("script", r"clickfunnels\.com/assets", 2, "ClickFunnels assets"),
    ),
    "shopify": (
        _g("Shopify", 2),
        _g("ShopifyAnalytics", 2),
        _s("meta[name='shopify-checkout-api-token'], meta[name='shopify-digital-wallet']", 2),
        Signal("script", r"cdn\.shopify\.com|/cdn/shop/", 2, "Shopify CDN"),
        Signal("cookie", r"^_shopify_(y|s)$", 1, "Shopify cookies"),
    ),
}

# When several platforms pass the threshold, the first in this order wins: a plugin or a
# hosted shop is more specific than the CMS it runs on.
PRIORITY = (
    "shopify",
    "woocommerce",
    "webflow",
    "framer",
    "squarespace",
    "kajabi",
    "clickfunnels",
    "wordpress",
)


def _matches(signal: Signal, facts: PageFacts) -> bool:
    if signal.kind == "generator":
        return any(re.search(signal.pattern, g) for g in facts.generator)
    if signal.kind == "global":
        return signal.pattern in facts.globals
    if signal.kind == "selector":
        return signal.pattern in facts.selectors
    if signal.kind == "script":
        return any(re.search(signal.pattern, s) for s in facts.scripts)
    if signal.kind == "header":
        value = facts.headers.get(signal.header)
        return value is not None and re.search(signal.pattern, value) is not None
    if signal.kind == "cookie":
        return any(re.search(signal.pattern, c) for c in facts.cookies)
    if signal.kind == "html":
        return re.search(signal.pattern, facts.html_head) is not None
    raise ValueError(f"unknown signal kind {signal.kind!r}")


def detect_platform(facts: PageFacts) -> Detection:
    scores: dict[str, int] = {}
    evidence: dict[str, list[str]] = {}
    for platform, signals in SIGNATURES.items():
        hits = [s for s in signals if _matches(s, facts)]
        scores[platform] = sum(s.weight for s in hits)
        evidence[platform] = [s.label for s in hits]
    winners = [p for p in PRIORITY if scores[p] >= THRESHOLD]
    if not winners:
        return Detection(None, [], scores)
    chosen = winners[0]
    return Detection(chosen, evidence[chosen], scores)


def probe_inputs() -> dict[str, list[str]]:
    """The globals and selectors the in-page probe must test (from the table, no duplicates)."""
    globals_: list[str] = []
    selectors: list[str] = []
    for signals in SIGNATURES.values():
        for s in signals:
            if s.kind == "global":
                globals_.append(s.pattern)
            elif s.kind == "selector":
                selectors.append(s.pattern)
    return {"globals": list(dict.fromkeys(globals_)), "selectors": list(dict.fromkeys(selectors))}
