"""Ready-made tag rules per platform, and which standard events the platform already sends.

Each preset is data: the rules a site on that platform gets out of the box (AddToCart,
InitiateCheckout, Purchase with value/currency/order id, Lead), plus the events the platform or
a common plugin already sends to the Pixel. Those are left out of the rules, with the reason,
because sending them again would count every conversion twice. Hooks and URLs come from
shared/reference/tagger-and-platforms.md §B.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

Rule = dict[str, Any]


@dataclass(frozen=True, slots=True)
class PlatformPreset:
    rules: tuple[Rule, ...]
    # Sent by the platform itself whenever a Pixel is on the page: never in our rules.
    native: dict[str, str]
    notes: tuple[str, ...] = ()
    # The name of the integration that sends events when it is installed (seen at detection).
    integration: str = ""


def _price(selector: str) -> dict[str, Any]:
    return {"value": {"selector": selector}}


WOO_PRICE = (
    ".summary .price ins .woocommerce-Price-amount, .summary .price .woocommerce-Price-amount"
)
WOO_TOTAL = (
    ".woocommerce-order-overview__total .woocommerce-Price-amount, "
    ".wc-block-order-confirmation-totals__total .woocommerce-Price-amount"
)
THANK_YOU_REGEX = r"/(thank-?you|thanks|order-confirmation|confirmation)(/|\?|$)"

PRESETS: dict[str, PlatformPreset] = {
    "woocommerce": PlatformPreset(
        rules=(
            {
                "id": "woo-view",
                "event": "ViewContent",
                "trigger": {"type": "pageview", "selectors": ["body.single-product"]},
                "params": {
                    "value": {"structured": "price"},
                    "currency": {"structured": "currency"},
                },
            },
            {
                "id": "woo-add",
                "event": "AddToCart",
                "trigger": {
                    "type": "click",
                    "selectors": [
                        "button.single_add_to_cart_button",
                        "button[name='add-to-cart']",
                        "a.add_to_cart_button",
                    ],
                    "text": "Add to cart",
                },
                "params": _price(WOO_PRICE),
            },
            {
                "id": "woo-checkout",
                "event": "InitiateCheckout",
                "trigger": {
                    "type": "pageview",
                    "selectors": ["body.woocommerce-checkout:not(.woocommerce-order-received)"],
                },
            },
            {
                "id": "woo-purchase",
                "event": "Purchase",
                "trigger": {"type": "pageview"},
                "url": {"match": "regex", "value": r"/order-received/\d+"},
                "params": {"order_id": {"url": r"/order-received/(\d+)"}, **_price(WOO_TOTAL)},
            },
            {
                "id": "wp-lead-cf7",
                "event": "Lead",
                "trigger": {"type": "event", "name": "wpcf7mailsent"},
            },
        ),
        native={},
        integration="Meta's Facebook for WooCommerce plugin",
        notes=("Single-product add to cart reloads the page; the click is sent before it.",),
    ),
    "wordpress": PlatformPreset(
        rules=(
            {
                "id": "wp-lead-cf7",
                "event": "Lead",
                "trigger": {"type": "event", "name": "wpcf7mailsent"},
            },
            {
                "id": "wp-lead-wpforms",
                "event": "Lead",
                "trigger": {"type": "event", "name": "wpformsAjaxSubmitSuccess"},
            },
            {
                "id": "wp-thank-you",
                "event": "Lead",
                "trigger": {"type": "pageview"},
                "url": {"match": "regex", "value": THANK_YOU_REGEX},
            },
        ),
        native={},
        integration="a Meta Pixel plugin (PixelYourSite, Meta's official plugin)",
    ),
    "webflow": PlatformPreset(
        rules=(
            {
                "id": "wf-checkout",
                "event": "InitiateCheckout",
                "trigger": {
                    "type": "click",
                    "selectors": ["a[data-node-type='cart-checkout-button']"],
                },
            },
            {
                "id": "wf-lead",
                "event": "Lead",
                "trigger": {
                    "type": "submit",
                    "selectors": [".w-form form"],
                    "success": {"selector": ".w-form-done"},
                },
            },
        ),
        native={
            "AddToCart": "webflow.js already calls fbq('track','AddToCart') after a successful "
            "add; the snippet gives that call an event_id and a relay copy instead",
            "Purchase": "webflow.js already calls fbq('track','Purchase') on "
            "/order-confirmation; the snippet gives that call an event_id and a relay copy",
        },
        notes=(
            "Webflow's own AddToCart/Purchase are adopted only when the snippet installs the "
            "Pixel: remove Webflow's Facebook Pixel setting so the snippet is the only base code.",
        ),
    ),
    "framer": PlatformPreset(
        rules=(
            {
                "id": "framer-checkout",
                "event": "InitiateCheckout",
                "trigger": {
                    "type": "click",
                    "selectors": [
                        "a[href*='buy.stripe.com']",
                        "a[href*='lemonsqueezy.com']",
                        "a[href*='/checkout']",
                    ],
                },
            },
            {
                "id": "framer-lead",
                "event": "Lead",
                "trigger": {"type": "submit", "selectors": ["form"]},
            },
            {
                "id": "framer-purchase",
                "event": "Purchase",
                "trigger": {"type": "pageview"},
                "url": {"match": "regex", "value": THANK_YOU_REGEX},
            },
        ),
        native={},
        notes=("Framer navigates client-side: rules re-run on every history change.",),
    ),
    "squarespace": PlatformPreset(
        rules=(
            {
                "id": "sqs-add",
                "event": "AddToCart",
                "trigger": {"type": "click", "selectors": [".sqs-add-to-cart-button"]},
                "params": {
                    "value": {"structured": "price"},
                    "currency": {"structured": "currency"},
                },
            },
            {
                "id": "sqs-checkout",
                "event": "InitiateCheckout",
                "trigger": {
                    "type": "click",
                    "selectors": [".cart-checkout-button", "a[href='/checkout']"],
                },
            },
            {
                "id": "sqs-purchase",
                "event": "Purchase",
                "trigger": {"type": "pageview"},
                "url": {"match": "regex", "value": r"[?&]oid="},
                "params": {"order_id": {"query": "oid"}, "value": {"selector": ".order-total"}},
            },
            {
                "id": "sqs-lead",
                "event": "Lead",
                "trigger": {
                    "type": "submit",
                    "selectors": [".form-block form", "form.form-wrapper"],
                    "success": {"selector": ".form-submission-text"},
                },
            },
        ),
        native={},
        integration="Squarespace's built-in Meta Pixel (Marketing → Meta Pixel)",
    ),
    "kajabi": PlatformPreset(
        rules=(
            {
                "id": "kj-checkout",
                "event": "InitiateCheckout",
                "trigger": {"type": "pageview"},
                "url": {"match": "regex", "value": r"/offers/[^/?#]+(/checkout)?/?(\?|$)"},
            },
            {
                "id": "kj-purchase",
                "event": "Purchase",
                "trigger": {"type": "pageview"},
                "url": {"match": "regex", "value": r"/offers/[^/?#]+/thank_you"},
            },
            {
                "id": "kj-lead",
                "event": "Lead",
                "trigger": {"type": "submit", "selectors": ["form[action*='/form_submissions']"]},
            },
        ),
        native={},
        integration="Kajabi's built-in Meta Pixel integration",
    ),
    "clickfunnels": PlatformPreset(
        rules=(
            {
                "id": "cf-lead",
                "event": "Lead",
                "trigger": {
                    "type": "click",
                    "selectors": ["a[href='#submit-form']", "a[href='#submit-form-2step']"],
                },
            },
            {
                "id": "cf-checkout",
                "event": "InitiateCheckout",
                "trigger": {
                    "type": "pageview",
                    "selectors": ["input[name='purchase[product_ids][]']"],
                },
            },
            {
                "id": "cf-purchase",
                "event": "Purchase",
                "trigger": {"type": "pageview"},
                "url": {"match": "regex", "value": THANK_YOU_REGEX},
            },
        ),
        native={},
        notes=("ClickFunnels 2.0 markup differs from 1.0; check the rules on your funnel.",),
    ),
    "shopify": PlatformPreset(
        # Everything comes from the Custom Pixel, storefront included (page_viewed,
        # product_added_to_cart): a theme rule as well would count AddToCart twice.
        rules=(),
        native={
            event: "sent by the PixelBridge Custom Pixel (pixelbridge snippet --shopify) from "
            f"Shopify's {shopify_event} event; Shopify's checkout cannot be tagged on the page"
            for shopify_event, event in (
                ("product_viewed", "ViewContent"),
                ("product_added_to_cart", "AddToCart"),
                ("checkout_started", "InitiateCheckout"),
                ("payment_info_submitted", "AddPaymentInfo"),
                ("checkout_completed", "Purchase"),
            )
        },
        integration="Shopify's Facebook & Instagram (Meta) sales channel",
        notes=(
            "On Shopify install the Custom Pixel (Settings → Customer events) instead of the "
            "site snippet; it sends the storefront and checkout events with one event_id each.",
        ),
    ),
}


def preset_for(
    platform: str | None, native_events: list[str] | tuple[str, ...] = ()
) -> dict[str, Any]:
    """The preset as JSON: `{"platform", "rules", "skipped": [{"event", "reason"}], "notes"}`.

    `native_events` are the events the page was seen sending on its own (detection): rules for
    them are left out too, because the platform's integration already tracks them.
    """
    if platform is None or platform not in PRESETS:
        return {
            "platform": platform,
            "rules": [],
            "skipped": [],
            "notes": ["No known platform: tag your buttons and pages with the picker."],
        }
    preset = PRESETS[platform]
    skipped = [{"event": e, "reason": r} for e, r in preset.native.items()]
    seen_natively = set(native_events) - {"PageView"} - set(preset.native)
    who = preset.integration or "the page's own Pixel code"
    for event in sorted(seen_natively):
        skipped.append({"event": event, "reason": f"already sent by {who} on this page"})
    dropped = set(preset.native) | seen_natively
    rules = [copy.deepcopy(r) for r in preset.rules if r["event"] not in dropped]
    return {
        "platform": platform,
        "rules": rules,
        "skipped": skipped,
        "notes": list(preset.notes),
    }
