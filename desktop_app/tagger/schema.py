"""Validate and migrate the tag config against `resources/schema/tag-config.schema.json`.

Messages name the rule (index and id) and the field, so a user editing the file by hand, or the
CLI printing one line, can find the mistake: `rules[1] (id "atc") trigger.selectors: …`.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import re
from pathlib import Path
from typing import Any

import jsonschema

logger = logging.getLogger(__name__)

SCHEMA_PATH = (
    Path(__file__).resolve().parents[2] / "resources" / "schema" / "tag-config.schema.json"
)
CURRENT_VERSION = 1

# Keys that would mean a secret was pasted into a file meant to be shared and deployed.
SECRET_KEYS = frozenset({"access_token", "token", "app_secret", "appsecret_proof", "secret"})

SOURCE_HINT = (
    'use a fixed value, {"value": …}, {"selector": css}, {"url": regex}, {"query": name}, '
    '{"structured": "price"|"currency"|"name"|"id"} or {"global": "path.to.value"}'
)

# Old editor drafts (the research rule shape) → v1 names.
_URL_MODES = {"startsWith": "prefix", "startswith": "prefix", "exact": "equals"}


@functools.cache
def load_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load_schema())


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """A copy upgraded to the current version; unknown future versions are left for `validate`."""
    out = copy.deepcopy(data)
    if "version" not in out:
        out["version"] = CURRENT_VERSION
    if out["version"] != CURRENT_VERSION:
        return out
    for rule in out.get("rules") or []:
        if not isinstance(rule, dict):
            continue
        trigger = rule.get("trigger")
        if isinstance(trigger, str):
            rule["trigger"] = trigger = {"type": trigger}
        target = rule.pop("target", None)
        if isinstance(target, dict) and isinstance(trigger, dict):
            if isinstance(target.get("css"), list) and "selectors" not in trigger:
                trigger["selectors"] = target["css"]
            text = target.get("text")
            if isinstance(text, dict) and "text" not in trigger and text.get("value"):
                trigger["text"] = text["value"]
        url = rule.get("url")
        if isinstance(url, dict) and "mode" in url and "match" not in url:
            mode = url.pop("mode")
            if mode == "any":
                rule.pop("url")
            else:
                url["match"] = _URL_MODES.get(mode, mode)
    return out


def _where(path: list[str | int], data: dict[str, Any]) -> str:
    """`rules[1] (id "atc") trigger.selectors` for a jsonschema error path."""
    parts: list[str] = []
    items = list(path)
    if len(items) >= 2 and items[0] == "rules" and isinstance(items[1], int):
        index = items[1]
        rules = data.get("rules") or []
        rule_id = rules[index].get("id") if isinstance(rules[index], dict) else None
        parts.append(f"rules[{index}]" + (f' (id "{rule_id}")' if rule_id else ""))
        items = items[2:]
    field = ""
    for item in items:
        field += f"[{item}]" if isinstance(item, int) else (f".{item}" if field else str(item))
    if field:
        parts.append(field)
    return " ".join(parts) or "config"


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "oneOf":  # only value sources use oneOf
        return f"not a valid value source: {SOURCE_HINT}"
    if error.validator == "additionalProperties":
        return str(error.message).replace("Additional properties are not allowed", "unknown field")
    if error.validator == "anyOf" and error.path and error.path[-1] == "trigger":
        return "a click trigger needs selectors or text"
    return str(error.message)


def _secrets(value: Any, path: str) -> list[str]:
    found: list[str] = []
    if isinstance(value, dict):
        for key, sub in value.items():
            where = f"{path}.{key}" if path else str(key)
            if str(key).lower() in SECRET_KEYS:
                found.append(
                    f"{where}: the tag config must not hold a secret (the token stays in "
                    "the keyring)"
                )
            found += _secrets(sub, where)
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            found += _secrets(sub, f"{path}[{index}]")
    return found


def _regex_errors(data: dict[str, Any]) -> list[str]:
    # JS and Python regexes differ in corners; a pattern Python cannot compile is almost
    # certainly broken in the browser too, and the runtime would skip the rule.
    out: list[str] = []
    for index, rule in enumerate(data.get("rules") or []):
        patterns: list[tuple[str, str]] = []
        url = rule.get("url") or {}
        if url.get("match") == "regex":
            patterns.append(("url.value", url.get("value", "")))
        for name, source in (rule.get("params") or {}).items():
            if isinstance(source, dict) and "url" in source:
                patterns.append((f"params.{name}.url", source["url"]))
        for field, pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                out.append(
                    f"{_where(['rules', index, *field.split('.')], data)}: bad regex ({exc})"
                )
    return out


def validate(data: Any) -> list[str]:
    """Every problem found, one line each; empty when the config is valid."""
    if not isinstance(data, dict):
        return ["config: the tag config must be a JSON object"]
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.path)))
    messages = [f"{_where(list(e.path), data)}: {_message(e)}" for e in errors]
    if not messages:
        seen: dict[str, int] = {}
        for index, rule in enumerate(data.get("rules") or []):
            if rule["id"] in seen:
                first = seen[rule["id"]]
                messages.append(
                    f'rules[{index}] (id "{rule["id"]}") id: already used by rules[{first}]'
                )
            seen.setdefault(rule["id"], index)
        messages += _regex_errors(data)
    messages += _secrets(data, "")
    return messages
