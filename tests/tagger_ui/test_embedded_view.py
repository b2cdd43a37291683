"""Pick mode in the desktop app's real embedded browser (QWebEngineView offscreen, Playwright
over CDP), clicked with a real Qt mouse event; run in a child process (see the child's doc)."""

from __future__ import annotations

from pathlib import Path

import pytest
from qt_child import run_qt_child

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.asyncio]

CHILD = Path(__file__).with_name("embedded_pick_child.py")


async def test_qt_click_in_embedded_view_makes_a_rule_that_survives_a_qt_reload() -> None:
    result = await run_qt_child(CHILD, timeout_s=120)
    assert result["clicked"] is None  # the site's button did not act
    assert result["text"] == "Add to cart"
    assert result["selectors"] and not any("framer-" in s for s in result["selectors"])
    assert result["match_label"] == "Matches 1 element on this page."
    assert result["rule"]["trigger"]["selectors"] == result["selectors"]
    assert result["after_reload"] == ["buy-cap"] * len(result["selectors"])
    assert result["picker_after_reload"] == "element"  # pick mode came back after the reload
