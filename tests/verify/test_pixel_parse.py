"""`parse_pixel_request`: every transport fbevents.js uses, and what is not a Pixel hit."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from desktop_app.capi.pixel import endpoint_of, parse_body, parse_pixel_request

BASE = "https://www.facebook.com/tr/"
QUERY = {
    "id": "1234567890",
    "ev": "Purchase",
    "eid": "order-42",
    "dl": "https://shop.example/thanks?fbclid=abc",
    "rl": "https://shop.example/cart",
    "ts": "1764220000123",
    "it": "1764219999000",
    "cd[value]": "12.50",
    "cd[currency]": "EUR",
    "cd[content_ids]": '["sku-1","sku-2"]',
    "cd[contents][0][id]": "sku-1",
    "ud[em]": "a" * 64,
    "ud[external_id]": "b" * 64,
    "udff[fn]": "c" * 64,
    "fbp": "fb.1.1764219999000.123456789",
    "fbc": "fb.1.1764219999000.abc",
}


def test_image_get_is_fully_decoded() -> None:
    url = f"{BASE}?{urlencode(QUERY)}"
    obs = parse_pixel_request(url, "GET", None, "image", at=1764220000.5)
    assert obs is not None
    assert (obs.pixel_id, obs.event_name, obs.event_id) == ("1234567890", "Purchase", "order-42")
    assert obs.url == QUERY["dl"]
    assert obs.observed_at == 1764220000.5
    assert obs.client_ts == pytest.approx(1764220000.123)
    assert obs.page_load == "1764219999000"
    assert obs.transport == "image"
    assert obs.custom_data == {
        "value": "12.50",
        "currency": "EUR",
        "content_ids": ["sku-1", "sku-2"],
        "contents": {"0": {"id": "sku-1"}},
    }
    assert obs.user_data_keys == ("ud[em]", "ud[external_id]", "udff[fn]")
    assert obs.fbp == QUERY["fbp"] and obs.fbc == QUERY["fbc"]
    assert obs.endpoint == "tr"
    # hashed user data values stay out of the kept params (keys are enough for the report)
    assert not any(k.startswith(("ud[", "udff[")) for k in obs.params)
    assert obs.params["rl"] == QUERY["rl"]


@pytest.mark.parametrize(
    "url",
    ["https://www.facebook.com/tr?id=1&ev=PageView", "https://www.facebook.com/tr/?id=1&ev=X"],
)
def test_both_tr_forms(url: str) -> None:
    obs = parse_pixel_request(url, "GET", None, "image", at=1.0)
    assert obs is not None and obs.pixel_id == "1"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.facebook.com/track.js",
        "https://connect.facebook.net/en_US/fbevents.js",
        "https://connect.facebook.net/signals/config/1234",
        "https://www.facebook.com/trx?id=1&ev=Purchase",
        "https://evil.example/tr?id=1&ev=Purchase",
        "https://www.facebook.com.evil.example/tr?id=1&ev=Purchase",
        "https://www.facebook.com/tr/?ev=Purchase",  # no pixel id
        "https://www.facebook.com/tr/?id=1",  # no event
    ],
)
def test_not_a_pixel_event(url: str) -> None:
    assert parse_pixel_request(url, "GET", None, "image", at=1.0) is None


def test_beacon_multipart_body() -> None:
    boundary = "----WebKitFormBoundaryXyZ"
    fields = {"id": "777", "ev": "AddToCart", "eid": "e-1", "cd[value]": "3", "rqm": "SB"}
    body = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in fields.items()
    )
    body += f"--{boundary}--\r\n"
    obs = parse_pixel_request(BASE, "POST", body.encode(), "ping", at=2.0)
    assert obs is not None
    assert (obs.pixel_id, obs.event_name, obs.event_id) == ("777", "AddToCart", "e-1")
    assert obs.transport == "beacon"
    assert obs.custom_data == {"value": "3"}


def test_form_post_reports_form_even_as_document() -> None:
    body = urlencode({"id": "5", "ev": "Lead", "eid": "L1", "rqm": "formPOST"})
    obs = parse_pixel_request(BASE, "POST", body, "document", at=3.0)
    assert obs is not None and obs.transport == "form" and obs.event_id == "L1"


def test_fetch_json_body_and_query_merge() -> None:
    obs = parse_pixel_request(
        f"{BASE}?id=9", "POST", '{"ev": "Lead", "eid": "x", "cd": {"value": 1}}', "fetch", at=4.0
    )
    assert obs is not None
    assert (obs.pixel_id, obs.event_name, obs.transport) == ("9", "Lead", "fetch")
    assert obs.custom_data == {"value": "1"}


def test_xhr_and_rqm_table() -> None:
    body = urlencode({"id": "5", "ev": "Lead"})
    assert parse_pixel_request(BASE, "POST", body, "xhr", at=1).transport == "xhr"  # type: ignore[union-attr]
    with_rqm = urlencode({"id": "5", "ev": "Lead", "rqm": "xhrPOST"})
    assert parse_pixel_request(BASE, "POST", with_rqm, None, at=1).transport == "xhr"  # type: ignore[union-attr]


def test_missing_eid_is_none_not_empty() -> None:
    obs = parse_pixel_request(f"{BASE}?id=1&ev=Purchase&eid=", "GET", None, "image", at=1)
    assert obs is not None and obs.event_id is None


def test_time_falls_back_to_client_ts() -> None:
    obs = parse_pixel_request(f"{BASE}?id=1&ev=Purchase&ts=5000", "GET", None, None)
    assert obs is not None and obs.observed_at == 5.0


def test_privacy_sandbox_endpoint_kept_apart() -> None:
    url = "https://www.facebook.com/privacy_sandbox/pixel/register/trigger/?id=1&ev=Purchase&eid=a"
    assert endpoint_of(url) == "privacy_sandbox"
    obs = parse_pixel_request(url, "GET", None, "other", at=1)
    assert obs is not None and obs.endpoint == "privacy_sandbox"


def test_parse_body_tolerates_garbage() -> None:
    assert parse_body("{not json") == []
    assert parse_body(b"") == []
    assert parse_body("[1,2]") == [("[1,2]", "")]
