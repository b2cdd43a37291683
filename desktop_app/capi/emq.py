"""A local Event Match Quality *estimate* (0–10) with the one or two additions worth most.

Meta computes the real EMQ per event name over 48 hours and publishes no formula
(https://www.facebook.com/business/help/765081237991954). Its published priorities: high —
email, click ID (fbc); medium — Facebook Login ID, birthdate, country, phone, external ID,
browser ID (fbp); low — lead ID, first/last name, city, zip. The best-practices page also
calls the IP address and phone "high quality"
(https://developers.facebook.com/docs/marketing-api/conversions-api/best-practices).
The weights below follow those priorities; the number is ours, labelled as such everywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

LABEL = "estimate, not Meta's score"


@dataclass(frozen=True, slots=True)
class KeyWeight:
    key: str
    name: str
    points: float
    advice: str | None  # None: not something a site can simply add (e.g. fb_login_id)


# Points add up to more than 10 on purpose: a full record saturates at 10.
WEIGHTS: tuple[KeyWeight, ...] = (
    KeyWeight("em", "email", 2.5,
              "Send the customer's email (hashed) whenever the site knows it: at login, "
              "sign-up, newsletter and checkout."),
    KeyWeight("fbc", "click ID (fbc)", 1.5,
              "Forward the _fbc cookie (or build fbc from the fbclid in the landing URL, case "
              "kept) so ad clicks can be matched."),
    KeyWeight("ph", "phone", 1.5,
              "Send the phone number with its country code (hashed) when the customer gives it."),
    KeyWeight("external_id", "external ID", 1.0,
              "Send your customer or visitor ID as external_id, the same on the Pixel and the "
              "server."),
    KeyWeight("fbp", "browser ID (fbp)", 1.0,
              "Forward the _fbp cookie with every server event."),
    KeyWeight("client_ip_address", "IP address", 1.0,
              "Send the visitor's IP address (unhashed) from the request that caused the event."),
    KeyWeight("fb_login_id", "Facebook Login ID", 1.0, None),
    KeyWeight("client_user_agent", "browser user agent", 0.5,
              "Send the browser's User-Agent header with every website event."),
    KeyWeight("db", "birthdate", 0.4, "Send the date of birth (hashed) when the site asks for it."),
    KeyWeight("country", "country", 0.4,
              "Always send the country (hashed), even if all customers are in one country."),
    KeyWeight("fn", "first name", 0.4, "Send the first name (hashed) from forms and checkout."),
    KeyWeight("ln", "last name", 0.4, "Send the last name (hashed) from forms and checkout."),
    KeyWeight("ct", "city", 0.3, "Send the city (hashed) from the billing or shipping address."),
    KeyWeight("zp", "zip code", 0.3, "Send the ZIP / postal code (hashed) from the address."),
    KeyWeight("lead_id", "lead ID", 0.3, None),
    KeyWeight("st", "state", 0.2, "Send the state (hashed) from the address."),
    KeyWeight("ge", "gender", 0.1, None),
)  # fmt: skip
_BY_KEY = {weight.key: weight for weight in WEIGHTS}
MAX_SCORE = 10.0
# Where Events Manager's words (Poor / OK / Good / Great) would roughly fall on our scale.
RATINGS: tuple[tuple[float, str], ...] = ((8.0, "great"), (6.0, "good"), (4.0, "ok"), (0.0, "poor"))


@dataclass(frozen=True, slots=True)
class Advice:
    key: str
    gain: float  # points our estimate would gain
    text: str


@dataclass(frozen=True, slots=True)
class EmqEstimate:
    score: float  # 0–10, one decimal
    rating: str  # poor | ok | good | great
    present: tuple[str, ...]  # match keys the event carries, most valuable first
    missing: tuple[str, ...]  # match keys it does not, most valuable first
    advice: tuple[Advice, ...]  # one or two additions that would raise the estimate most
    label: str = LABEL

    def to_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "rating": self.rating,
            "label": self.label,
            "present": list(self.present),
            "missing": list(self.missing),
            "advice": [{"key": a.key, "gain": a.gain, "text": a.text} for a in self.advice],
        }


def _has(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_has(item) for item in value)
    return value is not None and value != ""


def _rating(score: float) -> str:
    return next(name for floor, name in RATINGS if score >= floor)


def estimate(user_data: Mapping[str, Any], *, max_advice: int = 2) -> EmqEstimate:
    """Estimate for one event's user_data (hashed as sent, or raw: only presence counts)."""
    present = tuple(w.key for w in WEIGHTS if _has(user_data.get(w.key)))
    missing = tuple(w.key for w in WEIGHTS if w.key not in present)
    raw_points = sum(_BY_KEY[key].points for key in present)
    score = round(min(MAX_SCORE, raw_points), 1)
    advice: list[Advice] = []
    for key in missing:
        weight = _BY_KEY[key]
        if weight.advice is None or len(advice) >= max_advice:
            continue
        gain = round(min(MAX_SCORE, raw_points + weight.points) - score, 1)
        if gain > 0:
            advice.append(Advice(key, gain, weight.advice))
    return EmqEstimate(score, _rating(score), present, missing, tuple(advice))


def coverage(user_datas: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """Share of events (0–1) carrying each match key, like Meta's per-key coverage."""
    rows = list(user_datas)
    if not rows:
        return {w.key: 0.0 for w in WEIGHTS}
    return {w.key: sum(_has(row.get(w.key)) for row in rows) / len(rows) for w in WEIGHTS}
