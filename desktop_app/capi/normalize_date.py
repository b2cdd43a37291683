"""Date of birth as `YYYYMMDD`, years 1900..now (docs example `2/16/1997` → `19970216`).

https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
Meta's SDK sends dates unnormalized; Meta's Parameter Builder assumes US month-first. We read
the common written forms; a day/month that could be either is resolved by the country (US
and the few other month-first countries: month first; everywhere else: day first) and the
call is reported as a note.
"""

from __future__ import annotations

import logging
import math
import re
import time
from datetime import date
from typing import Final

from desktop_app.capi.normalize import Context, Normalized, fail

logger = logging.getLogger(__name__)

MIN_YEAR: Final = 1900
# Countries that write dates month-first (and the default when the country is unknown,
# matching Meta's own `2/16/1997` example and its Parameter Builder).
MONTH_FIRST_COUNTRIES: Final = frozenset(
    {"us", "pr", "gu", "vi", "as", "mp", "um", "fm", "mh", "pw"}
)

MONTH_NAMES: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
        ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
        ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
        ("december", "dec"),
    ),
    start=1,
):  # fmt: skip
    MONTH_NAMES.update(dict.fromkeys(_names, _number))

_ISO_LIKE: Final = re.compile(r"(\d{4})[-/. ](\d{1,2})[-/. ](\d{1,2})(?:[t ].*)?")
_THREE_GROUPS: Final = re.compile(r"(\d{1,2})[-/. ]+(\d{1,2})[-/. ]+(\d{2}|\d{4})")
_EIGHT_DIGITS: Final = re.compile(r"\d{8}")
_WORDS: Final = re.compile(r"[a-z]+|\d+")


# `date.today()` is the local date of the current second (CPython floors `time.time()`
# before `localtime`), so one answer per second is exactly the same answer, and avoids a
# `localtime` call per birth date.
_today_of_second: Final[list[tuple[int, date]]] = [(-1, date.min)]


def today() -> date:
    """The real local date (`date.today()`), computed once per second."""
    second = math.floor(time.time())
    known = _today_of_second[0]  # one read: another thread may replace it meanwhile
    if known[0] != second:
        known = _today_of_second[0] = (second, date.fromtimestamp(second))
    return known[1]


def _today(ctx: Context) -> date:
    return ctx.today if ctx.today is not None else today()


def _build(year: int, month: int, day: int, ctx: Context) -> date | str:
    """The date, or why it is not a usable birth date."""
    try:
        born = date(year, month, day)
    except ValueError:
        return "not a calendar date"
    if year < MIN_YEAR or born > _today(ctx):
        return f"the year must be between {MIN_YEAR} and this year"
    return born


def _full_year(two_digits: int, ctx: Context) -> int:
    """'97' → 1997, '05' → 2005: the most recent year that is not in the future."""
    century = _today(ctx).year // 100 * 100
    year = century + two_digits
    return year if year <= _today(ctx).year else year - 100


def _done(result: date | str, note: str | None = None) -> Normalized:
    if isinstance(result, str):
        return fail(result)
    # isoformat pads the year to 4 digits like "%04d" (years here are 1900..today).
    return Normalized(result.isoformat().replace("-", ""), None, note)


def _day_month(first: int, second: int, ctx: Context) -> tuple[int, int, str | None]:
    """(month, day, note) for two numbers that are a day and a month in some order."""
    if first > 12 >= second:
        return second, first, None
    if second > 12 >= first:
        return first, second, None
    if first == second:
        return first, second, None
    if ctx.country is None or ctx.country in MONTH_FIRST_COUNTRIES:
        where = "the US" if ctx.country is None else ctx.country.upper()
        return first, second, f"day and month ambiguous: read month-first as in {where}"
    return second, first, f"day and month ambiguous: read day-first as in {ctx.country.upper()}"


def normalize_birthdate(text: str, ctx: Context) -> Normalized:
    value = text.strip().lower()
    if not value:
        return fail("empty")
    if _EIGHT_DIGITS.fullmatch(value):
        # YYYYMMDD (Meta's format), else DDMMYYYY / MMDDYYYY.
        as_ymd = _build(int(value[:4]), int(value[4:6]), int(value[6:]), ctx)
        if not isinstance(as_ymd, str):
            return _done(as_ymd)
        month, day, note = _day_month(int(value[:2]), int(value[2:4]), ctx)
        return _done(_build(int(value[4:]), month, day, ctx), note)
    iso = _ISO_LIKE.fullmatch(value)
    if iso:
        return _done(_build(int(iso[1]), int(iso[2]), int(iso[3]), ctx))
    groups = _THREE_GROUPS.fullmatch(value)
    if groups:
        month, day, note = _day_month(int(groups[1]), int(groups[2]), ctx)
        year = int(groups[3])
        if len(groups[3]) == 2:
            year = _full_year(year, ctx)
            note = "; ".join(n for n in (note, f"two-digit year read as {year}") if n)
        return _done(_build(year, month, day, ctx), note)
    return _from_words(value, ctx)


def _from_words(value: str, ctx: Context) -> Normalized:
    """'16 Feb 1997', 'February 16, 1997', 'feb 16th 1997'."""
    tokens = [t for t in _WORDS.findall(value) if t not in ("st", "nd", "rd", "th", "of")]
    months = [MONTH_NAMES[t] for t in tokens if t in MONTH_NAMES]
    numbers = [int(t) for t in tokens if t.isdigit()]
    if len(months) != 1 or len(numbers) != 2 or len(tokens) != 3:
        return fail("not a date (expected e.g. 1997-02-16, 2/16/1997 or 16 Feb 1997)")
    day, year = (numbers[0], numbers[1]) if numbers[1] > 31 else (numbers[1], numbers[0])
    return _done(_build(year, months[0], day, ctx))
