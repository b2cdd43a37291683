"""Parse and check Meta's `fbc` / `fbp` values (the `_fbc` / `_fbp` first-party cookies).

Format (https://developers.facebook.com/documentation/ads-commerce/conversions-api/parameters/fbp-and-fbc):
`fb.{subdomainIndex}.{creationTimeMs}.{fbclid or random}`, plus an optional 5th segment
`.{appendix}` that Meta's Parameter Builder adds and that Meta accepts as is
(https://developers.facebook.com/documentation/ads-commerce/conversions-api/parameter-builder-library).
The appendix is base64url of 6 bytes (8 characters) or a legacy 2-character token.
The fbclid is case-sensitive: it must reach Meta exactly as it appeared in the landing URL.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, urlsplit

from desktop_app.capi.hashing import is_sha256

logger = logging.getLogger(__name__)

CookieKind = Literal["fbc", "fbp"]

_APPENDIX = re.compile(r"[A-Za-z0-9_-]{2}|[A-Za-z0-9_-]{8}")
_SECONDS_DIGITS = 10
_MAX_SUBDOMAIN_INDEX = 10  # more labels than that is no real cookie domain
# A real fbclid mixes cases (it is base64-like, e.g. "IwAR2F4-…"); one this long written in a
# single case almost certainly went through lower()/upper() somewhere.
_SINGLE_CASE_SUSPECT_LEN = 16


@dataclass(frozen=True, slots=True)
class FbCookie:
    kind: CookieKind
    subdomain_index: int
    creation_ms: int
    payload: str  # the fbclid (fbc) or the random number (fbp)
    appendix: str | None  # Parameter Builder's 5th segment, kept as is


@dataclass(frozen=True, slots=True)
class CookieProblem:
    code: str  # a key of findings.RULES
    reason: str


def parse_fb_cookie(value: object, kind: CookieKind) -> FbCookie | CookieProblem:
    """The parsed cookie, or why Meta cannot use it."""
    if not isinstance(value, str) or not value.strip():
        return CookieProblem(f"malformed_{kind}", "it is empty or not text")
    if is_sha256(value):
        return CookieProblem(f"malformed_{kind}", "it is hashed; send it unhashed")
    parts = value.split(".")
    if len(parts) not in (4, 5):
        return CookieProblem(
            f"malformed_{kind}", f"it has {len(parts)} dot-separated parts, not 4 or 5"
        )
    prefix, index, created, payload = parts[:4]
    appendix = parts[4] if len(parts) == 5 else None
    if prefix != "fb":
        return CookieProblem(f"malformed_{kind}", "it does not start with 'fb.'")
    if not index.isascii() or not index.isdigit() or int(index) > _MAX_SUBDOMAIN_INDEX:
        return CookieProblem(f"malformed_{kind}", "the subdomain index is not a small number")
    if not created.isascii() or not created.isdigit():
        return CookieProblem(f"malformed_{kind}", "the creation time is not a number")
    if not payload:
        return CookieProblem(f"malformed_{kind}", "the last part is empty")
    if kind == "fbp" and not (payload.isascii() and payload.isdigit()):
        return CookieProblem("malformed_fbp", "the random part is not digits")
    if appendix is not None and _APPENDIX.fullmatch(appendix) is None:
        return CookieProblem(
            f"malformed_{kind}", "the 5th part is not a Parameter Builder appendix"
        )
    return FbCookie(kind, int(index), int(created), payload, appendix)


def creation_time_in_seconds(cookie: FbCookie) -> bool:
    """True when the creation time has the size of Unix seconds instead of milliseconds."""
    return len(str(cookie.creation_ms)) <= _SECONDS_DIGITS


def fbclid_from_url(url: str) -> str | None:
    """The `fbclid` query parameter of a URL, exactly as written (case kept)."""
    try:
        query = urlsplit(url).query
    except ValueError:
        return None
    for name, value in parse_qsl(query, keep_blank_values=False):
        if name == "fbclid":
            return value
    return None


def fbclid_case_problem(cookie: FbCookie, landing_url: str | None = None) -> str | None:
    """Why the fbclid looks re-cased, or None. Compared with the landing URL when known."""
    fbclid = cookie.payload
    original = fbclid_from_url(landing_url) if landing_url else None
    if original is not None and original != fbclid and original.lower() == fbclid.lower():
        return "differs in letter case from the fbclid in event_source_url"
    has_letters = any(ch.isalpha() for ch in fbclid)
    single_case = fbclid in (fbclid.lower(), fbclid.upper())
    if has_letters and single_case and len(fbclid) >= _SINGLE_CASE_SUSPECT_LEN:
        return "is written in a single letter case, so it was probably lowercased"
    return None


def build_fbc(fbclid: str, creation_ms: int, subdomain_index: int = 1) -> str:
    """An fbc built on a server that stores no cookie: index 1, the time fbclid was first seen."""
    return f"fb.{subdomain_index}.{creation_ms}.{fbclid}"
