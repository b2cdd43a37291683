"""The side-by-side screen: summary bar, filter combos, selection → detail."""

from __future__ import annotations

from desktop_app.capi.dedup import Pair
from desktop_app.views.pair_filter import PairFilter
from desktop_app.views.pair_model import PairTableModel
from desktop_app.views.side_by_side import SideBySideView


def log_view(qtbot: object, pairs: list[Pair]) -> tuple[PairTableModel, SideBySideView]:
    """The log's model holding `pairs`, shown in a side-by-side view."""
    model = PairTableModel()
    model.append_pairs(pairs)
    view = SideBySideView(model)
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    return model, view


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
    _model, view = log_view(qtbot, sample_pairs)
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
    _model, view = log_view(qtbot, sample_pairs)
    picked: list[Pair | None] = []
    view.pair_selected.connect(picked.append)
    view.set_filter(PairFilter(verdict="deduplicated"))
    view.select_row(4)  # a model row: Purchase, shown at filtered row 3
    assert picked[-1] is sample_pairs[4]
    assert view.selected_pair() is sample_pairs[4]
    view.select_row(0)  # PageView is filtered out: nothing changes
    assert view.selected_pair() is sample_pairs[4]


def test_selection_survives_rows_leaving_and_joining_the_filter(
    qtbot: object, sample_pairs: list[Pair]
) -> None:
    """A live verdict change moves rows in and out of the filter without a reset."""
    import dataclasses

    model, view = log_view(qtbot, sample_pairs)
    view.set_filter(PairFilter(verdict="deduplicated"))
    resets: list[bool] = []
    view.proxy.modelReset.connect(lambda: resets.append(True))
    view.select_row(4)  # Purchase, counted once
    chosen = model.pair_at(4)
    updated = list(model.pairs())
    leaving = 1  # ViewContent, shown above the selection
    joining = next(r for r, p in enumerate(updated) if p.verdict != "deduplicated")
    updated[leaving] = dataclasses.replace(updated[leaving], verdict="double_fire")
    updated[joining] = dataclasses.replace(updated[joining], verdict="deduplicated")
    model.set_pairs(updated)
    assert not resets
    shown = [view.proxy.pair_at(r) for r in range(view.proxy.rowCount())]
    assert shown == [p for p in updated if p.verdict == "deduplicated"]
    assert view.selected_pair() is chosen
    assert view.count.text() == f"{len(shown)} of {len(sample_pairs)} events"


def test_changes_off_screen_do_not_repaint_the_table(
    qtbot: object, sample_pairs: list[Pair], monkeypatch: object
) -> None:
    """Qt repaints the whole viewport for any multi-row `dataChanged`; the log's table skips
    ranges that miss the visible rows (a live update touches rows all over the log)."""
    import dataclasses

    from desktop_app.views.qt import QApplication

    model, view = log_view(qtbot, sample_pairs * 40)  # far more rows than fit on screen
    view.resize(900, 400)
    view.show()
    qtbot.waitExposed(view)  # type: ignore[attr-defined]
    QApplication.processEvents()
    reads: list[int] = []
    cell = model.cell

    def counted(row: int, column: int, role: int) -> object:
        reads.append(row)
        return cell(row, column, role)

    monkeypatch.setattr(model, "cell", counted)  # type: ignore[attr-defined]

    def change(rows: range) -> list[int]:
        reads.clear()
        updated = list(model.pairs())
        for row in rows:
            updated[row] = dataclasses.replace(updated[row], verdict="double_fire")
        model.set_pairs(updated)
        QApplication.processEvents()
        return reads

    # Above 200 changed cells Qt stops working out what is visible: use 40 rows × 7 columns.
    last = model.rowCount() - 1
    assert view.table.rowAt(view.table.viewport().height() - 1) < last - 40
    assert change(range(last - 40, last)) == []  # far below the view: no repaint
    assert change(range(0, 3))  # on screen: repainted


def test_selection_survives_a_shorter_log(qtbot: object, sample_pairs: list[Pair]) -> None:
    """Re-pairing can merge two one-sided rows: the log shrinks without a reset."""
    model, view = log_view(qtbot, sample_pairs)
    resets: list[bool] = []
    view.proxy.modelReset.connect(lambda: resets.append(True))
    for pair_filter in (PairFilter(), PairFilter(verdict="deduplicated")):
        model.set_pairs(sample_pairs)
        view.set_filter(pair_filter)
        resets.clear()
        view.select_row(2)
        chosen = model.pair_at(2)
        shorter = sample_pairs[:-2]
        model.set_pairs(shorter)
        assert not resets, pair_filter
        assert view.selected_pair() is chosen
        shown = [view.proxy.pair_at(r) for r in range(view.proxy.rowCount())]
        assert shown == [p for p in model.pairs() if pair_filter.accepts(p)]


def test_the_detail_follows_a_live_change_of_the_selected_row(
    qtbot: object, sample_pairs: list[Pair]
) -> None:
    import dataclasses

    model, view = log_view(qtbot, sample_pairs)
    picked: list[Pair | None] = []
    view.pair_selected.connect(picked.append)
    view.select_row(2)
    assert picked == [sample_pairs[2]]
    updated = list(sample_pairs)
    updated[5] = dataclasses.replace(updated[5], verdict="double_fire")  # another row
    model.set_pairs(updated)
    assert picked == [sample_pairs[2]]
    updated[2] = dataclasses.replace(updated[2], verdict="double_fire")  # the selected row
    model.set_pairs(updated)
    assert picked == [sample_pairs[2], updated[2]]
    assert view.selected_pair() is updated[2]
