"""Turn one captured browser request into a `PixelObservation` (or None if it is not a Pixel hit).

Pure: no I/O. Called by the browser capture for every request the page makes, by the HAR importer
for every HAR entry, and by tests. The wire format is Meta's `fbevents.js` one
(https://developers.facebook.com/docs/meta-pixel/advanced/ and the parameter table in
`shared/reference/meta-capi.md` §5): `id`, `ev`, `eid`, `dl`, `ts`, `it`, `cd[…]`, `ud[…]`,
`udff[…]`, `fbp`, `fbc`, `rqm`, sent as an image GET, a `sendBeacon` (multipart form data), a
fetch/XHR POST or a hidden-form POST (urlencoded).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from desktop_app.capi.observations import PixelObservation

logger = logging.getLogger(__name__)

_META_HOST = r"https?://(?:www\.|web\.|m\.|business\.)?facebook\.com"

# Endpoints that carry a Pixel event. `/tr` and `/tr/` are the event endpoint; the privacy
# sandbox one repeats the same event for Chrome's attribution reporting and must not be
# counted as a second browser copy (pairing ignores non-`tr` endpoints for verdicts).
ENDPOINTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("tr", re.compile(_META_HOST + r"/tr/?(?:\?|$)")),
    ("privacy_sandbox", re.compile(_META_HOST + r"/privacy_sandbox/pixel/register/trigger/?")),
    ("privacy_sandbox", re.compile(_META_HOST + r"/privacy_sandbox/[^?]*")),
)

# `rqm` (request method) says which transport fbevents.js chose; it wins over what the
# browser reports, because a form POST inside an iframe shows up as a "document" request.
_RQM_TRANSPORT = {
    "GET": "image",
    "SB": "beacon",
    "formPOST": "form",
    "xhrPOST": "xhr",
    "FGET": "fetch",
    "fetchPOST": "fetch",
}

# Playwright / HAR resource types → transport, for requests without `rqm`.
_RESOURCE_TRANSPORT = {
    "image": "image",
    "img": "image",
    "ping": "beacon",
    "beacon": "beacon",
    "fetch": "fetch",
    "xhr": "xhr",
    "xmlhttprequest": "xhr",
    "document": "form",
    "sub_frame": "form",
    "subdocument": "form",
}

_BRACKETS = re.compile(r"\[([^\]]*)\]")
_USER_DATA_PREFIXES = ("ud", "udff")


def endpoint_of(url: str) -> str | None:
    """The endpoint name when `url` is a Meta Pixel event endpoint, else None."""
    for name, pattern in ENDPOINTS:
        if pattern.match(url):
            return name
    return None


def is_pixel_request(url: str) -> bool:
    return endpoint_of(url) is not None


def parse_pixel_request(
    url: str,
    method: str = "GET",
    post_data: str | bytes | None = None,
    resource_type: str | None = None,
    at: float | None = None,
) -> PixelObservation | None:
    """Parse one request; None when it is not a Pixel event (other host, no `id`/`ev`)."""
    endpoint = endpoint_of(url)
    if endpoint is None:
        return None
    pairs = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    if post_data and method.upper() != "GET":
        pairs += parse_body(post_data)
    params: dict[str, str] = {}
    for key, value in pairs:
        params[key] = value  # a later (body) value wins over the query string, as on Meta's side
    pixel_id = params.get("id", "").strip()
    event_name = params.get("ev", "")
    if not pixel_id or not event_name:
        return None
    client_ts = _ms_to_seconds(params.get("ts"))
    observed_at = at if at is not None else (client_ts or 0.0)
    user_data_keys = tuple(
        dict.fromkeys(
            f"{prefix}[{sub}]"
            for prefix, path in (_split_key(k) for k in params)
            if prefix in _USER_DATA_PREFIXES
            for sub in path[:1]
        )
    )
    return PixelObservation(
        pixel_id=pixel_id,
        event_name=event_name,
        event_id=params.get("eid") or None,
        url=params.get("dl", ""),
        observed_at=observed_at,
        transport=_transport(method, resource_type, params.get("rqm")),
        custom_data=_nested(params, "cd"),
        user_data_keys=user_data_keys,
        fbp=params.get("fbp") or None,
        fbc=params.get("fbc") or None,
        request_url=url,
        endpoint=endpoint,
        page_load=params.get("it") or None,
        client_ts=client_ts,
        params={k: v for k, v in params.items() if _split_key(k)[0] not in _USER_DATA_PREFIXES},
    )


def parse_body(post_data: str | bytes) -> list[tuple[str, str]]:
    """Key/value pairs of a POST body: urlencoded, multipart form data or a JSON object."""
    text = (
        post_data.decode("utf-8", "replace") if isinstance(post_data, bytes) else post_data
    ).strip()
    if not text:
        return []
    if text.startswith("--"):
        return _parse_multipart(text)
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return []
        if isinstance(data, dict):
            return list(_flatten(data, ""))
        return []
    return parse_qsl(text, keep_blank_values=True)


def _parse_multipart(text: str) -> list[tuple[str, str]]:
    # sendBeacon with FormData: the body starts with its boundary line; no header needed.
    boundary = text.split("\r\n", 1)[0].split("\n", 1)[0].strip()
    out: list[tuple[str, str]] = []
    for chunk in text.split(boundary):
        part = chunk.strip("\r\n")
        if not part or part == "--":
            continue
        head, sep, body = part.partition("\r\n\r\n")
        if not sep:
            head, sep, body = part.partition("\n\n")
        match = re.search(r'name="([^"]*)"', head)
        if match:
            out.append((match.group(1), body.rstrip("\r\n")))
    return out


def _flatten(value: Any, prefix: str) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        out: list[tuple[str, str]] = []
        for key, sub in value.items():
            out += _flatten(sub, f"{prefix}[{key}]" if prefix else str(key))
        return out
    if isinstance(value, list):
        return [(prefix, json.dumps(value))]
    if isinstance(value, bool):
        return [(prefix, "true" if value else "false")]
    return [(prefix, "" if value is None else str(value))]


def _split_key(key: str) -> tuple[str, list[str]]:
    """`cd[contents][0]` → ("cd", ["contents", "0"])."""
    head = key.split("[", 1)[0]
    return head, _BRACKETS.findall(key[len(head) :])


def _nested(params: dict[str, str], prefix: str) -> dict[str, Any]:
    """Rebuild `cd[a]=1&cd[b][c]=2` as {"a": 1, "b": {"c": 2}}; JSON arrays/objects decoded."""
    out: dict[str, Any] = {}
    for key, raw in params.items():
        head, path = _split_key(key)
        if head != prefix or not path:
            continue
        node = out
        for step in path[:-1]:
            child = node.get(step)
            if not isinstance(child, dict):
                child = node[step] = {}
            node = child
        node[path[-1]] = _decode_value(raw)
    return out


def _decode_value(raw: str) -> Any:
    # fbevents.js serialises arrays and objects as JSON strings; scalars stay as text
    # (a value of "12.50" must not lose its trailing zero in the evidence).
    if raw[:1] in ("[", "{"):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _ms_to_seconds(raw: str | None) -> float | None:
    if not raw:
        return None
    try:
        return float(raw) / 1000.0
    except ValueError:
        return None


def _transport(method: str, resource_type: str | None, rqm: str | None) -> str:
    if rqm and rqm in _RQM_TRANSPORT:
        return _RQM_TRANSPORT[rqm]
    if resource_type and resource_type.lower() in _RESOURCE_TRANSPORT:
        return _RESOURCE_TRANSPORT[resource_type.lower()]
    return "image" if method.upper() == "GET" else "fetch"
