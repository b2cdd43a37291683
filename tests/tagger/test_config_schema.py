"""Tag config v1: schema checks naming the rule and field, migration, no secrets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop_app.tagger.config import ConfigError, load_config, parse_config, save_config
from desktop_app.tagger.schema import load_schema, migrate, validate

ISSUE_EXAMPLE: dict[str, Any] = {
    "version": 1,
    "pixel_id": "123456789012345",
    "relay_url": "https://relay.example/v1/events",
    "site": {"url": "https://shop.example", "platform": "woocommerce"},
    "rules": [
        {
            "id": "atc",
            "event": "AddToCart",
            "trigger": {
                "type": "click",
                "selectors": ["button[name='add-to-cart']"],
                "text": "Add to cart",
            },
            "url": {"match": "contains", "value": "/product/"},
            "params": {"value": {"selector": ".price .amount"}, "currency": {"value": "EUR"}},
        },
        {
            "id": "buy",
            "event": "Purchase",
            "trigger": {"type": "pageview"},
            "url": {"match": "contains", "value": "/order-received/"},
        },
        {
            "id": "lead",
            "event": "Lead",
            "trigger": {"type": "submit", "selectors": ["form#contact"]},
        },
    ],
}


def with_rule(rule: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "pixel_id": "123456", "rules": [rule]}


def test_issue_example_is_valid_and_round_trips(tmp_path: Path) -> None:
    config = parse_config(ISSUE_EXAMPLE)
    assert config.platform == "woocommerce" and len(config.rules) == 3
    assert config.allowed_origins == ["https://shop.example"]
    path = tmp_path / "tags.json"
    save_config(config, path)
    assert load_config(path).to_json() == config.to_json()
    assert json.loads(path.read_text())["rules"] == ISSUE_EXAMPLE["rules"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            with_rule(
                {"id": "atc", "event": "AddToCart", "trigger": {"type": "click", "selectors": []}}
            ),
            'rules[0] (id "atc") trigger: a click trigger needs selectors or text',
        ),
        (
            with_rule({"id": "a", "event": "Lead", "trigger": {"type": "hover"}}),
            "rules[0] (id \"a\") trigger.type: 'hover' is not one of",
        ),
        (
            with_rule(
                {
                    "id": "a",
                    "event": "Purchase",
                    "trigger": {"type": "pageview"},
                    "params": {"value": {"selektor": ".x"}},
                }
            ),
            'rules[0] (id "a") params.value: not a valid value source',
        ),
        (
            with_rule(
                {
                    "id": "a",
                    "event": "Purchase",
                    "trigger": {"type": "pageview"},
                    "url": {"match": "regex", "value": "(("},
                }
            ),
            'rules[0] (id "a") url.value: bad regex',
        ),
        (
            with_rule(
                {
                    "id": "a",
                    "event": "Lead",
                    "trigger": {"type": "pageview"},
                    "url": {"match": "glob", "value": "/x"},
                }
            ),
            "rules[0] (id \"a\") url.match: 'glob' is not one of",
        ),
        (
            with_rule({"id": "a", "event": "Add to cart!", "trigger": {"type": "pageview"}}),
            'rules[0] (id "a") event:',
        ),
        (
            with_rule({"id": "a", "event": "Lead", "trigger": {"type": "submit"}}),
            "rules[0] (id \"a\") trigger: 'selectors' is a required property",
        ),
        (
            with_rule({"id": "a", "event": "Lead", "trigger": {"type": "event"}}),
            "rules[0] (id \"a\") trigger: 'name' is a required property",
        ),
        ({"version": 1, "pixel_id": "12ab", "rules": []}, "pixel_id: '12ab' does not match"),
        (
            {"version": 1, "pixel_id": "123456", "rules": [], "access_token": "EAAB"},
            "access_token: the tag config must not hold a secret",
        ),
        (
            {"version": 1, "pixel_id": "123456", "rules": [], "options": {"consent": "maybe"}},
            "options.consent: 'maybe' is not one of",
        ),
    ],
)
def test_invalid_configs_name_the_rule_and_field(data: dict[str, Any], expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(data, source="tags.json")
    assert str(info.value).startswith(f"tags.json: {expected}"), str(info.value)


def test_duplicate_rule_ids_are_rejected() -> None:
    rule = {"id": "x", "event": "Lead", "trigger": {"type": "pageview"}}
    problems = validate({"version": 1, "pixel_id": "123456", "rules": [rule, dict(rule)]})
    assert problems == ['rules[1] (id "x") id: already used by rules[0]']


def test_unsupported_version_and_bad_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unsupported version 2"):
        parse_config({"version": 2, "pixel_id": "123456", "rules": []})
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_config(bad)


def test_migrates_editor_drafts_to_v1() -> None:
    draft = {
        "pixel_id": "123456",
        "rules": [
            {
                "id": "r1",
                "event": "AddToCart",
                "trigger": "click",
                "target": {"css": ["#add"], "text": {"tag": "button", "value": "Add to cart"}},
                "url": {"mode": "startsWith", "value": "/product"},
            },
            {
                "id": "r2",
                "event": "Lead",
                "trigger": "pageview",
                "url": {"mode": "any", "value": ""},
            },
        ],
    }
    migrated = migrate(draft)
    assert migrated["version"] == 1
    assert migrated["rules"][0]["trigger"] == {
        "type": "click",
        "selectors": ["#add"],
        "text": "Add to cart",
    }
    assert migrated["rules"][0]["url"] == {"value": "/product", "match": "prefix"}
    assert "url" not in migrated["rules"][1]
    assert draft["rules"][0]["trigger"] == "click"  # the input is not modified
    assert parse_config(draft).rules == migrated["rules"]


def test_schema_lists_every_platform_with_a_preset() -> None:
    from desktop_app.tagger.presets import PRESETS

    platforms = load_schema()["properties"]["site"]["properties"]["platform"]["enum"]
    assert set(platforms) - {None} == set(PRESETS)
