"""What we saw on each channel, in one shape that pairing, reports and views share.

A `PixelObservation` is one Meta Pixel request seen in the browser; a `ServerObservation` is one
Conversions API event as the relay sent it (hashed, never raw) with Meta's answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class PixelObservation:
    pixel_id: str
    event_name: str
    event_id: str | None
    url: str  # the page (`dl`), i.e. the event source URL
    observed_at: float  # unix seconds when the browser sent it
    transport: str = "image"  # image | beacon | fetch | xhr | form
    custom_data: dict[str, Any] = field(default_factory=dict)
    user_data_keys: tuple[str, ...] = ()  # keys of ud[...] / udff[...]; values are hashed
    fbp: str | None = None
    fbc: str | None = None
    request_url: str = ""
    # Added by the live-verification part (capi/pixel.py); all optional.
    endpoint: str = "tr"  # tr | privacy_sandbox | … (see capi/pixel.ENDPOINTS)
    page_load: str | None = None  # the pixel's `it` (init time): one value per page load
    client_ts: float | None = None  # the pixel's `ts`, unix seconds (the browser's clock)
    params: dict[str, str] = field(default_factory=dict)  # decoded request, ud/udff values cut

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["user_data_keys"] = list(self.user_data_keys)
        return data


@dataclass(frozen=True, slots=True)
class ServerObservation:
    pixel_id: str | None  # None when the source (e.g. a site's own CAPI log) does not say
    event_name: str
    event_id: str | None
    event_time: int
    payload: dict[str, Any]  # the server event exactly as sent, hashed, no token
    status: str = "delivered"  # queued | delivered | retrying | rejected | expired | blocked
    sent_at: float | None = None
    response: dict[str, Any] | None = None  # Meta's answer (events_received/fbtrace_id or error)
    test_event_code: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
