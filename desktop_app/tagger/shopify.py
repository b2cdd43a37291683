"""Shopify Custom Pixel generation.

Shopify's checkout runs on Shopify's pages, where no site snippet can run; the supported way is a
Custom Pixel (Settings → Customer events) that subscribes to Shopify's standard events through
the Web Pixels API (https://shopify.dev/docs/api/web-pixels-api/standard-events). The generated
code sends each event to the Meta Pixel and mirrors it to the relay with the same event_id; the
order id is the event_id of Purchase (checkout_completed).
"""

from __future__ import annotations

import logging

from desktop_app.tagger.config import TagConfig
from desktop_app.tagger.snippet import RESOURCES_DIR, script_json

logger = logging.getLogger(__name__)

CUSTOM_PIXEL_PATH = RESOURCES_DIR / "snippet" / "shopify_custom_pixel.js"
PLACEHOLDER = "__PIXELBRIDGE_SHOPIFY__"

# Shopify standard event → Meta standard event (the table the generated code carries).
EVENT_MAP: dict[str, str] = {
    "page_viewed": "PageView",
    "product_viewed": "ViewContent",
    "search_submitted": "Search",
    "product_added_to_cart": "AddToCart",
    "checkout_started": "InitiateCheckout",
    "payment_info_submitted": "AddPaymentInfo",
    "checkout_completed": "Purchase",
}


def render_custom_pixel(config: TagConfig, relay_url: str) -> str:
    """JavaScript to paste as a Shopify Custom Pixel (no `<script>` tag: Shopify adds its own)."""
    source = CUSTOM_PIXEL_PATH.read_text(encoding="utf-8")
    settings = {"pixel_id": config.pixel_id, "relay_url": relay_url}
    return source.replace(PLACEHOLDER, script_json(settings))
