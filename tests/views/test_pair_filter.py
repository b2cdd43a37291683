"""The filter proxy: by verdict, event and pixel; live rows land in the filtered view too."""

from __future__ import annotations

import dataclasses

from desktop_app.capi.dedup import Pair
from desktop_app.views.pair_filter import PairFilter, PairFilterProxy
from desktop_app.views.pair_model import PairTableModel


def _shown(proxy: PairFilterProxy) -> list[tuple[str, str]]:
    return [(p.event_name, p.verdict) for p in map(proxy.pair_at, range(proxy.rowCount()))]


def test_filters_by_verdict_event_and_pixel(qapp: object, sample_pairs: list[Pair]) -> None:
    model = PairTableModel()
    model.append_pairs(sample_pairs)
    proxy = PairFilterProxy(model)
    assert proxy.rowCount() == len(sample_pairs)

    proxy.set_filter(PairFilter(verdict="deduplicated"))
    assert {v for _, v in _shown(proxy)} == {"deduplicated"}
    assert proxy.rowCount() == 4

    proxy.set_filter(PairFilter(event_name="Purchase"))
    assert _shown(proxy) == [("Purchase", "deduplicated"), ("Purchase", "event_name_mismatch")]

    proxy.set_filter(PairFilter(event_name="Purchase", verdict="event_name_mismatch"))
    assert proxy.rowCount() == 1
    source = proxy.mapToSource(proxy.index(0, 3))
    assert model.pair_at(source.row()).event_id == "ord-77"
    assert proxy.mapFromSource(source).row() == 0
    assert not proxy.mapFromSource(model.index(0, 0)).isValid()  # PageView filtered out

    proxy.set_filter(PairFilter(pixel_id="nope"))
    assert proxy.rowCount() == 0
    proxy.set_filter(PairFilter())
    assert proxy.rowCount() == len(sample_pairs)


def test_live_rows_and_verdict_changes_under_a_filter(
    qapp: object, sample_pairs: list[Pair]
) -> None:
    model = PairTableModel()
    proxy = PairFilterProxy(model)
    proxy.set_filter(PairFilter(verdict="deduplicated"))
    model.append_pairs(sample_pairs[:3])  # PageView + two counted once
    assert proxy.rowCount() == 2
    model.append_pairs(sample_pairs[3:])
    assert proxy.rowCount() == 4
    # A re-pairing turns a counted-once row into a double count: it leaves the filter.
    changed = list(model.pairs())
    changed[1] = dataclasses.replace(changed[1], verdict="double_fire")
    model.set_pairs(changed)
    assert proxy.rowCount() == 3
    assert all(v == "deduplicated" for _, v in _shown(proxy))
    model.clear()
    assert proxy.rowCount() == 0


def test_unfiltered_proxy_forwards_changes(qapp: object, sample_pairs: list[Pair]) -> None:
    model = PairTableModel()
    proxy = PairFilterProxy(model)
    model.append_pairs(sample_pairs)
    seen: list[int] = []
    proxy.dataChanged.connect(lambda tl, br, *_: seen.append(tl.row()))
    changed = list(model.pairs())
    changed[2] = dataclasses.replace(changed[2], verdict="server_only")
    model.set_pairs(changed)
    assert seen == [2]
    assert proxy.pair_at(2).verdict == "server_only"


def test_filtered_cells_read_their_source_row(qapp: object, sample_pairs: list[Pair]) -> None:
    """The proxy answers `data()` straight from the source row (no index per role query)."""
    from desktop_app.views.pair_model import PAIR_ROLE
    from desktop_app.views.qt import Qt

    model = PairTableModel()
    model.append_pairs(sample_pairs)
    proxy = PairFilterProxy(model)
    proxy.set_filter(PairFilter(verdict="deduplicated"))
    roles = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, PAIR_ROLE)
    sources = [proxy.mapToSource(proxy.index(row, 0)).row() for row in range(proxy.rowCount())]
    assert sources != list(range(len(sources)))  # the filter really shifts rows
    for row, source in enumerate(sources):
        for column in range(proxy.columnCount()):
            for role in roles:
                got = proxy.data(proxy.index(row, column), role)
                assert got == model.data(model.index(source, column), role)
    assert proxy.data(proxy.index(proxy.rowCount(), 0), PAIR_ROLE) is None
