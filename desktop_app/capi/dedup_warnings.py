"""Per-pair warnings: things that do not change the count but cost match quality or trust.

The texts and fixes are in `dedup_rules.WARNINGS`; this module only decides which apply and
writes the evidence. `check_all_warnings` inlines `check_warnings`'s screen for the pairs with
both copies (1 M of them in the benchmark); any change to the screen must be made in both (the
equivalence test in `tests/verify/test_dedup_equivalence.py` runs `explain_warnings` on every
pair, so a screen that misses a warning fails it).
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from desktop_app.capi.dedup_rules import BROWSER_PREFERENCE_S

if TYPE_CHECKING:
    from desktop_app.capi.dedup_pair import Pair
    from desktop_app.capi.observations import PixelObservation, ServerObservation

logger = logging.getLogger(__name__)

_FAILED = frozenset({"rejected", "expired", "blocked"})
_PENDING = frozenset({"queued", "retrying", "sending"})


def server_arrival(server: ServerObservation) -> float:
    """When Meta got (or would get) the server copy: sent time, else the event time."""
    return server.sent_at if server.sent_at is not None else float(server.event_time)


def meta_answer(response: dict[str, Any] | None) -> dict[str, Any]:
    """Meta's JSON answer: the relay stores it under "body" (with the HTTP status beside it),
    a site's own log may keep it bare."""
    if not response:
        return {}
    body = response.get("body")
    return body if isinstance(body, dict) else response


def _custom_data(side: PixelObservation | ServerObservation) -> dict[str, Any]:
    custom = getattr(side, "custom_data", None)
    if custom is None:
        custom = side.payload.get("custom_data")  # type: ignore[union-attr]
    return custom if isinstance(custom, dict) else {}


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return round(float(value), 2)
    except (TypeError, ValueError):
        return None


def _ids(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str) and value.startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            return (value,)
    if isinstance(value, list | tuple):
        return tuple(sorted(str(v) for v in value))
    return None if value is None else (str(value),)


def content_signature(side: PixelObservation | ServerObservation) -> tuple[Any, ...]:
    """What makes two conversions different: value, currency, products, order id."""
    custom = _custom_data(side)
    if not custom:
        return ()
    currency = custom.get("currency")
    return (
        _number(custom.get("value")),
        currency.upper() if isinstance(currency, str) else None,
        _ids(custom.get("content_ids")),
        custom.get("order_id"),
    )


def _user_data(server: ServerObservation) -> dict[str, Any]:
    user_data = server.payload.get("user_data")
    return user_data if isinstance(user_data, dict) else {}


def check_warnings(pair: Pair) -> None:
    """Fill `pair.warnings` (codes) and `pair.details` (evidence).

    A cheap screen runs first (nearly every pair is clean); the evidence texts are only
    written for pairs the screen flags. `check_all_warnings` inlines this for speed."""
    server = pair.server
    if server is None:
        return
    payload = server.payload
    pixel = pair.pixel
    suspect = (
        server.status != "delivered"
        or server.test_event_code is not None
        or "test_event_code" in payload
    )
    if not suspect:
        page_url = payload.get("event_source_url") or (pixel.url if pixel is not None else "")
        suspect = type(page_url) is str and "fbclid=" in page_url
    if not suspect and pixel is not None:
        user_data = payload.get("user_data")
        server_fbp = user_data.get("fbp") if type(user_data) is dict else None
        sent = server.sent_at if server.sent_at is not None else server.event_time
        suspect = (
            bool(pixel.fbp and server_fbp and pixel.fbp != server_fbp)
            or sent - pixel.observed_at > BROWSER_PREFERENCE_S
            or not same_value(pixel.custom_data, payload.get("custom_data"))
        )
    if suspect:
        explain_warnings(pair, server, pixel)


def check_all_warnings(pairs: list[Pair]) -> None:
    """`check_warnings` for every pair, its screen inlined for the pairs with both copies
    (1 M of them: no function call, local variables only; the order of the checks and their
    outcome are those of `check_warnings`)."""
    explain, late_s = explain_warnings, BROWSER_PREFERENCE_S
    for pair in pairs:
        server = pair.server
        if server is None:
            continue
        pixel = pair.pixel
        if pixel is None:
            check_warnings(pair)
            continue
        payload = server.payload
        if (
            server.status != "delivered"
            or server.test_event_code is not None
            or "test_event_code" in payload
        ):
            explain(pair, server, pixel)
            continue
        page_url = payload.get("event_source_url") or pixel.url
        if type(page_url) is str and "fbclid=" in page_url:
            explain(pair, server, pixel)
            continue
        user_data = payload.get("user_data")
        server_fbp = user_data.get("fbp") if type(user_data) is dict else None
        fbp = pixel.fbp
        sent = server.sent_at
        if sent is None:
            sent = server.event_time
        if (fbp and server_fbp and fbp != server_fbp) or sent - pixel.observed_at > late_s:
            explain(pair, server, pixel)
            continue
        browser = pixel.custom_data
        custom = payload.get("custom_data")
        if (
            type(custom) is dict
            and (b_value := browser.get("value")) is not None
            and (s_value := custom.get("value")) is not None
            and browser.get("currency") == custom.get("currency")
        ):
            try:  # "30.00" in the browser, 30.0 on the server: same_value's common case
                same = abs(float(b_value) - float(s_value)) < 0.005
            except (TypeError, ValueError):
                same = same_value(browser, custom)
        else:
            same = same_value(browser, custom)
        if not same:
            explain(pair, server, pixel)


def same_value(browser: dict[str, Any], server: Any) -> bool:
    if not browser and not server:
        return True
    if type(server) is not dict:
        server = {}
    b_raw, s_raw = browser.get("value"), server.get("value")
    if browser.get("currency") != server.get("currency"):
        return _value_difference(browser, server) is None  # e.g. "eur" vs "EUR"
    if b_raw is None or s_raw is None:
        return b_raw is None and s_raw is None
    try:  # "30.00" in the browser, 30.0 on the server
        return abs(float(b_raw) - float(s_raw)) < 0.005
    except (TypeError, ValueError):
        return _value_difference(browser, server) is None


def explain_warnings(pair: Pair, server: ServerObservation, pixel: PixelObservation | None) -> None:
    payload = server.payload
    user_data = payload.get("user_data")
    if type(user_data) is not dict:
        user_data = {}
    found: dict[str, str] = {}
    if server.status in _FAILED:
        error = meta_answer(server.response).get("error")
        message = error.get("message", "") if isinstance(error, dict) else ""
        found["server_failed"] = f"Server copy {server.status}" + (
            f": {message}" if message else "."
        )
    elif server.status in _PENDING:
        found["server_pending"] = f"Server copy {server.status}; not at Meta yet."
    code = server.test_event_code or payload.get("test_event_code")
    if code:
        found["test_event_code_set"] = f"test_event_code {code!r} was sent with this event."
    page_url = payload.get("event_source_url") or (pixel.url if pixel is not None else "")
    if type(page_url) is str and "fbclid=" in page_url and not user_data.get("fbc"):
        found["fbc_missing_with_fbclid"] = "The page URL carries fbclid; the server sent no fbc."
    if pixel is not None:
        server_fbp = user_data.get("fbp")
        if pixel.fbp and server_fbp and pixel.fbp != server_fbp:
            found["fbp_mismatch"] = f"Browser fbp {pixel.fbp!r}, server fbp {server_fbp!r}."
        server_custom = payload.get("custom_data")
        if pixel.custom_data or server_custom:
            text = _value_difference(
                pixel.custom_data, server_custom if type(server_custom) is dict else {}
            )
            if text:
                found["value_mismatch"] = text
        late = server_arrival(server) - pixel.observed_at
        if late > BROWSER_PREFERENCE_S:
            found["server_late"] = f"The server copy came {late / 60:.1f} min after the browser's."
    if found:
        pair.warnings.extend(code for code in found if code not in pair.warnings)
        if pair.details is None:
            pair.details = {}
        pair.details.update(found)


def _value_difference(browser: dict[str, Any], server: dict[str, Any]) -> str | None:
    b_raw, s_raw = browser.get("value"), server.get("value")
    b_cur, s_cur = browser.get("currency"), server.get("currency")
    if b_cur == s_cur and b_raw is not None and s_raw is not None:
        try:  # the common case, kept cheap: "30.00" in the browser, 30.0 on the server
            if abs(float(b_raw) - float(s_raw)) < 0.005:
                return None
        except (TypeError, ValueError):
            pass
    b_value, s_value = _number(b_raw), _number(s_raw)
    if b_value != s_value and None not in (b_value, s_value):
        return f"Browser value {browser.get('value')}, server value {server.get('value')}."
    if (b_value is None) != (s_value is None):
        return f"Value only on one side (browser {b_value}, server {s_value})."
    if isinstance(b_cur, str) and isinstance(s_cur, str) and b_cur.upper() != s_cur.upper():
        return f"Browser currency {b_cur}, server currency {s_cur}."
    return None
