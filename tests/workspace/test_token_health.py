"""Token health in plain words: the Graph error table, and a live check against the sandbox."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from desktop_app.services.diagnostics import (
    diagnostics_text,
    install_file_log,
    remove_file_log,
    scrub_personal,
)
from desktop_app.services.paths import AppPaths
from desktop_app.services.sandbox import MetaSandbox
from desktop_app.services.token_health import (
    SUBCODE_TITLES,
    TEXT,
    TokenState,
    check_token,
    classify_error,
)

GOOD = "EAAgoodtoken" + "g" * 30
PIXEL = "123456789012345"

CASES = [
    (401, {"code": 190}, TokenState.INVALID),
    (400, {"code": 190, "error_subcode": 463}, TokenState.INVALID),
    (403, {"code": 10}, TokenState.NO_PERMISSION),
    (403, {"code": 200}, TokenState.NO_PERMISSION),
    (403, {"code": 294}, TokenState.NO_PERMISSION),
    (400, {"code": 100, "error_subcode": 33}, TokenState.NO_PERMISSION),
    (400, {"code": 100, "error_subcode": 2804019}, TokenState.UNKNOWN),
    (500, {"code": 2}, TokenState.UNKNOWN),
]


@pytest.mark.parametrize(("status", "error", "state"), CASES)
def test_graph_errors_map_to_plain_states(status: int, error: dict[str, int], state: str) -> None:
    result = classify_error(status, {"error": {"message": "m", **error}})
    assert result.state is state
    assert result.code == error["code"]


def test_every_state_and_subcode_has_words() -> None:
    assert set(TEXT) == set(TokenState)
    assert all(title and step for title, step in TEXT.values())
    expired = classify_error(400, {"error": {"code": 190, "error_subcode": 463}})
    assert expired.title == SUBCODE_TITLES[463]
    assert classify_error(502, "<html>").state is TokenState.UNKNOWN


@pytest.mark.asyncio
async def test_check_against_the_sandbox(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with MetaSandbox(token=GOOD) as sandbox:
        works = await check_token(GOOD, PIXEL, graph_url=sandbox.url)
        refused = await check_token("EAAwrong" + "w" * 30, PIXEL, graph_url=sandbox.url)
        not_a_pixel = await check_token(GOOD, "notapixel", graph_url=sandbox.url)
        missing = await check_token(None, PIXEL, graph_url=sandbox.url)
        paths = [r["path"] for r in sandbox.requests()]
    assert works.ok and works.state is TokenState.WORKS
    assert refused.state is TokenState.INVALID and refused.code == 190
    assert not_a_pixel.state is TokenState.NO_PERMISSION
    assert missing.state is TokenState.MISSING
    assert len(paths) == 3 and all(GOOD not in p for p in paths)
    assert GOOD not in caplog.text


@pytest.mark.asyncio
async def test_offline_is_its_own_answer() -> None:
    async with MetaSandbox() as sandbox:
        url = sandbox.url
    result = await check_token(GOOD, PIXEL, graph_url=url, timeout_s=2)  # stopped: refused
    assert result.state is TokenState.OFFLINE
    assert "try “Check” again" in result.next_step


def test_diagnostics_mask_tokens_and_customer_data(isolated_home: Path) -> None:
    paths = AppPaths.default().ensure()
    log = install_file_log(paths)
    try:
        logging.getLogger("desktop_app.test").warning("delivery failed access_token=%s", GOOD)
        text = diagnostics_text(
            paths,
            workspace={"pixel": PIXEL},
            messages=["customer jane.doe@example.com called +1 (555) 123-4567", "plain " + GOOD],
            secrets=["s3cr3t-value"],
        )
    finally:
        remove_file_log(log)
    assert "delivery failed" in log.read_text() and GOOD not in log.read_text()
    assert GOOD not in text and "jane.doe" not in text and "555" not in text
    assert "Versions:" in text and "PixelBridge" in text and PIXEL in text
    assert "delivery failed access_token=[redacted]" in text
    assert scrub_personal("2026-11-27 06:00:01,123 INFO x") == "2026-11-27 06:00:01,123 INFO x"
