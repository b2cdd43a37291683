"""libphonenumber's parse and validity steps, precompiled, for the inputs that are common.

Why: `phonenumbers` recompiles (via the `re` cache) and re-walks its metadata on every call,
which made phone numbers half the cost of hashing a customer record. This module replays the
exact same rules from the same metadata (`phonenumbers` 9.x, `phonenumberutil.parse`,
`_maybe_extract_country_code`, `_maybe_strip_national_prefix_carrier_code`,
`_test_number_length`, `_number_type_helper`, `region_code_for_number`), with every pattern
compiled once per region. It covers only plain input (ASCII digits, spaces, `-`, `.`,
`(`, `)`, one leading `+`) and only the branches it can replay exactly; anything else returns
`None` and the caller asks `phonenumbers` itself. tests/capi/test_phone_fast.py checks both
paths agree on libphonenumber's example numbers of every region and on generated input.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

logger = logging.getLogger(__name__)

Parsed = tuple[int, str]  # (country calling code, national significant number with any 0s)

_PLAIN: Final = re.compile(r"\+?\(?[0-9][0-9 ().-]*")
_MIN_NSN, _MAX_NSN, _MAX_CC_DIGITS, _MAX_INPUT = 2, 17, 3, 250
_MIN_VIABLE_DIGITS: Final = 3  # with punctuation between them; `_VALID_PHONE_NUMBER`
_NON_GEO: Final = "001"
# Same order as `_number_type_helper`; a number is valid when it matches the general
# description and any one of these (the order only matters for the type, not validity).
_TYPE_DESCS = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)

_Desc = tuple[frozenset[int], re.Pattern[str]]


# Not slotted: mypyc compiles a slotted dataclass as a plain Python class.
@dataclass(frozen=True)
class RegionRules:
    code: str
    country_code: int
    country_code_text: str
    general: re.Pattern[str] | None
    general_lengths: tuple[int, ...]  # sorted, as in the metadata
    local_lengths: frozenset[int]
    types: tuple[_Desc, ...]
    national_prefix: re.Pattern[str] | None  # national_prefix_for_parsing
    has_transform: bool
    idd: re.Pattern[str] | None
    leading_digits: re.Pattern[str] | None
    trunk_zero: bool  # national prefix "0"
    # Per length: one pattern that fully matches exactly the numbers of that length that
    # fit the general description and the pattern of any type allowing that length:
    # `(?=(?:general)\Z)(?:(?:a)|(?:b))`. One regex call instead of two plus the Python
    # between them (the lookahead is the general test, the alternation the type test; a
    # full match of `(?:a)|(?:b)` is a full match of a or of b). Built on first use;
    # None when no number of that length can match.
    _by_length: dict[int, re.Pattern[str] | None] = field(default_factory=dict)

    def number_matches_type(self, nsn: str) -> bool:
        """`_number_type_helper(nsn, metadata) != UNKNOWN`."""
        try:
            combined = self._by_length[len(nsn)]
        except KeyError:
            combined = self._by_length[len(nsn)] = self._combined(len(nsn))
        return combined is not None and combined.fullmatch(nsn) is not None

    def _combined(self, length: int) -> re.Pattern[str] | None:
        general = self.general
        if general is None or (self.general_lengths and length not in self.general_lengths):
            return None
        types = [
            pattern.pattern for lengths, pattern in self.types if not lengths or length in lengths
        ]
        if not types:
            return None
        alternation = "|".join(f"(?:{pattern})" for pattern in types)
        return re.compile(f"(?=(?:{general.pattern})\\Z)(?:{alternation})")


def _compile(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern else None


def _compile_any(pattern: str | None) -> re.Pattern[str] | None:
    """For fields libphonenumber uses whenever they are not None, even when empty."""
    return re.compile(pattern) if pattern is not None else None


def _desc(desc: Any) -> _Desc | None:
    if desc is None or not desc.national_number_pattern:
        return None
    return frozenset(desc.possible_length or ()), re.compile(desc.national_number_pattern)


_rules: Final[dict[str, RegionRules | None]] = {}


def rules_for(region: str) -> RegionRules | None:
    """Precompiled rules for a geographic region (upper case), None when unknown."""
    try:
        return _rules[region]
    except KeyError:
        pass
    metadata = PhoneMetadata.metadata_for_region(region, None)
    rules = None
    if metadata is not None and metadata.country_code is not None:
        general = metadata.general_desc
        types = tuple(d for d in (_desc(getattr(metadata, n)) for n in _TYPE_DESCS) if d)
        rules = RegionRules(
            code=region,
            country_code=metadata.country_code,
            country_code_text=str(metadata.country_code),
            general=_compile(general.national_number_pattern if general else None),
            general_lengths=tuple(general.possible_length or ()) if general else (),
            local_lengths=frozenset(general.possible_length_local_only or ())
            if general
            else frozenset(),
            types=types,
            national_prefix=_compile(metadata.national_prefix_for_parsing),
            has_transform=bool(metadata.national_prefix_transform_rule),
            idd=_compile_any(metadata.international_prefix),
            leading_digits=_compile_any(metadata.leading_digits),
            trunk_zero=metadata.national_prefix == "0",
        )
    _rules[region] = rules
    return rules


# Calling codes as written ("44" → 44): looking prefixes up as text saves an `int()` per try.
_CODE_OF_TEXT: Final = {str(code): code for code in COUNTRY_CODE_TO_REGION_CODE}


def _split_country_code(digits: str) -> Parsed | None:
    """`_extract_country_code`: the shortest known calling code at the start."""
    if not digits or digits[0] == "0":
        return None
    code_of = _CODE_OF_TEXT
    for size in range(1, min(len(digits), _MAX_CC_DIGITS) + 1):
        code = code_of.get(digits[:size])
        if code is not None:
            return code, digits[size:]
    return None


_LOCAL, _POSSIBLE, _SHORT, _LONG, _INVALID = range(5)  # `ValidationResult`, as we need it


def _length_verdict(nsn: str, rules: RegionRules) -> int | None:
    """`_test_number_length(nsn, metadata)` for any type; None when there are no lengths."""
    lengths, length = rules.general_lengths, len(nsn)
    if not lengths:
        return None
    if length in rules.local_lengths:
        return _LOCAL
    if length == lengths[0]:
        return _POSSIBLE
    if length < lengths[0]:
        return _SHORT
    if length > lengths[-1]:
        return _LONG
    return _POSSIBLE if length in lengths[1:] else _INVALID


def _without_prefix(nsn: str, rules: RegionRules) -> str | None:
    """`_maybe_strip_national_prefix_carrier_code`'s number; None for a transform rule."""
    prefix = rules.national_prefix
    if not nsn or prefix is None:
        return nsn
    match = prefix.match(nsn)
    if match is None:
        return nsn
    groups = match.groups()
    if rules.has_transform and (not groups or groups[-1] is not None):
        return None  # carrier-code transforms (AR, BR, MX…): not replayed
    general = rules.general
    stripped = nsn[match.end() :]
    if general is not None and general.fullmatch(nsn) and not general.fullmatch(stripped):
        return nsn  # only the unstripped number fits the national pattern
    return stripped


def _own_code_first(digits: str, rules: RegionRules) -> Parsed | None:
    """`_maybe_extract_country_code` for digits that start with the region's calling code:
    read as the calling code when only the rest fits the national pattern, or when the
    whole is too long. Returns (code or 0, national number); None: not replayed."""
    general = rules.general
    if general is None:
        return None
    rest = _without_prefix(digits[len(rules.country_code_text) :], rules)
    if rest is None:
        return None
    verdict = _length_verdict(digits, rules)
    if verdict is None:
        return None
    if (general.fullmatch(digits) is None and general.fullmatch(rest)) or verdict == _LONG:
        return rules.country_code, rest
    return 0, digits


def plain_digits(text: str) -> str:
    """The digits of text made of digits and `_PLAIN`'s separators only: 2-3x faster than
    a regex substitution (one per separator run) for the usual three or four separators."""
    return (
        text.replace(" ", "")
        .replace("-", "")
        .replace("(", "")
        .replace(")", "")
        .replace(".", "")
        .replace("+", "")
    )


# Normalizing one input asks about the same few numbers several times (as typed, with its
# calling code, again to confirm a fixed point): small caches of pure functions.
@lru_cache(maxsize=256)
def parse(text: str, region: str | None) -> Parsed | None:
    """What `phonenumbers.parse(text, region)` gives as (calling code, NSN), for plain input
    whose parse this module can replay exactly; None means "ask phonenumbers"."""
    if not is_plain(text):
        return None
    return parse_plain(text, plain_digits(text), region)


def is_plain(text: str) -> bool:
    """Input this module can parse: ASCII digits, spaces, `-`, `.`, `(`, `)`, a leading `+`."""
    return len(text) <= _MAX_INPUT and _PLAIN.fullmatch(text) is not None


def parse_plain(text: str, digits: str, region: str | None) -> Parsed | None:
    """`parse` for text that `is_plain`, given `plain_digits(text)`; not cached (for callers
    that need each number once, such as the tidy-case shortcut)."""
    if len(digits) < _MIN_VIABLE_DIGITS:
        return None  # libphonenumber's "viable number" test: not replayed
    if text[0] == "+":
        if len(digits) <= _MIN_NSN:
            return None
        split = _split_country_code(digits)
        if split is None:
            return None  # phonenumbers retries without the plus: not replayed
        code, nsn = split
    else:
        rules = rules_for(region) if region is not None else None
        if rules is None:
            return None
        if rules.idd is not None and rules.idd.match(digits):
            return None  # written with the international prefix: not replayed
        code, nsn = 0, digits
        if digits.startswith(rules.country_code_text):
            own = _own_code_first(digits, rules)
            if own is None:
                return None
            code, nsn = own
        if code == 0:  # a national number: the region's own rules strip its prefix
            code = rules.country_code
            return _finish(code, nsn, rules)
    # The calling code came from the number: the rules of that code's main region apply.
    main = COUNTRY_CODE_TO_REGION_CODE[code][0]
    main_rules = rules_for(main) if main != _NON_GEO else None
    return _finish(code, nsn, main_rules) if main_rules is not None else None


def _finish(code: int, nsn: str, rules: RegionRules) -> Parsed | None:
    """Parse's national-prefix step and length checks: the stripped number is kept unless its
    length is TOO_SHORT, IS_POSSIBLE_LOCAL_ONLY or INVALID_LENGTH."""
    if len(nsn) < _MIN_NSN:
        return None
    stripped = _without_prefix(nsn, rules)
    if stripped is None:
        return None
    if stripped != nsn:
        verdict = _length_verdict(stripped, rules)
        if verdict is None:
            return None
        if verdict not in (_POSSIBLE, _LONG):
            stripped = nsn
    if not _MIN_NSN <= len(stripped) <= _MAX_NSN:
        return None
    return code, stripped


def is_possible(parsed: Parsed) -> bool:
    """`phonenumbers.is_possible_number`: length rules of the calling code's main region."""
    regions = COUNTRY_CODE_TO_REGION_CODE.get(parsed[0])
    if not regions:
        return False
    rules = rules_for(regions[0]) if regions[0] != _NON_GEO else None
    verdict = _length_verdict(parsed[1], rules) if rules is not None else None
    if verdict is None:
        return bool(phonenumbers.is_possible_number(to_number(parsed)))
    return verdict in (_POSSIBLE, _LOCAL)


def from_number(number: phonenumbers.PhoneNumber) -> Parsed:
    return number.country_code or 0, phonenumbers.national_significant_number(number)


def to_number(parsed: Parsed) -> phonenumbers.PhoneNumber:
    code, nsn = parsed
    number = phonenumbers.PhoneNumber(country_code=code, national_number=int(nsn))
    zeros = len(nsn) - len(nsn.lstrip("0"))
    if len(nsn) > 1 and zeros:
        number.italian_leading_zero = True
        if zeros > 1:
            number.number_of_leading_zeros = min(zeros, len(nsn) - 1)
    return number


def is_valid_for_region(parsed: Parsed, region: str) -> bool:
    """`phonenumbers.is_valid_number_for_region` for a geographic region."""
    rules = rules_for(region)
    return (
        rules is not None
        and rules.country_code == parsed[0]
        and rules.number_matches_type(parsed[1])
    )


@lru_cache(maxsize=256)
def is_valid(parsed: Parsed) -> bool:
    """`phonenumbers.is_valid_number`: find the region as libphonenumber does, then check it."""
    code, nsn = parsed
    regions = COUNTRY_CODE_TO_REGION_CODE.get(code)
    if not regions:
        return False
    if len(regions) == 1:
        if regions[0] == _NON_GEO:
            return bool(phonenumbers.is_valid_number(to_number(parsed)))
        return is_valid_for_region(parsed, regions[0])
    for region in regions:
        rules = rules_for(region)
        if rules is None:
            continue
        if rules.leading_digits is not None:
            if rules.leading_digits.match(nsn):
                return is_valid_for_region(parsed, region)
        elif rules.number_matches_type(nsn):
            return True  # the same check is_valid_number_for_region repeats
    return False
