"""Which saved rules still find their element on the page that is open, and, for those that
stopped matching, the most similar element to re-attach them to (rule repair). Qt-free.

The main window calls `check_rules(picker, rules)` after each page load and shows a "matches
nothing here any more — is it this?" offer (`TaggingPanel.set_repair_offer`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from desktop_app.tagger.locators import LocatorBundle

if TYPE_CHECKING:
    from desktop_app.services.picker import PickerService

logger = logging.getLogger(__name__)

ELEMENT_TRIGGERS = ("click", "submit", "visible")


def url_applies(condition: dict[str, Any] | None, url: str) -> bool:
    """The rule's URL condition, as the tag config defines it: equals/prefix compare the path,
    contains/regex the whole URL."""
    if not condition:
        return True
    match, value = condition.get("match"), str(condition.get("value") or "")
    # Same reading as resources/snippet/runtime.js (urlOk): trailing slashes dropped first.
    path = urlsplit(url).path.rstrip("/") or "/"
    if match == "equals":
        return path == (value.rstrip("/") or "/")
    if match == "prefix":
        return path.startswith(value)
    if match == "contains":
        return value in url
    if match == "regex":
        try:
            return re.search(value, url) is not None
        except re.error:
            return False
    return False


@dataclass(frozen=True, slots=True)
class RuleHealth:
    rule_id: str
    matches: int  # distinct elements the rule's selectors select on this page
    offer: LocatorBundle | None = None  # most similar element when matches == 0
    score: float = 0.0  # similarity of the offer (0…1)

    def words(self) -> str:
        if self.matches == 1:
            return "Matches 1 element on this page."
        if self.matches > 1:
            return f"Matches {self.matches} elements on this page."
        if self.offer is not None:
            name = self.offer.name or self.offer.text or self.offer.tag
            return f"Matches nothing here any more. Is it “{name}”?"
        return "Matches nothing on this page."


async def check_rules(picker: PickerService, rules: list[dict[str, Any]]) -> list[RuleHealth]:
    """Health of every enabled element rule that applies to the current page."""
    page = picker.page
    if page is None:
        raise RuntimeError("attach a page first")
    out: list[RuleHealth] = []
    for rule in rules:
        trigger = rule.get("trigger") or {}
        if rule.get("enabled") is False or trigger.get("type") not in ELEMENT_TRIGGERS:
            continue
        if not url_applies(rule.get("url"), page.url):
            continue
        count = await picker.count_matches(list(trigger.get("selectors") or []))
        offer, score = None, 0.0
        if count.total == 0 and rule.get("fingerprint"):
            repaired = await picker.repair(rule["fingerprint"])
            if repaired is not None:
                match, offer = repaired
                score = match.score
        out.append(RuleHealth(str(rule.get("id")), count.total, offer, score))
    return out
