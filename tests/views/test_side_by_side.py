"""The side-by-side screen: summary bar, filter combos, selection → detail."""

from __future__ import annotations

from desktop_app.capi.dedup import Pair
from desktop_app.views.pair_filter import PairFilter
from desktop_app.views.pair_model import PairTableModel
from desktop_app.views.side_by_side import SideBySideView


def test_summary_bar_and_state(qtbot: object, sample_pairs: list[Pair]) -> None:
    model = PairTableModel()
    view = SideBySideView(model)
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    assert view.summary.property("state") == "empty"
    model.append_pairs(sample_pairs[:5])
    assert view.summary.text() == "4 conversions: 4 counted once"
    assert view.summary.property("state") == "good"
    model.append_pairs(sample_pairs[5:])
    assert "1 counted twice" in view.summary.text()
    assert view.summary.property("state") == "bad"
    assert view.count.text() == f"{len(sample_pairs)} events"


def test_combos_filter_the_table(qtbot: object, sample_pairs: list[Pair]) -> None:
    model = PairTableModel()
    model.append_pairs(sample_pairs)
    view = SideBySideView(model)
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    events = [view.event_filter.itemText(i) for i in range(view.event_filter.count())]
    assert events[0] == "All events" and "Purchase" in events and "purchase" in events
    verdict_data = [view.verdict_filter.itemData(i) for i in range(view.verdict_filter.count())]
    assert "event_name_mismatch" in verdict_data

    view.verdict_filter.setCurrentIndex(view.verdict_filter.findData("event_name_mismatch"))
    assert view.proxy.rowCount() == 1
    assert view.clear_filters.isEnabled()
    assert view.count.text() == f"1 of {len(sample_pairs)} events"
    view.clear_filters.click()
    assert view.proxy.rowCount() == len(sample_pairs)
    assert not view.clear_filters.isEnabled()

    view.set_filter(PairFilter(event_name="Lead"))
    assert view.event_filter.currentText() == "Lead"
    assert view.proxy.rowCount() == 1


def test_selection_emits_the_pair(qtbot: object, sample_pairs: list[Pair]) -> None:
    model = PairTableModel()
    model.append_pairs(sample_pairs)
    view = SideBySideView(model)
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    picked: list[Pair | None] = []
    view.pair_selected.connect(picked.append)
    view.set_filter(PairFilter(verdict="deduplicated"))
    view.select_row(4)  # a model row: Purchase, shown at filtered row 3
    assert picked[-1] is sample_pairs[4]
    assert view.selected_pair() is sample_pairs[4]
    view.select_row(0)  # PageView is filtered out: nothing changes
    assert view.selected_pair() is sample_pairs[4]
