"""Side-by-side log at 100,000 rows: load, live batches, filters, live re-pairing (with
nothing new, and with 10,000 late server copies that change 10,000 rows).

Each figure is a UI stall: the time the GUI thread is busy before it can paint again (the
work plus one `processEvents`, with the table visible). The baseline for filtering is the usual
Qt approach in the same run: a `QSortFilterProxyModel` with a Python `filterAcceptsRow`.

    python -m bench.bench_views [--quick]
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.common import alternate, figure
from desktop_app.capi.dedup import Pair
from desktop_app.capi.observations import PixelObservation, ServerObservation

logger = logging.getLogger(__name__)

ROWS = 100_000
VERDICTS = ("deduplicated",) * 8 + ("pixel_only", "event_name_mismatch")
EVENTS = ("ViewContent", "AddToCart", "InitiateCheckout", "Purchase", "Lead")


def make_pairs(count: int) -> list[Pair]:
    pairs = []
    for i in range(count):
        name, verdict, event_id = EVENTS[i % 5], VERDICTS[i % 10], f"ev-{i}"
        pixel = PixelObservation("111", name, event_id, "https://shop.example/p", 1.7e9 + i)
        server = None
        if verdict != "pixel_only":
            server = ServerObservation(
                "111", name, event_id, int(1.7e9) + i, {"event_name": name}, response={}
            )
        pairs.append(Pair(name, event_id, verdict, pixel=pixel, server=server))
    return pairs


class Screen:
    """A visible table over our model and proxy, or over the QSortFilterProxyModel baseline."""

    def __init__(self, baseline: bool) -> None:
        from desktop_app.views.pair_filter import PairFilter, PairFilterProxy
        from desktop_app.views.pair_model import PairTableModel
        from desktop_app.views.qt import QApplication, QHeaderView
        from desktop_app.views.side_by_side import PairTableView

        self.app = QApplication.instance() or QApplication([])
        self.model = PairTableModel()
        self.filter_type = PairFilter
        if baseline:
            self.proxy: Any = _sort_filter_proxy(self.model)
        else:
            self.proxy = PairFilterProxy(self.model)
        self.view = PairTableView()  # the log's own table class, as the app shows it
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.setModel(self.proxy)
        self.view.resize(1200, 700)
        self.view.show()
        self.settle()

    def settle(self) -> None:
        self.app.processEvents()

    def set_verdict(self, verdict: str | None) -> None:
        self.proxy.set_filter(self.filter_type(verdict=verdict))

    def close(self) -> None:
        self.view.close()
        self.view.deleteLater()
        self.settle()


def _sort_filter_proxy(model: Any) -> Any:
    from desktop_app.views.pair_filter import PairFilter
    from desktop_app.views.qt import QSortFilterProxyModel

    class Baseline(QSortFilterProxyModel):
        current = PairFilter()

        def filterAcceptsRow(self, row: int, parent: Any) -> bool:
            return self.current.accepts(model.pair_at(row))

        def set_filter(self, pair_filter: PairFilter) -> None:
            self.beginFilterChange()
            self.current = pair_filter
            self.endFilterChange()

    proxy = Baseline()
    proxy.setSourceModel(model)
    return proxy


def stall(fn: Callable[[], Any], screen: Screen) -> float:
    """ms the GUI thread is busy: the work plus the repaint it causes."""
    start = time.perf_counter()
    fn()
    screen.settle()
    return (time.perf_counter() - start) * 1000


def load_and_filter(pairs: list[Pair], baseline: bool) -> dict[str, float]:
    screen = Screen(baseline)
    try:
        out = {"load": stall(lambda: screen.model.append_pairs(pairs), screen)}
        out["filter"] = stall(lambda: screen.set_verdict("event_name_mismatch"), screen)
        out["clear"] = stall(lambda: screen.set_verdict(None), screen)
        return out
    finally:
        screen.close()


def live_batches(pairs: list[Pair], batch: int) -> list[float]:
    screen = Screen(baseline=False)
    try:
        screen.set_verdict("deduplicated")  # live rows also pass through an active filter
        return [
            stall(
                functools.partial(screen.model.append_pairs, pairs[start : start + batch]), screen
            )
            for start in range(0, len(pairs), batch)
        ]
    finally:
        screen.close()


def live_refresh(
    pixels: list[PixelObservation],
    servers: list[ServerObservation],
    late: list[ServerObservation] | None = None,
) -> tuple[float, float]:
    """One live refresh at full size on the real qasync loop: (longest GUI gap, total) in ms.

    Pairing runs on LivePairs' worker thread; a heartbeat task on the GUI loop records the
    longest time the loop could not run (the stall a user would feel). With `late`, those
    server copies arrive just before the measured refresh: one row changes per copy.
    """
    import asyncio

    import qasync

    from desktop_app.views.live_pairs import LivePairs

    screen = Screen(baseline=False)
    model = screen.model
    arrived = list(servers)
    live = LivePairs(lambda: pixels, lambda: arrived, model.pairs, model.set_pairs)

    async def scenario() -> tuple[float, float]:
        await live.refresh()  # the log is full
        gaps: list[float] = []
        running = True

        async def heartbeat() -> None:
            while running:
                before = time.perf_counter()
                await asyncio.sleep(0.002)
                gaps.append((time.perf_counter() - before - 0.002) * 1000)

        beat = asyncio.ensure_future(heartbeat())
        await asyncio.sleep(0.01)
        arrived.extend(late or ())
        start = time.perf_counter()
        await live.refresh()
        total = (time.perf_counter() - start) * 1000
        await asyncio.sleep(0.01)  # the repaint after the update
        running = False
        await beat
        await live.close()
        return max(gaps), total

    loop = qasync.QEventLoop(screen.app)
    try:
        result: tuple[float, float] = loop.run_until_complete(scenario())
        return result
    finally:
        loop.close()
        screen.close()


def run(quick: bool) -> list[dict[str, Any]]:
    rows = 20_000 if quick else ROWS
    rounds = 2 if quick else 5
    pairs = make_pairs(rows)
    ours: list[dict[str, float]] = []
    base: list[dict[str, float]] = []

    def a() -> float:
        ours.append(load_and_filter(pairs, baseline=False))
        return 0.0

    def b() -> float:
        base.append(load_and_filter(pairs, baseline=True))
        return 0.0

    alternate(a, b, rounds)
    ours, base = ours[1:], base[1:]  # the warm-up round
    label = f"{rows:,} rows"
    results = [
        figure(
            f"views: load {label} into the log (stall)",
            "ms",
            [r["load"] for r in ours],
            baseline_name="QSortFilterProxyModel + Python filterAcceptsRow",
            baseline_values=[r["load"] for r in base],
            target="≤ 250 ms once, at startup/import",
            passed=max(r["load"] for r in ours) <= 250,
        ),
    ]
    for key, what in (("filter", "filter by verdict"), ("clear", "clear the filter")):
        values = [r[key] for r in ours]
        results.append(
            figure(
                f"views: {what}, {label} (stall)",
                "ms",
                values,
                baseline_name="QSortFilterProxyModel + Python filterAcceptsRow",
                baseline_values=[r[key] for r in base],
                target="≤ 50 ms",
                passed=max(values) <= 50,
            )
        )
    batches = live_batches(pairs, 1000)
    results.append(
        figure(
            f"views: longest stall while {label} arrive live in batches of 1,000",
            "ms",
            [max(batches)],
            target="≤ 50 ms",
            passed=max(batches) <= 50,
            notes=f"median batch {sorted(batches)[len(batches) // 2]:.1f} ms; filter active",
        )
    )
    pixels = [p.pixel for p in pairs if p.pixel]
    servers = [p.server for p in pairs if p.server]
    late = late_server_copies(pairs)
    for name, changes, why in (
        (f"one live refresh at {label}", None, "re-pairing runs on a worker thread"),
        (
            f"a live refresh that changes {len(late):,} of {label}",
            late,
            "the server copies of every browser-only row arrive at once",
        ),
    ):
        refreshes = [live_refresh(pixels, servers, changes) for _ in range(rounds)]
        gaps = [gap for gap, _total in refreshes]
        total = sorted(t for _g, t in refreshes)[len(refreshes) // 2]
        results.append(
            figure(
                f"views: longest GUI stall during {name}",
                "ms",
                gaps,
                target="≤ 50 ms",
                passed=max(gaps) <= 50,
                notes=f"{why}; total refresh {total:.0f} ms (median)",
            )
        )
    return results


def late_server_copies(pairs: list[Pair]) -> list[ServerObservation]:
    """The missing server copy of each browser-only pair (a delayed relay batch)."""
    return [
        ServerObservation("111", pair.event_name, pair.event_id, int(1.7e9) + row, {}, response={})
        for row, pair in enumerate(pairs)
        if pair.server is None
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_views")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    for row in run(args.quick):
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
