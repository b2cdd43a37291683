"""Platform detection table (pure): each platform's signals, thresholds, priority."""

from __future__ import annotations

import pytest

from desktop_app.tagger.platforms import (
    PRIORITY,
    SIGNATURES,
    THRESHOLD,
    PageFacts,
    detect_platform,
    probe_inputs,
)
from desktop_app.tagger.presets import PRESETS, preset_for


def test_every_platform_has_signals_a_preset_and_a_priority() -> None:
    assert set(SIGNATURES) == set(PRESETS) == set(PRIORITY)


def test_no_single_weak_signal_decides() -> None:
    for platform, signals in SIGNATURES.items():
        for signal in signals:
            if signal.weight >= THRESHOLD:
                continue
            facts = PageFacts()
            if signal.kind == "global":
                facts.globals = [signal.pattern]
            elif signal.kind == "selector":
                facts.selectors = [signal.pattern]
            else:
                continue
            assert detect_platform(facts).platform is None, (platform, signal)


def test_woocommerce_wins_over_wordpress() -> None:
    facts = PageFacts(
        generator=["WordPress 6.6.2", "WooCommerce 9.3.3"],
        scripts=["https://shop.example/wp-content/plugins/woocommerce/assets/js/x.js"],
    )
    detection = detect_platform(facts)
    assert detection.platform == "woocommerce"
    assert detection.scores["wordpress"] >= THRESHOLD
    assert "generator meta says WooCommerce" in detection.evidence


@pytest.mark.parametrize(
    ("facts", "platform"),
    [
        (
            PageFacts(headers={"server": "Squarespace"}, html_head="<!-- This is Squarespace. -->"),
            "squarespace",
        ),
        (PageFacts(cookies=["_kjb_session"], scripts=["https://kajabi-cdn.com/x.css"]), "kajabi"),
        (
            PageFacts(headers={"x-pingback": "https://b.example/xmlrpc.php"}, globals=["wp"]),
            "wordpress",
        ),
        (PageFacts(selectors=["html[data-wf-site][data-wf-page]"]), "webflow"),
        (PageFacts(generator=["Framer 2f7c1d0"]), "framer"),
        (PageFacts(globals=["CFAppDomain"]), "clickfunnels"),
        (PageFacts(globals=["Shopify", "ShopifyAnalytics"]), "shopify"),
        (PageFacts(generator=["Hugo 0.120"]), None),
    ],
)
def test_signal_kinds(facts: PageFacts, platform: str | None) -> None:
    assert detect_platform(facts).platform == platform


def test_probe_inputs_cover_the_table() -> None:
    inputs = probe_inputs()
    assert "Static.SQUARESPACE_CONTEXT" in inputs["globals"]
    assert "html[data-wf-site][data-wf-page]" in inputs["selectors"]
    assert len(inputs["globals"]) == len(set(inputs["globals"]))


def test_presets_drop_events_the_platform_already_sends_and_say_why() -> None:
    woo = preset_for("woocommerce", ["PageView", "Purchase", "AddToCart"])
    assert {r["event"] for r in woo["rules"]} == {"ViewContent", "InitiateCheckout", "Lead"}
    reasons = {s["event"]: s["reason"] for s in woo["skipped"]}
    assert set(reasons) == {"AddToCart", "Purchase"}
    assert "Facebook for WooCommerce" in reasons["Purchase"]
    shopify = preset_for("shopify")
    assert shopify["rules"] == []
    assert {s["event"] for s in shopify["skipped"]} >= {"AddToCart", "InitiateCheckout", "Purchase"}
    assert all("Custom Pixel" in s["reason"] for s in shopify["skipped"])
    unknown = preset_for(None)
    assert unknown["rules"] == [] and unknown["notes"]


@pytest.mark.parametrize("platform", sorted(PRESETS))
def test_each_preset_is_a_valid_config_covering_conversions(platform: str) -> None:
    from desktop_app.tagger.config import parse_config

    preset = preset_for(platform)
    config = parse_config({"version": 1, "pixel_id": "123456", "rules": preset["rules"]})
    handled = {r["event"] for r in config.rules} | {s["event"] for s in preset["skipped"]}
    # Out of the box: at least a lead or a sale, plus checkout/sale where the platform sells.
    assert handled & {"Lead", "Purchase"}
    if platform not in ("wordpress",):
        assert "InitiateCheckout" in handled
