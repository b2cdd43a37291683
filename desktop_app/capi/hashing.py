"""SHA-256 as Meta wants it: UTF-8 in, 64 lowercase hex out, never twice.

Customer information parameters:
https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
Meta's Parameter Builder may append `.{appendix}` (2 or 8 base64url characters) to a hash, and
Meta accepts such values as is
(https://developers.facebook.com/documentation/ads-commerce/conversions-api/parameter-builder-library).
"""

from __future__ import annotations

import hashlib
import logging
import re

logger = logging.getLogger(__name__)

_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")
_SHA256_WITH_APPENDIX = re.compile(r"([0-9a-fA-F]{64})(\.[A-Za-z0-9_-]{2}|\.[A-Za-z0-9_-]{8})?")
_LOWER_SHA256 = re.compile(r"[0-9a-f]{64}(\.[A-Za-z0-9_-]{2}|\.[A-Za-z0-9_-]{8})?")


def sha256_hex(normalized: str) -> str:
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def is_sha256(value: str) -> bool:
    """True for a value that is already a SHA-256 hex digest (either case, spaces around)."""
    return _SHA256_HEX.fullmatch(value.strip()) is not None


def as_prehashed(value: str) -> str | None:
    """A pre-hashed value as Meta wants it (lowercase hex, PB appendix kept), or None.

    `None` means the value is not a hash and still needs normalizing and hashing.
    """
    match = _SHA256_WITH_APPENDIX.fullmatch(value.strip())
    if match is None:
        return None
    return match.group(1).lower() + (match.group(2) or "")


def is_meta_ready_hash(value: str) -> bool:
    """True for exactly what Meta accepts for a hashed key: lowercase hex, optional appendix."""
    return _LOWER_SHA256.fullmatch(value) is not None
