"""Where the Graph API lives and which version we speak.

The version is pinned here and only here. v26.0 is the version Meta's own Python SDK
(facebook-business 26.0.3) pins; CAPI supports every version for at least two years
(https://developers.facebook.com/documentation/ads-commerce/conversions-api/using-the-api).
"""

from __future__ import annotations

GRAPH_API_VERSION = "v26.0"
DEFAULT_GRAPH_URL = "https://graph.facebook.com"
MAX_EVENTS_PER_REQUEST = 1000  # "at most 1,000 events per request" (using-the-api)
DEDUP_WINDOW_S = 48 * 3600  # deduplicate-pixel-and-server-events
MAX_EVENT_AGE_S = 7 * 24 * 3600  # server-event parameters: event_time at most 7 days old


def events_url(graph_url: str, pixel_id: str, version: str = GRAPH_API_VERSION) -> str:
    """`POST {graph_url}/{version}/{pixel_id}/events`, the CAPI endpoint."""
    return f"{graph_url.rstrip('/')}/{version}/{pixel_id}/events"
