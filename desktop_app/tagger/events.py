"""Meta's standard Pixel events, with the plain words the UI shows beside each technical name.

Names are case-sensitive and part of the dedup key (event_name + event_id):
https://developers.facebook.com/docs/meta-pixel/reference#standard-events
Any other name is a custom event and is sent with `trackCustom` on the Pixel.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

# name → what it means for a site owner
STANDARD_EVENTS: dict[str, str] = {
    "AddPaymentInfo": "Payment details entered",
    "AddToCart": "Added to cart",
    "AddToWishlist": "Added to wishlist",
    "CompleteRegistration": "Signed up",
    "Contact": "Contacted you",
    "CustomizeProduct": "Customised a product",
    "Donate": "Donated",
    "FindLocation": "Looked for a store",
    "InitiateCheckout": "Started checkout",
    "Lead": "Became a lead (form sent)",
    "PageView": "Viewed a page",
    "Purchase": "Bought something",
    "Schedule": "Booked an appointment",
    "Search": "Searched",
    "StartTrial": "Started a trial",
    "SubmitApplication": "Applied",
    "Subscribe": "Subscribed (paid)",
    "ViewContent": "Viewed a product or key page",
}

# Events whose value/currency Meta uses for reporting and value optimisation.
VALUE_EVENTS = frozenset({"Purchase", "AddToCart", "InitiateCheckout", "Subscribe", "StartTrial"})


def is_standard(name: str) -> bool:
    return name in STANDARD_EVENTS
