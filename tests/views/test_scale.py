"""The log at 100,000 rows: correct counts, filters and live updates, no per-row Qt work.

Timings are loose upper bounds that only an accidental O(n²) or per-row Python callback would
break on this shared machine; the real figures are in bench/bench_views.py.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pytest
from views.view_samples import PIXEL_ID, many_pairs

from desktop_app.views.pair_filter import PairFilter
from desktop_app.views.pair_model import PairTableModel
from desktop_app.views.side_by_side import SideBySideView

ROWS = 100_000


@pytest.mark.slow
def test_hundred_thousand_rows(qtbot: Any) -> None:
    pairs = many_pairs(ROWS)
    model = PairTableModel()
    view = SideBySideView(model)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()

    start = time.perf_counter()
    model.append_pairs(pairs)
    loaded = time.perf_counter() - start
    assert model.rowCount() == ROWS
    conversions = model.conversions
    assert conversions == ROWS
    counts = model.outcome_counts()
    assert counts["browser_only"] == ROWS // 10
    assert counts["twice"] == sum(p.verdict == "double_fire" for p in pairs) == ROWS // 25
    assert counts["once"] + counts["twice"] + counts["browser_only"] == ROWS

    start = time.perf_counter()
    view.set_filter(PairFilter(verdict="double_fire"))
    filtered = time.perf_counter() - start
    assert view.proxy.rowCount() == counts["twice"]
    view.set_filter(PairFilter(verdict="deduplicated", pixel_id=PIXEL_ID))
    assert all(
        view.proxy.pair_at(r).pixel.pixel_id == PIXEL_ID  # type: ignore[union-attr]
        for r in range(0, view.proxy.rowCount(), 997)
    )

    # A live update at full size: one pair changes verdict, one arrives; the filter follows.
    updated = list(model.pairs())
    updated[5] = dataclasses.replace(updated[5], verdict="double_fire")
    updated.append(many_pairs(1)[0])
    start = time.perf_counter()
    model.set_pairs(updated)
    live = time.perf_counter() - start
    assert model.rowCount() == ROWS + 1
    view.set_filter(PairFilter(verdict="double_fire"))
    assert view.proxy.rowCount() == counts["twice"] + 1
    assert view.summary.text().startswith(f"{ROWS + 1:,}".replace(",", "") + " conversions")

    view.table.scrollToBottom()
    assert loaded < 2.0 and filtered < 1.0 and live < 1.0, (loaded, filtered, live)
