"""Country (`country`) and state/province (`st`) codes.

Docs (customer-information parameters,
https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters):
country is ISO 3166-1 alpha-2 in lowercase (`United States` → `us`), always sent; state is the
2-letter ANSI code in lowercase for the US, elsewhere lowercase without punctuation or spaces.
"""

from __future__ import annotations

import logging
import re
from functools import cache, lru_cache
from typing import Final

import pycountry

from desktop_app.capi.normalize import Context, Normalized, fail, squeeze_letters

logger = logging.getLogger(__name__)

# Everyday names that are not ISO names (pycountry has the official and common ones).
# `uk` is not an ISO 3166 code: the United Kingdom is `gb`.
COUNTRY_ALIASES: dict[str, str] = {
    "uk": "gb", "greatbritain": "gb", "britain": "gb", "england": "gb", "scotland": "gb",
    "wales": "gb", "northernireland": "gb", "unitedkingdom": "gb",
    "usa": "us", "us": "us", "unitedstatesofamerica": "us", "america": "us", "theus": "us",
    "theusa": "us", "unitedstates": "us",
    "russia": "ru", "turkey": "tr", "türkiye": "tr", "ivorycoast": "ci", "macedonia": "mk",
    "holland": "nl", "thenetherlands": "nl", "brunei": "bn", "capeverde": "cv",
    "swaziland": "sz", "burma": "mm", "palestine": "ps", "vatican": "va", "vaticancity": "va",
    "southkorea": "kr", "korea": "kr", "northkorea": "kp", "czechia": "cz", "uae": "ae",
    "kosovo": "xk", "deutschland": "de", "españa": "es", "espana": "es", "méxico": "mx",
    "brasil": "br", "italia": "it", "schweiz": "ch", "suisse": "ch", "österreich": "at",
    "nederland": "nl", "belgique": "be", "polska": "pl", "sverige": "se", "norge": "no",
    "danmark": "dk", "suomi": "fi", "nippon": "jp", "日本": "jp", "中国": "cn", "한국": "kr",
}  # fmt: skip

# User-assigned or exceptionally reserved codes that name no country.
_NOT_COUNTRIES: Final = frozenset({"eu", "un", "xx", "zz"})


@cache
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2.lower()
        for name in (
            country.alpha_3,
            country.name,
            getattr(country, "official_name", None),
            getattr(country, "common_name", None),
        ):
            if name:
                index.setdefault(squeeze_letters(name), code)
        index[code] = code
    index.update(COUNTRY_ALIASES)
    for code in _NOT_COUNTRIES:
        index.pop(code, None)
    return index


@lru_cache(maxsize=1024)  # every event names its country: look each spelling up once
def country_code(text: str) -> str | None:
    """ISO alpha-2 lowercase for a code or an English/local name, or None."""
    return _country_index().get(squeeze_letters(text))


def normalize_country(text: str, ctx: Context) -> Normalized:
    """CHOICE: map names like Meta's Parameter Builder, then accept only real ISO codes like
    Meta's SDK; `UK` → `gb`; anything unknown is rejected rather than cut to 2 letters.
    """
    code = country_code(text)
    if code is None:
        return fail("not a country name or ISO 3166-1 code")
    return Normalized(code)


# --- st ----------------------------------------------------------------------------------------
STATE_COUNTRIES: Final = ("us", "ca")  # where Meta wants 2-letter codes (US: docs; CA: PB does too)
STATE_ALIASES: dict[str, dict[str, str]] = {
    "us": {"washingtondc": "dc", "usvirginislands": "vi", "virginislands": "vi"},
    "ca": {"québec": "qc", "newfoundland": "nl", "pei": "pe", "yukonterritory": "yt"},
}
_PREFIXED: Final = re.compile(r"\s*([A-Za-z]{2})\s*-\s*([A-Za-z]{2})\s*")


@cache
def state_index(country: str) -> dict[str, str]:
    index: dict[str, str] = {}
    subdivisions = pycountry.subdivisions.get(country_code=country.upper())  # type: ignore[no-untyped-call]
    for subdivision in subdivisions or ():
        code = subdivision.code.split("-")[1].lower()
        index[squeeze_letters(subdivision.name)] = code
        index[code] = code
    index.update(STATE_ALIASES.get(country, {}))
    return index


def normalize_state(text: str, ctx: Context) -> Normalized:
    """US/Canada: names mapped to 2-letter codes. CHOICE: elsewhere the full name, squeezed,
    never cut to 2 letters (Meta's Parameter Builder turns `Bavaria` into `ba`).
    """
    prefixed = _PREFIXED.fullmatch(text)
    if prefixed and country_code(prefixed.group(1)) in STATE_COUNTRIES:  # "US-CA" style
        text = prefixed.group(2)
    state = squeeze_letters(text)
    if not state:
        return fail("empty")
    if ctx.country in STATE_COUNTRIES:
        code = state_index(ctx.country).get(state)
        if code is None:
            return fail(f"not a state or province of {ctx.country.upper()} or its 2-letter code")
        return Normalized(code)
    if ctx.country is None:
        for country in STATE_COUNTRIES:
            code = state_index(country).get(state)
            if code is not None and len(state) > 2:
                return Normalized(code, note=f"country unknown; read as a {country.upper()} name")
    return Normalized(state)
