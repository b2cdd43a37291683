"""Graph answers are classified by `error.code` (table-driven), not by HTTP status."""

from __future__ import annotations

from typing import Any

import pytest

from desktop_app.capi.graph_errors import (
    GRAPH_ERROR_RULES,
    Outcome,
    classify_network_error,
    classify_response,
)


def envelope(code: Any, subcode: Any = None, **extra: Any) -> dict[str, Any]:
    return {
        "error": {
            "message": "m",
            "type": "OAuthException",
            "code": code,
            "error_subcode": subcode,
            "fbtrace_id": "x",
            **extra,
        }
    }


@pytest.mark.parametrize(("code", "rule"), sorted(GRAPH_ERROR_RULES.items()))
def test_every_table_code_decides_whatever_the_http_status(code: int, rule: Any) -> None:
    for status in (200, 400, 401, 403, 500):
        verdict = classify_response(status, envelope(code))
        assert verdict.outcome is rule.outcome and verdict.code == code
        assert verdict.advice == rule.advice


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        (1, Outcome.RETRY),
        (2, Outcome.RETRY),
        (4, Outcome.RETRY),
        (17, Outcome.RETRY),
        (32, Outcome.RETRY),
        (341, Outcome.RETRY),
        (613, Outcome.RETRY),
        (80000, Outcome.RETRY),
        (80004, Outcome.RETRY),
        (80014, Outcome.RETRY),
        (100, Outcome.REJECT),
        (190, Outcome.AUTH),
        (10, Outcome.AUTH),
        (200, Outcome.AUTH),
        (299, Outcome.AUTH),
    ],
)
def test_reference_section_6(code: int, outcome: Outcome) -> None:
    assert classify_response(400, envelope(code)).outcome is outcome


def test_unknown_codes_follow_is_transient_then_status() -> None:
    assert classify_response(400, envelope(12345, is_transient=True)).outcome is Outcome.RETRY
    assert classify_response(503, envelope(12345)).outcome is Outcome.RETRY
    assert classify_response(400, envelope(12345)).outcome is Outcome.REJECT
    assert classify_response(400, envelope("100")).outcome is Outcome.REJECT  # string code


def test_success_and_non_graph_answers() -> None:
    assert classify_response(200, {"events_received": 3}).outcome is Outcome.DELIVERED
    assert classify_response(502, None).outcome is Outcome.RETRY  # a proxy's HTML page
    assert classify_response(429, {"detail": "slow"}).outcome is Outcome.RETRY
    assert classify_response(200, None).outcome is Outcome.RETRY
    assert classify_network_error("timed out").outcome is Outcome.RETRY


def test_subcode_meaning_is_added_to_rejections() -> None:
    verdict = classify_response(400, envelope(100, 2804003))
    assert verdict.subcode == 2804003 and "7 days" in verdict.message
