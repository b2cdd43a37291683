"""Row arithmetic of the live log, without Qt: change ranges, update steps, filter edits."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from desktop_app.views.pair_rows import (
    change_ranges,
    membership_edits,
    slices,
    update_steps,
)


def _apply_like_set_pairs(log: list[str], new: Sequence[str], changed: Sequence[int]) -> None:
    """What `PairTableModel.set_pairs` does to its rows, on plain strings."""
    keep = min(len(log), len(new))
    del log[keep:]
    for row in changed:
        if row < keep:
            log[row] = new[row]
    log.extend(new[keep:])


def test_change_ranges_join_contiguous_rows() -> None:
    assert change_ranges([]) == []
    assert change_ranges([7]) == [(7, 7)]
    assert change_ranges([2, 3, 4, 9, 10, 20]) == [(2, 4), (9, 10), (20, 20)]


def test_change_ranges_bridge_the_smallest_gaps_beyond_the_limit() -> None:
    rows = [0, 2, 50, 52, 1000]  # gaps 2, 48, 2, 948
    assert change_ranges(rows, limit=3) == [(0, 2), (50, 52), (1000, 1000)]
    assert change_ranges(rows, limit=2) == [(0, 52), (1000, 1000)]
    assert change_ranges(rows, limit=1) == [(0, 1000)]
    scattered = list(range(0, 100_000, 10))
    ranges = change_ranges(scattered)
    assert len(ranges) == 64
    covered = {row for first, last in ranges for row in range(first, last + 1)}
    assert covered.issuperset(scattered)


def test_slices() -> None:
    assert slices([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
    assert slices([], 3) == [[]]


@pytest.mark.parametrize(
    ("old_len", "new_len", "changes"),
    [(0, 25, 0), (10, 10, 0), (30, 30, 30), (30, 47, 12), (40, 13, 9), (5, 0, 0), (0, 0, 0)],
)
def test_update_steps_end_in_the_same_log(old_len: int, new_len: int, changes: int) -> None:
    rng = random.Random(old_len * 100 + new_len)
    old = [f"old{i}" for i in range(old_len)]
    changed = sorted(rng.sample(range(min(old_len, new_len)), changes))
    new = [f"new{i}" if i in changed or i >= old_len else old[i] for i in range(new_len)]
    steps = update_steps(old_len, new_len, changed, 4)
    log = list(old)
    for length, rows in steps:
        assert len(rows) <= 4
        assert length - min(len(log), length) <= 4  # never grows by more than a step
        _apply_like_set_pairs(log, new[:length], rows)
    assert log == new
    assert steps[-1][0] == new_len


def test_update_steps_one_step_for_a_small_update() -> None:
    assert update_steps(100, 101, [3, 50], 10_000) == [(100, [3, 50]), (101, ())]
    assert update_steps(100, 100, [], 10_000) == [(100, ())]
    assert update_steps(0, 3, [], 2) == [(2, ()), (3, ())]
    assert update_steps(9, 3, [], 2) == [(3, [])]  # shrink in one step


def test_membership_edits() -> None:
    old = [2, 5, 8, 11]
    new = [2, 6, 8, 12, 13]
    leaving, joining = membership_edits(old, new)
    assert leaving == [1, 3]  # positions of 5 and 11 in `old`
    assert joining == [6, 12, 13]
    assert membership_edits(old, old) == ([], [])


def test_rebuilt_equal_observations_are_not_a_change() -> None:
    """The relay rebuilds its server observations from SQLite on every call."""
    import dataclasses

    from views.view_samples import make_pixel, make_server

    from desktop_app.capi.dedup import Pair
    from desktop_app.views.pair_rows import diff_rows

    pixel, server = make_pixel("Lead", "l1", 10.0), make_server("Lead", "l1", 10.0)
    old = [Pair("Lead", "l1", "deduplicated", pixel, server)]
    rebuilt = [Pair("Lead", "l1", "deduplicated", pixel, dataclasses.replace(server))]
    assert rebuilt[0].server is not server
    assert diff_rows(old, rebuilt) == []
    answered = dataclasses.replace(server, status="rejected")
    assert diff_rows(old, [Pair("Lead", "l1", "deduplicated", pixel, answered)]) == [0]
