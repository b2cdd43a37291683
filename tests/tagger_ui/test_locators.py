"""Pure parts of the tagger: ranking, URL suggestions, field and price reading, similarity."""

from __future__ import annotations

import pytest

from desktop_app.services.rule_health import url_applies
from desktop_app.tagger.fingerprint import REPAIR_THRESHOLD, best_match, similarity
from desktop_app.tagger.locators import (
    KIND_SCORES,
    anchor,
    bundle_from_page,
    classify_field,
    kind_score,
    parse_price,
    rank_candidates,
    suggest_section_pattern,
    suggest_url_pattern,
)


def test_ranking_follows_the_stability_table_and_keeps_three() -> None:
    raw = [
        {"kind": "path-nth", "css": "div > button:nth-of-type(2)"},
        {"kind": "class", "css": "button.add"},
        {"kind": "id>tag", "css": "#p1 button"},
        {"kind": "testid", "css": '[data-testid="atc"]'},
        {"kind": "class", "css": "button.add"},  # duplicate
    ]
    ranked = rank_candidates(raw)
    assert [c.css for c in ranked] == [
        '[data-testid="atc"]',
        "#p1 button",
        "button.add",
        "div > button:nth-of-type(2)",
    ]
    bundle = bundle_from_page({"candidates": raw, "text": "Add", "role": "button"})
    assert bundle.selectors == ['[data-testid="atc"]', "#p1 button", "button.add"]
    same_anchor = [
        {"kind": "id>type", "css": '#p1 button[type="button"]'},
        {"kind": "id>tag", "css": "#p1 button"},
        {"kind": "path", "css": "#p1 > button"},
        {"kind": "path-deep-nth", "css": "div.card:nth-of-type(1) > button"},
    ]
    # One renamed id must not break all three: the positional path is kept as well.
    assert bundle_from_page({"candidates": same_anchor}).selectors == [
        '#p1 button[type="button"]',
        "#p1 button",
        "div.card:nth-of-type(1) > button",
    ]
    assert bundle.trigger() == {"type": "click", "selectors": bundle.selectors, "text": "Add"}
    assert not bundle.fragile
    assert bundle_from_page({"candidates": raw[:1]}).fragile


@pytest.mark.parametrize("kind", sorted(KIND_SCORES))
def test_every_kind_scores_below_unknown_and_scoped_kinds_rank_after_their_scope(
    kind: str,
) -> None:
    assert kind_score(kind) < kind_score("made-up")
    assert kind_score(f"id>{kind}") > kind_score("id")


@pytest.mark.parametrize(
    ("url", "match", "value"),
    [
        (
            "https://shop.example/checkout/order-received/1234/?key=wc_order_abc",
            "contains",
            "/order-received/",
        ),
        ("https://shop.example/thank-you", "equals", "/thank-you"),
        ("https://shop.example/thank-you/?utm_source=x", "equals", "/thank-you"),
        (
            "https://shop.example/order-confirmation?orderId=98765&token=x",
            "contains",
            "/order-confirmation",
        ),
        ("https://shop.example/", "equals", "/"),
        (
            "https://shop.example/orders/3f2a9c1e-77aa-4c1e-9d0b-1234567890ab/done",
            "contains",
            "/orders/",
        ),
    ],
)
def test_url_pattern_suggestion(url: str, match: str, value: str) -> None:
    pattern = suggest_url_pattern(url)
    assert (pattern.match, pattern.value) == (match, value)
    assert pattern.to_rule() == {"match": match, "value": value}


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ({"type": "email", "name": "em"}, "email"),
        ({"type": "tel", "name": "x"}, "phone"),
        ({"type": "text", "autocomplete": "given-name"}, "first_name"),
        ({"type": "text", "name": "billing_last_name"}, "last_name"),
        ({"type": "text", "label": "Postcode"}, "zip"),
        ({"type": "text", "name": "your-name"}, "name"),
        ({"type": "text", "name": "coupon"}, None),
        (None, None),
    ],
)
def test_field_classification(info: dict[str, str] | None, expected: str | None) -> None:
    assert classify_field(info) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56 €", (1234.56, "EUR")),
        ("$19.99", (19.99, "USD")),
        ("£1,299", (1299.0, "GBP")),
        ("Total: 49,90 CHF", (49.9, "CHF")),
        ("1 234,5 zł", (1234.5, "PLN")),
        ("Free", None),
    ],
)
def test_price_parsing(text: str, expected: tuple[float, str] | None) -> None:
    assert parse_price(text) == expected


SAVED = {
    "tag": "button",
    "role": "button",
    "text": "Add to cart",
    "attrs": {"type": "button"},
    "classes": [],
    "ancestors": ["div.product-card", "main", "body"],
    "nearby_ids": ["product-hoodie"],
    "box": {"x": 30, "y": 200, "w": 100, "h": 30},
}


def test_repair_prefers_same_text_and_place_over_same_tag() -> None:
    moved = dict(SAVED, tag="a", text="Add to cart now", box={"x": 40, "y": 240, "w": 120, "h": 30})
    other = dict(SAVED, text="Wishlist", nearby_ids=[], box={"x": 30, "y": 600, "w": 100, "h": 30})
    unrelated = {"tag": "h2", "role": "heading", "text": "Blue hoodie", "box": {"x": 0, "y": 0}}
    match = best_match(SAVED, [unrelated, other, moved])
    assert match is not None and match.index == 2
    assert similarity(SAVED, SAVED) > 0.95
    assert best_match(SAVED, [unrelated]) is None
    assert similarity(SAVED, unrelated) < REPAIR_THRESHOLD


@pytest.mark.parametrize(
    ("url", "match", "value"),
    [
        ("https://shop.example/product/linen-mug", "prefix", "/product/"),
        ("https://shop.example/shop/mugs/linen-mug?x=1", "prefix", "/shop/mugs/"),
        ("https://shop.example/cart", "equals", "/cart"),
        ("https://shop.example/checkout/order-received/1234/", "contains", "/order-received/"),
    ],
)
def test_section_pattern_for_buttons(url: str, match: str, value: str) -> None:
    pattern = suggest_section_pattern(url)
    assert (pattern.match, pattern.value) == (match, value)


@pytest.mark.parametrize(
    ("css", "expected"),
    [
        ("#p1 > button", "#p1"),
        ('button[aria-label="Add to cart"]', 'button[aria-label="Add to cart"]'),
        ('form[action*="/a b"] input', 'form[action*="/a b"]'),
        ("div.card:nth-of-type(2)>button", "div.card:nth-of-type(2)"),
    ],
)
def test_anchor(css: str, expected: str) -> None:
    assert anchor(css) == expected


@pytest.mark.parametrize(
    ("condition", "url", "applies"),
    [
        (None, "https://s.example/x", True),
        ({"match": "equals", "value": "/thank-you"}, "https://s.example/thank-you/?a=1", True),
        ({"match": "equals", "value": "/thank-you"}, "https://s.example/thank-you/2", False),
        ({"match": "prefix", "value": "/product/"}, "https://s.example/product/mug", True),
        ({"match": "prefix", "value": "/product/"}, "https://s.example/products", False),
        (
            {"match": "contains", "value": "/order-received/"},
            "https://s.example/c/order-received/9/",
            True,
        ),
        ({"match": "regex", "value": r"orderId=\d+"}, "https://s.example/done?orderId=12", True),
        ({"match": "regex", "value": "("}, "https://s.example/", False),
    ],
)
def test_url_condition(condition: dict[str, str] | None, url: str, applies: bool) -> None:
    assert url_applies(condition, url) is applies
