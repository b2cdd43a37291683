"""Locator bundles: rank the candidates the picker found in the page and keep the best three.

A picked element is stored as several plain CSS selectors (each unique in the element's own
document or shadow root and resolving to it), best first, plus its text as a fallback. The
in-page generator is `resources/tagger/locator.js`; this module owns the ranking (a stability
prior per kind of candidate, lower is better), the bundle model, URL-pattern suggestions for
"this page" rules, and the small classifiers used when the owner points at a field or a price.
Pure: no Qt, no I/O.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

logger = logging.getLogger(__name__)

MAX_SELECTORS = 3

# Stability prior per candidate kind (lower is better). Test ids and readable ids are written
# by people on purpose; platform hooks are stable per platform; classes survive most redesigns
# once generated ones are filtered out in locator.js; position is the last resort because a
# cookie banner or an A/B variant shifts it.
KIND_SCORES: dict[str, int] = {
    "testid": 1,
    "id": 10,
    "platform": 15,
    "name": 20,
    "form-action": 25,
    "aria": 30,
    "href": 40,
    "class": 60,
    "type": 80,
    "tag": 90,
    "path": 150,
    "path-nth": 400,
    "path-deep-nth": 1000,
}
UNKNOWN_KIND_SCORE = 5000


def kind_score(kind: str) -> int:
    """Score of a kind; `"id>class"` (ancestor scope + own token) weighs the ancestor first."""
    if ">" in kind:
        outer, inner = kind.split(">", 1)
        return kind_score(outer) + kind_score(inner) // 4 + 5
    return KIND_SCORES.get(kind, UNKNOWN_KIND_SCORE)


@dataclass(frozen=True, slots=True)
class Candidate:
    kind: str
    css: str

    @property
    def score(self) -> float:
        # Shorter selectors break less; the length term only separates equal kinds.
        return kind_score(self.kind) + min(len(self.css), 200) / 1000


def rank_candidates(raw: list[dict[str, Any]]) -> list[Candidate]:
    """Candidates from locator.js, best first, without duplicates."""
    seen: set[str] = set()
    out: list[Candidate] = []
    for item in raw:
        css = str(item.get("css") or "")
        if not css or css in seen:
            continue
        seen.add(css)
        out.append(Candidate(kind=str(item.get("kind") or "?"), css=css))
    return sorted(out, key=lambda c: c.score)


@dataclass(slots=True)
class LocatorBundle:
    """What a rule stores about one picked element."""

    selectors: list[str]
    text: str = ""
    role: str | None = None
    name: str = ""
    tag: str = ""
    kinds: list[str] = field(default_factory=list)
    in_shadow: bool = False
    frame: dict[str, Any] | None = None
    fingerprint: dict[str, Any] = field(default_factory=dict)
    field_info: dict[str, Any] | None = None
    in_form: bool = False

    @property
    def fragile(self) -> bool:
        """True when every selector leans on position or there is none: worth a warning."""
        return not self.kinds or all(kind_score(k) >= KIND_SCORES["path-nth"] for k in self.kinds)

    def trigger(self, trigger_type: str = "click") -> dict[str, Any]:
        """The `trigger` object of a rule (shape of `desktop_app/tagger/config.py`)."""
        out: dict[str, Any] = {"type": trigger_type, "selectors": list(self.selectors)}
        if self.text:
            out["text"] = self.text
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "selectors": list(self.selectors),
            "text": self.text,
            "role": self.role,
            "name": self.name,
            "tag": self.tag,
            "kinds": list(self.kinds),
            "in_shadow": self.in_shadow,
            "frame": self.frame,
        }


def anchor(css: str) -> str:
    """The leftmost compound selector: what a selector hangs on (`#p1 > button` → `#p1`)."""
    quote = ""
    for index, char in enumerate(css):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in " >+~":
            return css[:index]
    return css


def choose_diverse(ranked: list[Candidate], limit: int = MAX_SELECTORS) -> list[Candidate]:
    """Best first, but prefer selectors that hang on different anchors, so one renamed id or
    class does not break every selector of the bundle at once."""
    chosen: list[Candidate] = []
    anchors: set[str] = set()
    for candidate in ranked:
        if len(chosen) < limit and anchor(candidate.css) not in anchors:
            chosen.append(candidate)
            anchors.add(anchor(candidate.css))
    for candidate in ranked:
        if len(chosen) < limit and candidate not in chosen:
            chosen.append(candidate)
    return sorted(chosen, key=lambda c: c.score)


def bundle_from_page(raw: dict[str, Any], limit: int = MAX_SELECTORS) -> LocatorBundle:
    """Build a bundle from `__pixelbridgeLocator.bundle(el)`'s result."""
    ranked = choose_diverse(rank_candidates(list(raw.get("candidates") or [])), limit)
    return LocatorBundle(
        selectors=[c.css for c in ranked],
        text=str(raw.get("text") or ""),
        role=raw.get("role"),
        name=str(raw.get("name") or ""),
        tag=str(raw.get("tag") or ""),
        kinds=[c.kind for c in ranked],
        in_shadow=bool(raw.get("in_shadow")),
        frame=raw.get("frame"),
        fingerprint=dict(raw.get("fingerprint") or {}),
        field_info=raw.get("field"),
        in_form=bool(raw.get("form")),
    )


# --- "this page": URL rule suggestions -------------------------------------------------------

_ID_SEGMENT = re.compile(
    r"^(\d{2,}|[0-9a-f]{8,}|[0-9a-f]{8}-[0-9a-f]{4}-.*|wc_order_\w+|[A-Za-z0-9]{16,})$", re.I
)
_ID_QUERY_KEYS = {"orderid", "order_id", "oid", "order", "key", "token", "id", "session_id"}


@dataclass(frozen=True, slots=True)
class UrlPattern:
    """A URL condition in the rule shape: `{"match": ..., "value": ...}` plus why."""

    match: str
    value: str
    reason: str

    def to_rule(self) -> dict[str, str]:
        return {"match": self.match, "value": self.value}


def suggest_url_pattern(url: str) -> UrlPattern:
    """Suggest a rule for "this page" that also matches the next visitor's copy of it.

    A path carrying an order id (`/checkout/order-received/1234/`) becomes
    `contains /order-received/`; a plain path is compared exactly (query ignored).
    """
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    for index, segment in enumerate(segments):
        if _ID_SEGMENT.match(segment) and index > 0:
            stable = segments[index - 1]
            return UrlPattern(
                "contains",
                f"/{stable}/",
                f"the address carries an id ({segment}) that changes for every visitor",
            )
    path = "/" + "/".join(segments)
    query_keys = {k.lower() for k, _ in parse_qsl(parts.query)}
    if query_keys & _ID_QUERY_KEYS and segments:
        return UrlPattern(
            "contains", f"/{segments[-1]}", "the query string carries an order id or token"
        )
    return UrlPattern("equals", path, "this exact page (query string ignored)")


def suggest_section_pattern(url: str) -> UrlPattern:
    """For "only on pages like this one" beside a button: its section, not this exact page
    (`/product/linen-mug` → `prefix /product/`), so the rule works on every product."""
    exact = suggest_url_pattern(url)
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if exact.match == "equals" and len(segments) >= 2:
        section = "/" + "/".join(segments[:-1]) + "/"
        return UrlPattern("prefix", section, f"every page under {section}")
    return exact


# --- "this field is the email/phone/name" ----------------------------------------------------

# (customer-data key, pattern over the field's type/name/id/autocomplete/label), first hit wins.
FIELD_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"e-?mail|courriel", re.I)),
    ("phone", re.compile(r"\btel\b|phone|mobile|telefon", re.I)),
    ("first_name", re.compile(r"first|given|fname|vorname|pr[eé]nom", re.I)),
    ("last_name", re.compile(r"last|family|surname|lname|nachname", re.I)),
    ("zip", re.compile(r"zip|postal|postcode|plz", re.I)),
    ("city", re.compile(r"city|town|ville|stadt", re.I)),
    ("country", re.compile(r"country|land|pays", re.I)),
    ("name", re.compile(r"name", re.I)),
)


def classify_field(info: dict[str, Any] | None) -> str | None:
    """Which customer-data key a picked form field most likely holds (from its description)."""
    if not info:
        return None
    haystack = " ".join(
        str(info.get(k) or "")
        for k in ("type", "autocomplete", "name", "id", "label", "placeholder")
    )
    for key, pattern in FIELD_KINDS:
        if pattern.search(haystack):
            return key
    return None


# --- "this is the price" -----------------------------------------------------------------------

CURRENCY_SYMBOLS: dict[str, str] = {
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "zł": "PLN",
    "kr": "SEK",
    "CHF": "CHF",
    "R$": "BRL",
    "$": "USD",  # ambiguous: the owner confirms the site's currency in the panel
}
_NUMBER = re.compile(r"\d[\d.,\s\u00a0\u202f']*")


def parse_price(text: str) -> tuple[float, str | None] | None:
    """Value and currency guess from a price text such as `1.234,56 €` or `$19.99`."""
    match = _NUMBER.search(text)
    if not match:
        return None
    raw = re.sub(r"[\s\u00a0\u202f']", "", match.group()).rstrip(".,")
    last_sep = max(raw.rfind("."), raw.rfind(","))
    # The decimal separator is the last one followed by exactly two digits (or one).
    if last_sep != -1 and 1 <= len(raw) - last_sep - 1 <= 2:
        whole, frac = raw[:last_sep], raw[last_sep + 1 :]
        number = re.sub(r"[.,]", "", whole) + "." + frac
    else:
        number = re.sub(r"[.,]", "", raw)
    currency = next((code for sym, code in CURRENCY_SYMBOLS.items() if sym in text), None)
    code = re.search(r"\b([A-Z]{3})\b", text)
    if code:
        currency = code.group(1)
    return float(number), currency
