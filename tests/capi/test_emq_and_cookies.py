"""EMQ estimate ordering/advice, and fbc/fbp parsing."""

from __future__ import annotations

import pytest

from desktop_app.capi.cookies import (
    CookieProblem,
    FbCookie,
    build_fbc,
    fbclid_case_problem,
    fbclid_from_url,
    parse_fb_cookie,
)
from desktop_app.capi.emq import LABEL, WEIGHTS, coverage, estimate

BROWSER_ONLY = {"fbp": "fb.1.1.2", "client_ip_address": "1.2.3.4", "client_user_agent": "UA"}


def test_browser_only_event_scores_low_and_advises_email_then_click_id() -> None:
    result = estimate(BROWSER_ONLY)
    assert result.label == LABEL == "estimate, not Meta's score"
    assert result.rating == "poor" and 0 < result.score < 4
    assert [a.key for a in result.advice] == ["em", "fbc"]
    assert all(a.gain > 0 and a.text for a in result.advice)
    assert set(result.present) == set(BROWSER_ONLY)


def test_more_keys_never_lower_the_score() -> None:
    data: dict[str, object] = {}
    last = estimate(data).score
    assert last == 0
    for weight in WEIGHTS:
        data[weight.key] = ["x"]
        score = estimate(data).score
        assert score >= last
        last = score
    assert last == 10 and estimate(data).missing == () and estimate(data).advice == ()


def test_email_outranks_names_as_meta_publishes() -> None:
    assert estimate({"em": "h"}).score > estimate({"fn": "h", "ln": "h", "ct": "h"}).score


def test_empty_values_do_not_count_and_json_shape() -> None:
    result = estimate({"em": [], "ph": "", "fbc": None})
    assert result.present == ()
    as_json = result.to_json()
    assert set(as_json) == {"score", "rating", "label", "present", "missing", "advice"}


def test_coverage_per_key() -> None:
    cov = coverage([{"em": "x"}, {"em": "y", "ph": "z"}, {}, {}])
    assert cov["em"] == 0.5 and cov["ph"] == 0.25 and cov["fbc"] == 0.0


@pytest.mark.parametrize(
    ("value", "kind", "appendix"),
    [
        ("fb.1.1790000000123.IwAR2F4-dbP0l7Mn", "fbc", None),
        ("fb.2.1790000000123.IwAR2F4-dbP0l7Mn.AQICAQMC", "fbc", "AQICAQMC"),
        ("fb.1.1790000000123.1098115397", "fbp", None),
        ("fb.0.1790000000123.123456789012345678.Ag", "fbp", "Ag"),
    ],
)
def test_valid_cookies_parse(value: str, kind: str, appendix: str | None) -> None:
    parsed = parse_fb_cookie(value, "fbc" if kind == "fbc" else "fbp")
    assert isinstance(parsed, FbCookie) and parsed.appendix == appendix


@pytest.mark.parametrize(
    "value",
    ["", "fb.1.123", "fb.1.2.3.4.5.6", "xx.1.1790000000123.abc", "fb.a.1790000000123.abc",
     "fb.1.17900x.abc", "fb.1.1790000000123.", "fb.1.1790000000123.abc.TOOLONGAPPX", 42],
)  # fmt: skip
def test_malformed_fbc(value: object) -> None:
    assert isinstance(parse_fb_cookie(value, "fbc"), CookieProblem)


def test_fbclid_case_is_checked_against_the_landing_url() -> None:
    fbclid = "IwAR2F4-dbP0l7Mn"
    url = f"https://shop.example/?utm=1&fbclid={fbclid}"
    assert fbclid_from_url(url) == fbclid
    good = parse_fb_cookie(build_fbc(fbclid, 1790000000123), "fbc")
    lowered = parse_fb_cookie(build_fbc(fbclid.lower(), 1790000000123), "fbc")
    assert isinstance(good, FbCookie) and isinstance(lowered, FbCookie)
    assert fbclid_case_problem(good, url) is None
    problem = fbclid_case_problem(lowered, url)
    assert problem is not None and "event_source_url" in problem
    short = parse_fb_cookie("fb.1.1790000000123.abc", "fbc")
    assert isinstance(short, FbCookie) and fbclid_case_problem(short) is None
