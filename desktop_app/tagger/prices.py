"""Read a price from page text, the same way the site runtime does (`price()` and `currencyOf()`
in `resources/snippet/runtime.js`), so the app can preview the value a rule will send.

Meta wants `value` as a number and `currency` as an ISO 4217 code
(https://developers.facebook.com/docs/meta-pixel/reference#object-properties). Shop pages write
prices for people: `1.234,56 €`, `$1,234`, `From £19.99`. The last `.` or `,` is the decimal
separator only when one or two digits follow it; every other separator groups thousands.
"""

from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

# Symbol → code; `$` is ambiguous (USD, CAD, AUD, …) and falls back to the site's currency.
SYMBOLS: dict[str, str] = {
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "zł": "PLN",
    "R$": "BRL",
    "CHF": "CHF",
}

_NUMBER = re.compile(r"-?\d[\d.,]*")
_CODE = re.compile(r"\b[A-Z]{3}\b")


def parse_price(text: str) -> float | None:
    """`"1.234,56 €"` → 1234.56, `"$1,234"` → 1234.0, `"€ 99,80"` → 99.8; None without digits."""
    match = _NUMBER.search(re.sub(r"[\s\u00a0']", "", text))
    if not match:
        return None
    number = match.group(0).rstrip(".,")
    cut = max(number.rfind("."), number.rfind(","))
    if cut >= 0 and len(number) - cut - 1 <= 2:
        number = re.sub(r"[.,]", "", number[:cut]) + "." + number[cut + 1 :]
    else:
        number = re.sub(r"[.,]", "", number)
    try:
        return float(number)
    except ValueError:
        return None


def currency_of(text: str, default: str | None = None) -> str | None:
    """An ISO code written in the text, else the code of a known symbol, else `default` for `$`."""
    code = _CODE.search(text)
    if code:
        return code.group(0)
    for symbol, iso in SYMBOLS.items():
        if symbol in text:
            return iso
    return (default or "USD") if "$" in text else None
