"""The setup wizard end to end as the desktop app shows it: the real embedded browser
(QWebEngineView offscreen, Playwright over CDP) on the demo shop, the sandbox as Meta, a rule
picked with a real Qt click on the shop's Add-to-cart button. Runs in a child process (QtWebEngine
reads its CDP port once per process; see the child's doc). The headless path (no QtWebEngine)
is test_setup_wizard.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from qt_child import run_qt_child
from workspace.helpers import SHOP_PIXEL, TOKEN, files_containing

pytestmark = [pytest.mark.browser, pytest.mark.gui, pytest.mark.slow, pytest.mark.asyncio]

CHILD = Path(__file__).with_name("wizard_embedded_child.py")


async def test_wizard_on_the_demo_shop_in_the_embedded_browser(isolated_home: Path) -> None:
    seen = await run_qt_child(CHILD, timeout_s=200)

    assert [s[0] for s in seen["steps"]] == [
        "site",
        "pixel",
        "token",
        "test_code",
        "tagging",
        "test_event",
        "install",
    ]
    # site: the shop opened in the wizard's embedded view and its Pixel was found there
    assert seen["view_url"].rstrip("/") == seen["shop_url"].rstrip("/")
    assert "Pixel already on the page: " + SHOP_PIXEL in seen["site_facts"]
    assert seen["pixel_prefilled"] == SHOP_PIXEL
    # token: in the keyring, not in the field
    assert seen["token_in_keyring"] is True and seen["token_field"] == ""
    # tagging: pointing is offered in the view; the Qt click picked Add to cart (not added)
    assert seen["pick_row_visible"] is True
    assert "Point at your buttons on the right" in seen["tagging_note"]
    [rule] = seen["picked"]
    assert rule["event"] == "AddToCart" and rule["trigger"]["type"] == "click"
    assert rule["trigger"]["selectors"] and rule["trigger"]["text"] == "Add to cart"
    assert seen["cart_count"] == "0"  # the pick did not press the shop's button
    assert seen["rule_boxes"] and "Add to cart" in seen["rule_boxes"][0]
    assert seen["draft_rules"] == [rule]
    # test event: reached the sandbox with the test code
    assert "TEST4242" in seen["where_to_look"]
    assert seen["received"] == ["TEST4242"]
    assert seen["steps"][5][2].startswith("✔ Meta received the test event.")
    # install: the snippet carries the rule picked on the page
    assert rule["trigger"]["selectors"][0] in seen["snippet"]
    assert '"AddToCart"' in seen["snippet"] and SHOP_PIXEL in seen["snippet"]
    assert seen["finished_rules"] == [rule]
    # the token is in no file the child wrote
    assert files_containing(isolated_home, TOKEN) == []
