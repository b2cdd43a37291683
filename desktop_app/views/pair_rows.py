"""Row arithmetic of the side-by-side log, Qt-free: order, diffs, change ranges, filter edits.

Live pairing re-pairs the whole log and the model applies only what differs. Everything here is
pure (lists in, lists out), so it may run on the pairing worker and is tested without Qt.
"""

from __future__ import annotations

import itertools
import logging
import operator
from collections.abc import Iterable, Sequence

from desktop_app.capi.dedup import Pair

logger = logging.getLogger(__name__)

# At most this many `dataChanged` ranges per update: each one costs a Python slot call in the
# filter proxy, while one range over the whole log makes the proxy re-check every row.
MAX_RANGES = 64


def pair_time(pair: Pair) -> float:
    if pair.pixel is not None:
        return pair.pixel.observed_at
    server = pair.server
    return (server.sent_at or float(server.event_time)) if server is not None else 0.0


def chronological(pairs: Iterable[Pair]) -> list[Pair]:
    """The log reads top to bottom in the order things happened (stable for equal times)."""
    return sorted(pairs, key=pair_time)


def same_for_display(a: Pair, b: Pair) -> bool:
    """Equal for display. Re-pairing builds new `Pair`s around the same (immutable)
    observation objects, so identity checks spare a deep comparison; the relay rebuilds its
    server observations from SQLite on every call, so equal values count as the same too."""
    return (
        a.verdict == b.verdict
        and (a.pixel is b.pixel or a.pixel == b.pixel)
        and (a.server is b.server or a.server == b.server)
        and a.event_name == b.event_name
        and a.warnings == b.warnings
        and a.explanation == b.explanation
    )


def diff_rows(old: Sequence[Pair], new: Sequence[Pair]) -> list[int]:
    """Rows present in both lists whose pair changed, ascending."""
    same = same_for_display
    return [row for row in range(min(len(old), len(new))) if not same(old[row], new[row])]


def change_ranges(rows: Sequence[int], limit: int = MAX_RANGES) -> list[tuple[int, int]]:
    """Inclusive (first, last) ranges covering the ascending `rows`, at most `limit` of them.

    Contiguous rows share a range; beyond `limit` runs, the smallest gaps are bridged first
    (a bridged row is reported changed although it is not: harmless, it is only redrawn).
    """
    if not rows:
        return []
    steps = enumerate(itertools.pairwise(rows), 1)
    gaps = [(later - row, at) for at, (row, later) in steps if later - row > 1]
    if len(gaps) >= limit:  # keep the widest gaps as the breaks between ranges
        gaps = (
            sorted(gaps, key=operator.itemgetter(0))[len(gaps) - limit + 1 :] if limit > 1 else []
        )
    starts = sorted(at for _gap, at in gaps)
    ranges = []
    first = 0
    for start in starts:
        ranges.append((rows[first], rows[start - 1]))
        first = start
    ranges.append((rows[first], rows[-1]))
    return ranges


def slices[T](items: Sequence[T], size: int) -> list[Sequence[T]]:
    """`items` cut into consecutive pieces of at most `size` (one empty piece for none)."""
    return [items[at : at + size] for at in range(0, len(items), size)] or [items[:0]]


def membership_edits(old: Sequence[int], new: Sequence[int]) -> tuple[list[int], list[int]]:
    """Two ascending lists of source rows → (positions in `old` that leave, rows that join).

    The filter proxy turns them into row removals and insertions instead of a reset, so the
    table keeps its selection and scroll position when a verdict change moves a row in or out.
    """
    leaving = set(old).difference(new)
    joining = set(new).difference(old)
    return [at for at, row in enumerate(old) if row in leaving], sorted(joining)


def update_steps(
    old_len: int, new_len: int, changed: Sequence[int], size: int
) -> list[tuple[int, Sequence[int]]]:
    """Cut one log update into steps of at most `size` rows: (log length, changed rows).

    Applying the steps in order with `PairTableModel.set_pairs(new[:length], rows)` ends in
    the same model as one `set_pairs(new, changed)`, but no step touches more than `size`
    rows, so the GUI can paint between steps. Changed rows come first (a shrinking log is cut
    in the first step), then the log grows a slice at a time.
    """
    keep = min(old_len, new_len)
    pieces = slices(changed, size) if changed or keep < old_len else []
    steps: list[tuple[int, Sequence[int]]] = [(keep, rows) for rows in pieces]
    steps += [(end, ()) for end in range(keep + size, new_len, size)]
    if not steps or steps[-1][0] != new_len:
        steps.append((new_len, ()))
    return steps
