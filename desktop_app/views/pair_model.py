"""The side-by-side log as a Qt item model: one row per pair, Pixel side left, server side right.

Rows are only appended or updated in place (live pairing re-pairs and diffs), never sorted in
the model, so a 100,000-row log costs one Python call per *visible* cell, not per row.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from desktop_app.capi.dedup import NON_CONVERSION_EVENTS, Pair
from desktop_app.views.pair_rows import change_ranges, chronological, diff_rows
from desktop_app.views.qt import (
    ModelIndex,
    QAbstractTableModel,
    QBrush,
    QColor,
    QIcon,
    QModelIndex,
    QObject,
    Qt,
    Signal,
)
from desktop_app.views.styles import dim_text, tone
from desktop_app.views.verdict_style import (
    OUTCOMES,
    VerdictStyle,
    style_for,
    style_for_pair,
    summary_text,
)

logger = logging.getLogger(__name__)

# Re-exported: the Qt-free row arithmetic lives in pair_rows.py.
__all__ = ["PairTableModel", "chronological", "diff_rows"]

ICONS_DIR = Path(__file__).resolve().parents[2] / "resources" / "icons"
PAIR_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # the Pair object of the row

# (header, side, getter) — side: "pixel" | "verdict" | "server"
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Browser time", "pixel"),
    ("Browser event", "pixel"),
    ("Browser event ID", "pixel"),
    ("Verdict", "verdict"),
    ("Server event", "server"),
    ("Server event ID", "server"),
    ("Meta's answer", "server"),
)
VERDICT_COLUMN = 3


def _clock(ts: float | None) -> str:
    return time.strftime("%H:%M:%S", time.localtime(ts)) if ts else ""


def meta_body(response: dict[str, Any] | None) -> dict[str, Any]:
    """Meta's JSON answer: the relay stores it under `body` beside the HTTP status."""
    if not response:
        return {}
    body = response.get("body")
    return body if isinstance(body, dict) else response


def meta_answer(pair: Pair) -> str:
    """Meta's (or the sandbox's) answer in a few words."""
    server = pair.server
    if server is None:
        return ""
    response = meta_body(server.response)
    error = response.get("error")
    if isinstance(error, dict):
        return f"{server.status}: error {error.get('code', '?')}"
    received = response.get("events_received")
    if received is not None:
        return f"{server.status}: received {received}"
    return server.status


def _cell_text(pair: Pair, column: int) -> str:
    pixel, server = pair.pixel, pair.server
    if column == 0:
        return _clock(pixel.observed_at) if pixel else ""
    if column == 1:
        return pixel.event_name if pixel else ""
    if column == 2:
        return (pixel.event_id or "(none)") if pixel else ""
    if column == VERDICT_COLUMN:
        return style_for_pair(pair).label
    if column == 4:
        return server.event_name if server else ""
    if column == 5:
        return (server.event_id or "(none)") if server else ""
    return meta_answer(pair)


def pixel_id_of(pair: Pair) -> str:
    if pair.pixel is not None:
        return pair.pixel.pixel_id
    return (pair.server.pixel_id or "") if pair.server is not None else ""


class PairTableModel(QAbstractTableModel):
    """All pairs of the session; `summary_changed` carries the summary bar's sentence."""

    summary_changed = Signal(str)
    facets_changed = Signal()  # a new event name or pixel id appeared

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pairs: list[Pair] = []
        self._icons: dict[str, QIcon] = {}
        self._tints: dict[str, QBrush] = {}
        self._colours: dict[str, QBrush] = {}
        self._conversions = 0
        self._outcomes: dict[str, int] = dict.fromkeys(OUTCOMES, 0)
        self.event_names: set[str] = set()
        self.pixel_ids: set[str] = set()
        self.verdicts: set[str] = set()

    # --- Qt model API -------------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._pairs)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            side = COLUMNS[section][1]
            return {
                "pixel": "What the Meta Pixel sent from the visitor's browser",
                "server": "What the relay sent to Meta's Conversions API",
                "verdict": "Whether Meta counts this conversion once",
            }[side]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        return self.cell(index.row(), index.column(), role)

    def cell(self, row: int, column: int, role: int) -> Any:
        """`data()` by row and column: the filter proxy calls it without building an index."""
        if row >= len(self._pairs):
            return None
        pair = self._pairs[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return _cell_text(pair, column)
        if role == PAIR_ROLE:
            return pair
        if column == VERDICT_COLUMN:
            return self._verdict_data(pair, role)
        if role == Qt.ItemDataRole.ForegroundRole and self._side_missing(pair, column):
            return QBrush(QColor(dim_text()))
        return None

    # --- updates ------------------------------------------------------------------------
    def pairs(self) -> Sequence[Pair]:
        return self._pairs

    def pair_at(self, row: int) -> Pair:
        return self._pairs[row]

    def append_pairs(self, pairs: Iterable[Pair]) -> None:
        new = list(pairs)
        if not new:
            return
        first = len(self._pairs)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        self._pairs.extend(new)
        self.endInsertRows()
        self._count(new, +1)
        self._announce()

    def set_pairs(self, pairs: Sequence[Pair], changed: Sequence[int] | None = None) -> None:
        """Replace the log, touching only rows that changed (live re-pairing keeps order).

        `changed` (rows below both lengths that differ, from `diff_rows`) may be computed
        off the GUI thread against a snapshot of `pairs()`; it is recomputed when omitted.
        """
        old = self._pairs
        new = list(pairs) if pairs is old else pairs  # only read: no 100,000-row copy per step
        keep = min(len(old), len(new))
        rows = diff_rows(old, new) if changed is None else [r for r in changed if r < keep]
        # Counts change by the rows that left and the rows that came: O(changes), not O(n).
        self._count([old[row] for row in rows] + old[keep:], -1)
        if len(new) < len(old):
            self.beginRemoveRows(QModelIndex(), keep, len(old) - 1)
            del old[keep:]
            self.endRemoveRows()
        for row in rows:
            old[row] = new[row]
        last = len(COLUMNS) - 1
        for first_row, last_row in change_ranges(rows):
            self.dataChanged.emit(self.index(first_row, 0), self.index(last_row, last))
        added = list(new[keep:])
        if added:
            self.beginInsertRows(QModelIndex(), keep, len(new) - 1)
            old.extend(added)
            self.endInsertRows()
        self._count([new[row] for row in rows] + added, +1)
        self._announce()

    def clear(self) -> None:
        self.beginResetModel()
        self._pairs = []
        self.endResetModel()
        self._recount()
        self._announce()

    # --- summary ------------------------------------------------------------------------
    def summary(self) -> str:
        return summary_text(self._conversions, self._outcomes)

    def outcome_counts(self) -> dict[str, int]:
        return dict(self._outcomes)

    @property
    def conversions(self) -> int:
        return self._conversions

    # --- helpers ------------------------------------------------------------------------
    def _verdict_data(self, pair: Pair, role: int) -> Any:
        style = style_for_pair(pair)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(style)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._brush(self._colours, tone(style.colour), 255)  # dark: lighter tone
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._brush(self._tints, style.colour, 36)
        if role == Qt.ItemDataRole.ToolTipRole:
            return pair.describe() if hasattr(pair, "describe") else pair.explanation
        return None

    def _icon(self, style: VerdictStyle) -> QIcon:
        icon = self._icons.get(style.icon)
        if icon is None:
            icon = self._icons[style.icon] = QIcon(str(ICONS_DIR / style.icon))
        return icon

    @staticmethod
    def _brush(cache: dict[str, QBrush], colour: str, alpha: int) -> QBrush:
        brush = cache.get(colour)
        if brush is None:
            qcolour = QColor(colour)
            qcolour.setAlpha(alpha)
            brush = cache[colour] = QBrush(qcolour)
        return brush

    @staticmethod
    def _side_missing(pair: Pair, column: int) -> bool:
        side = COLUMNS[column][1]
        return (side == "pixel" and pair.pixel is None) or (
            side == "server" and pair.server is None
        )

    def _count(self, pairs: list[Pair], sign: int) -> None:
        # Generator-fed set updates and one Counter: ~3× faster than a per-pair Python loop,
        # which matters when a whole 100,000-row log is loaded at once.
        if sign > 0:  # the facets only grow (the filter combos keep what was seen)
            self._add_facets(pairs)
        by_verdict = Counter(
            pair.verdict for pair in pairs if pair.event_name not in NON_CONVERSION_EVENTS
        )
        for verdict, count in by_verdict.items():
            outcome = style_for(verdict).outcome
            self._outcomes[outcome] = self._outcomes.get(outcome, 0) + sign * count
            self._conversions += sign * count

    def _add_facets(self, pairs: list[Pair]) -> None:
        facets_before = (len(self.event_names), len(self.pixel_ids), len(self.verdicts))
        self.event_names.update(pair.event_name for pair in pairs)
        self.event_names.update(pair.server.event_name for pair in pairs if pair.server)
        self.verdicts.update(pair.verdict for pair in pairs)
        self.pixel_ids.update(pixel_id_of(pair) for pair in pairs)
        self.pixel_ids.discard("")
        if facets_before != (len(self.event_names), len(self.pixel_ids), len(self.verdicts)):
            self.facets_changed.emit()

    def _recount(self) -> None:
        self._conversions = 0
        self._outcomes = dict.fromkeys(OUTCOMES, 0)
        self._count(self._pairs, +1)

    def _announce(self) -> None:
        self.summary_changed.emit(self.summary())
