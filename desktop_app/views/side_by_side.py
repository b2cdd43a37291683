"""The consultant's main screen: every conversion with its Pixel copy left, server copy right.

Passive widget: it shows a `PairTableModel` through a `PairFilterProxy`, offers filters by
verdict, event and pixel, and emits `pair_selected` when the user picks a row.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from desktop_app.capi.dedup import Pair
from desktop_app.views.pair_filter import PairFilter, PairFilterProxy
from desktop_app.views.pair_model import COLUMNS, VERDICT_COLUMN, PairTableModel
from desktop_app.views.qt import (
    ModelIndex,
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QItemSelection,
    QLabel,
    QPushButton,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_app.views.verdict_style import style_for

logger = logging.getLogger(__name__)

ALL = ""  # the combo boxes' "show everything" item data

__all__ = ["PairFilter", "PairFilterProxy", "PairTableModel", "PairTableView", "SideBySideView"]


class PairTableView(QTableView):
    """The log's table. Above ~200 changed cells, Qt repaints the whole viewport for a
    `dataChanged`, even far off screen (measured: ~1,100 `data()` calls, 7–15 ms, for 1,000
    rows changed 50,000 rows below the view). Live updates change rows all over a
    100,000-row log, so ranges that miss the visible rows are dropped here."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # PySide builds Python enum types lazily on the first `viewport()` call (~25 ms
        # measured): pay it here, not in the first live update.
        self.viewport()

    def dataChanged(
        self, top_left: ModelIndex, bottom_right: ModelIndex, roles: Sequence[int] = ()
    ) -> None:
        first = self.rowAt(0)
        if first >= 0:
            last = self.rowAt(self.viewport().height() - 1)
            if last < 0:  # the rows end above the bottom of the view
                last = self.model().rowCount() - 1
            if bottom_right.row() < first or top_left.row() > last:
                return
        super().dataChanged(top_left, bottom_right, list(roles))


class SideBySideView(QWidget):
    pair_selected = Signal(object)  # Pair | None

    def __init__(self, model: PairTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = PairFilterProxy(model, self)

        self.summary = QLabel(model.summary())
        self.summary.setObjectName("summaryBar")
        self.summary.setWordWrap(True)

        self.verdict_filter = QComboBox()
        self.event_filter = QComboBox()
        self.pixel_filter = QComboBox()
        for combo, name in (
            (self.verdict_filter, "Filter by verdict"),
            (self.event_filter, "Filter by event"),
            (self.pixel_filter, "Filter by pixel"),
        ):
            combo.setAccessibleName(name)
            combo.setToolTip(name)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.clear_filters = QPushButton("Show all")
        self.clear_filters.setEnabled(False)
        self.count = QLabel()
        self.count.setObjectName("rowCount")

        self.table = PairTableView()
        self.table.setObjectName("pairTable")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # IDs differ at both ends
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        # Fixed, uniform rows: the view never measures 100,000 rows.
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        for column, width in enumerate((80, 118, 140, 170, 118, 140, 150)[: len(COLUMNS)]):
            self.table.setColumnWidth(column, width)

        self._build_layout()
        self._refresh_facets()
        self._update_count()

        model.summary_changed.connect(self._on_summary)
        model.facets_changed.connect(self._refresh_facets)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        for combo in (self.verdict_filter, self.event_filter, self.pixel_filter):
            combo.currentIndexChanged.connect(self._apply_filter)
        self.clear_filters.clicked.connect(self.reset_filters)
        selection = self.table.selectionModel()
        selection.selectionChanged.connect(self._on_selection)
        self._shown: Pair | None = None  # the pair last sent with `pair_selected`
        self.proxy.dataChanged.connect(self._on_rows_changed)
        self._on_summary(model.summary())

    def _build_layout(self) -> None:
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Show:"))
        filters.addWidget(self.verdict_filter)
        filters.addWidget(self.event_filter)
        filters.addWidget(self.pixel_filter)
        filters.addWidget(self.clear_filters)
        filters.addStretch(1)
        filters.addWidget(self.count)

        sides = QHBoxLayout()
        browser = QLabel("◀  Browser (Meta Pixel)")
        server = QLabel("Server (Conversions API)  ▶")
        for label in (browser, server):
            label.setObjectName("sideCaption")
        sides.addWidget(browser)
        sides.addStretch(1)
        sides.addWidget(server)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addLayout(filters)
        layout.addLayout(sides)
        layout.addWidget(self.table, 1)

    async def render(self) -> None:  # type: ignore[override]  # house rule 6 (shadows QWidget.render)
        """Nothing to fetch: the model is fed by the wiring; refresh derived widgets."""
        self._refresh_facets()
        self._on_summary(self.model.summary())
        self._update_count()

    # --- filters ------------------------------------------------------------------------
    def set_filter(self, pair_filter: PairFilter) -> None:
        """Select the combo items of `pair_filter` (adds missing ones), then apply it."""
        for combo, value in (
            (self.verdict_filter, pair_filter.verdict),
            (self.event_filter, pair_filter.event_name),
            (self.pixel_filter, pair_filter.pixel_id),
        ):
            wanted = value or ALL
            at = combo.findData(wanted)
            if at < 0:
                combo.addItem(wanted, wanted)
                at = combo.count() - 1
            combo.setCurrentIndex(at)
        self._apply_filter()

    def reset_filters(self) -> None:
        self.set_filter(PairFilter())

    def _apply_filter(self, *_: object) -> None:
        pair_filter = PairFilter(
            verdict=self.verdict_filter.currentData() or None,
            event_name=self.event_filter.currentData() or None,
            pixel_id=self.pixel_filter.currentData() or None,
        )
        self.proxy.set_filter(pair_filter)
        self.clear_filters.setEnabled(pair_filter.active)
        self._update_count()

    def _refresh_facets(self) -> None:
        self._fill(
            self.verdict_filter,
            "All verdicts",
            [(style_for(v).label, v) for v in sorted(self.model.verdicts)],
        )
        self._fill(
            self.event_filter, "All events", [(n, n) for n in sorted(self.model.event_names)]
        )
        self._fill(
            self.pixel_filter,
            "All pixels",
            [(f"Pixel {p}", p) for p in sorted(self.model.pixel_ids)],
        )

    @staticmethod
    def _fill(combo: QComboBox, everything: str, items: list[tuple[str, str]]) -> None:
        current = combo.currentData() or ALL
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, ALL)
        for text, data in items:
            combo.addItem(text, data)
        at = combo.findData(current)
        if at < 0:
            combo.addItem(current, current)
            at = combo.count() - 1
        combo.setCurrentIndex(at)
        combo.blockSignals(False)

    # --- model → widgets ----------------------------------------------------------------
    def _on_summary(self, text: str) -> None:
        self.summary.setText(text)
        counts = self.model.outcome_counts()
        if self.model.conversions == 0:
            state = "empty"
        elif counts.get("once", 0) == self.model.conversions:
            state = "good"
        elif counts.get("twice", 0) or counts.get("no_id", 0) or counts.get("lost", 0):
            state = "bad"
        else:
            state = "partial"
        self.summary.setProperty("state", state)
        style = self.summary.style()
        style.unpolish(self.summary)
        style.polish(self.summary)

    def _update_count(self, *_: object) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        noun = "event" if total == 1 else "events"
        self.count.setText(f"{total} {noun}" if shown == total else f"{shown} of {total} {noun}")

    def _on_selection(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        self._shown = self.selected_pair()
        self.pair_selected.emit(self._shown)

    def _on_rows_changed(self, top_left: ModelIndex, bottom_right: ModelIndex, *_: object) -> None:
        # Live re-pairing replaced the selected row's pair (its server copy arrived, its
        # verdict changed): the detail follows without the user clicking again.
        if self._shown is None or not top_left.row() <= self._selected_row() <= bottom_right.row():
            return
        pair = self.selected_pair()
        if pair is not self._shown:
            self._shown = pair
            self.pair_selected.emit(pair)

    def _selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows(VERDICT_COLUMN)
        return rows[0].row() if rows else -1

    def selected_pair(self) -> Pair | None:
        row = self._selected_row()
        return self.proxy.pair_at(row) if row >= 0 else None

    def select_row(self, source_row: int) -> None:
        """Select a row of the model (not of the filtered view), if the filter shows it."""
        index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if index.isValid():
            self.table.selectRow(index.row())
            self.table.scrollTo(index)
