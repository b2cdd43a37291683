"""What the tagging panel is filling in, turned into a rule of the tag config (issue 5 shape).

The owner picks an event, points at a button/form or says "this page", optionally points at
the price and the customer fields; `RuleDraft.to_rule()` produces
`{"id", "event", "trigger": {"type", "selectors", "text"}, "url", "params", ...}`.
`describe_rule()` gives the plain-words line shown in the rules list. Pure.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from desktop_app.tagger.events import STANDARD_EVENTS, VALUE_EVENTS
from desktop_app.tagger.locators import LocatorBundle, UrlPattern

logger = logging.getLogger(__name__)

URL_MATCH_WORDS: dict[str, str] = {
    "equals": "on the page",
    "contains": "on pages whose address contains",
    "prefix": "on pages under",
    "regex": "on pages matching",
}
TRIGGER_WORDS: dict[str, str] = {
    "click": "click on",
    "submit": "sending the form",
    "pageview": "opening the page",
    "visible": "seeing",
}


@dataclass(slots=True)
class RuleDraft:
    event: str = "AddToCart"
    bundle: LocatorBundle | None = None  # the button/link/form pointed at
    page: UrlPattern | None = None  # "this page" (pageview rule) or a URL condition
    restrict_to_page: bool = False  # for click/submit rules: only on pages matching `page`
    value_selector: str | None = None
    value_fixed: float | None = None
    currency: str | None = None
    user_fields: dict[str, str] = field(default_factory=dict)  # email → css of the field
    rule_id: str | None = None
    enabled: bool = True

    @property
    def trigger_type(self) -> str:
        if self.bundle is None:
            return "pageview"
        return "submit" if self.bundle.tag == "form" else "click"

    def problems(self) -> list[str]:
        """What is still missing, in words for the owner (empty: ready to save)."""
        out: list[str] = []
        if self.bundle is None and self.page is None:
            out.append("Point at a button or form, or choose “this page”.")
        if self.bundle is not None and not self.bundle.selectors and not self.bundle.text:
            out.append("That element has nothing stable to recognise it by; pick another one.")
        if self.bundle is not None and self.bundle.tag == "form" and not self.bundle.selectors:
            out.append("That form has no stable selector; pick the form's button instead.")
        if self.event == "Purchase" and self.value_selector is None and self.value_fixed is None:
            out.append("Purchase needs a value: point at the order total or type a fixed value.")
        if (self.value_selector or self.value_fixed is not None) and not self.currency:
            out.append("Choose the currency of the value.")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,49}", self.event):
            out.append("Event names use letters, digits and _ only.")
        return out

    def to_rule(self, existing_ids: Iterable[str] = ()) -> dict[str, Any]:
        rule: dict[str, Any] = {
            "id": self.rule_id or new_rule_id(self.event, existing_ids),
            "event": self.event,
        }
        if self.bundle is None:
            rule["trigger"] = {"type": "pageview"}
        else:
            rule["trigger"] = self.bundle.trigger(self.trigger_type)
            if self.bundle.fingerprint:
                rule["fingerprint"] = self.bundle.fingerprint  # for rule repair
        if self.page is not None and (self.bundle is None or self.restrict_to_page):
            rule["url"] = self.page.to_rule()
        params: dict[str, Any] = {}
        if self.value_selector:
            params["value"] = {"selector": self.value_selector}
        elif self.value_fixed is not None:
            params["value"] = {"value": self.value_fixed}
        if self.currency and params:
            params["currency"] = {"value": self.currency}
        if params:
            rule["params"] = params
        if self.user_fields:
            rule["user_fields"] = dict(self.user_fields)
        if not self.enabled:
            rule["enabled"] = False
        return rule

    @classmethod
    def from_rule(cls, rule: dict[str, Any]) -> RuleDraft:
        """Reopen a saved rule in the panel."""
        trigger = rule.get("trigger") or {}
        bundle = None
        if trigger.get("type") in ("click", "submit", "visible"):
            bundle = LocatorBundle(
                selectors=list(trigger.get("selectors") or []),
                text=str(trigger.get("text") or ""),
                tag="form" if trigger.get("type") == "submit" else "",
                fingerprint=dict(rule.get("fingerprint") or {}),
            )
        url = rule.get("url")
        page = UrlPattern(url["match"], url["value"], "saved rule") if url else None
        params = rule.get("params") or {}
        value = params.get("value") or {}
        currency = (params.get("currency") or {}).get("value")
        return cls(
            event=str(rule.get("event") or "AddToCart"),
            bundle=bundle,
            page=page,
            restrict_to_page=bool(url and bundle is not None),
            value_selector=value.get("selector") if isinstance(value, dict) else None,
            value_fixed=value.get("value") if isinstance(value, dict) else None,
            currency=currency,
            user_fields=dict(rule.get("user_fields") or {}),
            rule_id=rule.get("id"),
            enabled=rule.get("enabled", True) is not False,
        )


def new_rule_id(event: str, existing_ids: Iterable[str]) -> str:
    taken = set(existing_ids)
    base = re.sub(r"[^a-z0-9]+", "-", event.lower()).strip("-") or "rule"
    for n in range(1, 10_000):
        candidate = f"{base}-{n}"
        if candidate not in taken:
            return candidate
    raise ValueError("too many rules for one event")


def event_label(event: str) -> str:
    """`Added to cart (AddToCart)`; custom events keep their name."""
    words = STANDARD_EVENTS.get(event)
    return f"{words} ({event})" if words else f"{event} (custom event)"


def needs_value(event: str) -> bool:
    return event in VALUE_EVENTS


def describe_rule(rule: dict[str, Any]) -> str:
    """One line in plain words for the rules list."""
    trigger = rule.get("trigger") or {}
    kind = str(trigger.get("type") or "pageview")
    what = TRIGGER_WORDS.get(kind, kind)
    if kind in ("click", "submit", "visible"):
        target = trigger.get("text") or (trigger.get("selectors") or ["?"])[0]
        what = f"{what} “{target}”"
    parts = [event_label(str(rule.get("event"))), what]
    url = rule.get("url")
    if url:
        parts.append(
            f"{URL_MATCH_WORDS.get(url.get('match'), url.get('match'))} {url.get('value')}"
        )
    if rule.get("enabled") is False:
        parts.append("(off)")
    return " · ".join(parts)
