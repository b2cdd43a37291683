"""The tagging panel as a passive widget: picks in, rules and requests out."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from desktop_app.services.page_locator import MatchCount
from desktop_app.services.picker import Pick
from desktop_app.tagger.locators import LocatorBundle, suggest_url_pattern
from desktop_app.tagger.schema import validate
from desktop_app.views.tagging_panel import TaggingPanel

BUTTON = LocatorBundle(
    selectors=["#product-hoodie button", "div.product-card:nth-of-type(1) > button"],
    text="Add to cart",
    role="button",
    name="Add to cart",
    tag="button",
    kinds=["id>tag", "path-nth"],
    fingerprint={"tag": "button", "text": "Add to cart"},
)


def make_panel(qtbot: QtBot) -> tuple[TaggingPanel, dict[str, list[Any]]]:
    panel = TaggingPanel()
    qtbot.addWidget(panel)
    seen: dict[str, list[Any]] = {k: [] for k in ("saved", "picks", "selectors", "toggled")}
    panel.rule_saved.connect(seen["saved"].append)
    panel.pick_requested.connect(seen["picks"].append)
    panel.selectors_changed.connect(seen["selectors"].append)
    panel.rule_toggled.connect(lambda rid, on: seen["toggled"].append((rid, on)))
    return panel, seen


def assert_valid(rule: dict[str, Any]) -> None:
    config = {"version": 1, "pixel_id": "1234567890", "rules": [rule]}
    assert validate(config) == []


def test_point_then_save_makes_a_valid_click_rule(qtbot: QtBot) -> None:
    panel, seen = make_panel(qtbot)
    assert not panel.save_button.isEnabled()  # nothing chosen yet
    panel.point_button.click()
    assert seen["picks"] == ["element"]
    panel.on_pick(Pick(mode="element", url="https://shop.example/product/hoodie", bundle=BUTTON))
    assert seen["selectors"] == [BUTTON.selectors]
    assert "Add to cart" in panel.target_label.text()
    panel.set_match_count(MatchCount([1, 1], 1))
    assert panel.match_label.text() == "Matches 1 element on this page."
    panel.set_match_count(MatchCount([3], 3))
    assert "Matches 3 elements" in panel.match_label.text()
    assert panel.save_button.isEnabled()
    panel.save_button.click()
    (rule,) = seen["saved"]
    assert rule["event"] == "AddToCart"
    assert rule["trigger"] == {
        "type": "click",
        "selectors": BUTTON.selectors,
        "text": "Add to cart",
    }
    assert "url" not in rule  # not restricted unless the owner asks
    assert_valid(rule)


def test_purchase_on_this_page_needs_a_value_and_currency(qtbot: QtBot) -> None:
    panel, seen = make_panel(qtbot)
    panel.event_combo.setCurrentIndex(panel.event_combo.findData("Purchase"))
    assert panel.value_box.isVisibleTo(panel)
    url = "https://shop.example/checkout/order-received/1234/?key=wc_order_x"
    panel.on_pick(Pick(mode="page", url=url, url_pattern=suggest_url_pattern(url)))
    assert panel.url_value.text() == "/order-received/"
    assert panel.url_match.currentData() == "contains"
    assert not panel.save_button.isEnabled()
    assert "Purchase needs a value" in panel.problems_label.text()
    price = LocatorBundle(selectors=[".order-total .amount"], text="1.234,56 €", tag="span")
    panel.on_pick(Pick(mode="value", url=url, bundle=price, price=(1234.56, "EUR")))
    assert panel.currency_combo.currentText() == "EUR"
    email = LocatorBundle(selectors=["#billing_email"], tag="input")
    panel.on_pick(Pick(mode="field", url=url, bundle=email, field_kind="email"))
    panel.save_button.click()
    (rule,) = seen["saved"]
    assert rule["trigger"] == {"type": "pageview"}
    assert rule["url"] == {"match": "contains", "value": "/order-received/"}
    assert rule["params"] == {
        "value": {"selector": ".order-total .amount"},
        "currency": {"value": "EUR"},
    }
    assert rule["user_fields"] == {"email": "#billing_email"}
    assert_valid(rule)


def test_blocked_pick_is_explained_and_changes_nothing(qtbot: QtBot) -> None:
    panel, seen = make_panel(qtbot)
    panel.on_pick(
        Pick(mode="element", url="https://x", blocked_reason="This part cannot be tagged: …")
    )
    assert "cannot be tagged" in panel.target_label.text()
    assert panel.draft.bundle is None and not panel.save_button.isEnabled()
    assert seen["selectors"] == []


def test_rules_list_edit_toggle_and_platform_banner(qtbot: QtBot) -> None:
    panel, seen = make_panel(qtbot)
    rules = [
        {"id": "atc-1", "event": "AddToCart", "trigger": {"type": "click", "text": "Add"}},
        {
            "id": "buy",
            "event": "Purchase",
            "enabled": False,
            "trigger": {"type": "pageview"},
            "url": {"match": "contains", "value": "/order-received/"},
            "params": {"value": {"value": 10}, "currency": {"value": "EUR"}},
        },
    ]
    assert panel.rules.no_rules_label.isVisibleTo(panel)
    panel.set_rules(rules)
    assert not panel.rules.no_rules_label.isVisibleTo(panel)
    assert panel.rules.rules_list.count() == 2
    assert "Bought something (Purchase)" in panel.rules.rules_list.item(1).text()
    assert "(off)" in panel.rules.rules_list.item(1).text()
    assert not panel.rules.toggle_button.isEnabled()  # nothing selected
    panel.rules.rules_list.setCurrentRow(1)
    assert panel.rules.toggle_button.text() == "Turn on"
    panel.rules.toggle_button.click()
    assert seen["toggled"] == [("buy", True)]
    panel.rules.edit_button.click()
    assert panel.draft.rule_id == "buy" and panel.draft.event == "Purchase"
    assert panel.url_value.text() == "/order-received/"
    panel.save_button.click()
    assert seen["saved"][-1]["id"] == "buy"  # editing keeps the id
    panel.set_platform("WooCommerce", ["Add to Cart", "Purchase"], ["PageView"])
    assert panel.banner.isVisibleTo(panel)
    assert "WooCommerce detected" in panel.banner_label.text()
    assert "Already sent by the site itself: PageView" in panel.banner_label.text()
    panel.set_platform(None, [], [])
    assert not panel.banner.isVisibleTo(panel)


def test_repair_offer_and_test_request(qtbot: QtBot) -> None:
    panel, _ = make_panel(qtbot)
    accepted: list[str] = []
    tested: list[str] = []
    panel.repair_accepted.connect(accepted.append)
    panel.rule_test_requested.connect(tested.append)
    panel.set_rules([{"id": "atc-1", "event": "AddToCart", "trigger": {"type": "pageview"}}])
    panel.rules.rules_list.setCurrentRow(0)
    panel.rules.test_button.click()
    assert tested == ["atc-1"] and "Testing" in panel.rules.test_label.text()
    panel.set_test_result("Clicked #add-to-cart: Pixel AddToCart + server AddToCart, same id.")
    assert "same id" in panel.rules.test_label.text()
    assert not panel.rules.repair_button.isVisibleTo(panel)
    panel.set_repair_offer("atc-1", "“Add to cart” matches nothing here. Is it “Add to basket”?")
    assert panel.rules.repair_button.isVisibleTo(panel)
    panel.rules.repair_button.click()
    assert accepted == ["atc-1"] and not panel.rules.repair_button.isVisibleTo(panel)


def test_custom_event_name(qtbot: QtBot) -> None:
    panel, seen = make_panel(qtbot)
    assert not panel.custom_event.isVisibleTo(panel)
    panel.event_combo.setCurrentIndex(panel.event_combo.findData("__custom__"))
    assert panel.custom_event.isVisibleTo(panel)
    panel.on_pick(Pick(mode="element", url="https://shop.example/demo", bundle=BUTTON))
    assert not panel.save_button.isEnabled()  # no name yet
    qtbot.keyClicks(panel.custom_event, "BookDemo")
    assert panel.save_button.isEnabled()
    panel.save_button.click()
    assert seen["saved"][-1]["event"] == "BookDemo"
    assert_valid(seen["saved"][-1])
    panel.set_rules(seen["saved"])
    panel.rules.rules_list.setCurrentRow(0)
    panel.event_combo.setCurrentIndex(panel.event_combo.findData("Lead"))
    panel.rules.edit_button.click()
    assert panel.custom_event.text() == "BookDemo" and panel.draft.event == "BookDemo"
