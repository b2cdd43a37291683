"""The side-by-side model: columns per side, verdict looks, the summary sentence, live diffs."""

from __future__ import annotations

import dataclasses

from views.view_samples import PIXEL_ID

from desktop_app.capi.dedup import Pair
from desktop_app.views.pair_model import (
    PAIR_ROLE,
    VERDICT_COLUMN,
    PairTableModel,
    chronological,
    meta_answer,
)
from desktop_app.views.qt import QColor, QIcon, Qt
from desktop_app.views.verdict_style import VERDICTS, summary_text

DISPLAY = Qt.ItemDataRole.DisplayRole


def _texts(model: PairTableModel, row: int) -> list[str]:
    return [model.data(model.index(row, c), DISPLAY) for c in range(model.columnCount())]


def test_pixel_side_left_server_side_right(qapp: object, sample_pairs: list[Pair]) -> None:
    model = PairTableModel()
    model.append_pairs(sample_pairs)
    purchase = next(r for r, p in enumerate(sample_pairs) if p.event_id == "ev-3-purchase")
    texts = _texts(model, purchase)
    assert texts[1:3] == ["Purchase", "ev-3-purchase"]
    assert texts[VERDICT_COLUMN] == "Counted once"
    assert texts[4:6] == ["Purchase", "ev-3-purchase"]
    assert texts[6] == "delivered: received 1"
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert headers[0].startswith("Browser") and headers[-2].startswith("Server")
    # A pair with only a Pixel copy leaves the server side empty.
    lead = next(r for r, p in enumerate(sample_pairs) if p.event_name == "Lead")
    assert _texts(model, lead)[4:] == ["", "", ""]
    assert model.data(model.index(lead, 0), PAIR_ROLE) is sample_pairs[lead]


def test_each_verdict_has_colour_and_icon(qapp: object, sample_pairs: list[Pair]) -> None:
    model = PairTableModel()
    pairs = [dataclasses.replace(sample_pairs[1], verdict=v) for v in VERDICTS]
    model.append_pairs(pairs)
    colours = set()
    for row, verdict in enumerate(VERDICTS):
        index = model.index(row, VERDICT_COLUMN)
        icon = model.data(index, Qt.ItemDataRole.DecorationRole)
        assert isinstance(icon, QIcon) and not icon.pixmap(16, 16).isNull(), verdict
        brush = model.data(index, Qt.ItemDataRole.ForegroundRole)
        assert brush.color() == QColor(VERDICTS[verdict].colour)
        colours.add(brush.color().name())
    assert len(colours) >= 3  # good, one-sided and double counting look different


def test_summary_sentence(qapp: object, sample_pairs: list[Pair]) -> None:
    assert summary_text(12, {"once": 11, "twice": 1}) == (
        "12 conversions: 11 counted once, 1 counted twice"
    )
    model = PairTableModel()
    sentences: list[str] = []
    model.summary_changed.connect(sentences.append)
    model.append_pairs(sample_pairs)
    # PageView is not a conversion; 4 counted once, a name mismatch, a Pixel-only Lead.
    assert sentences[-1] == (
        "6 conversions: 4 counted once, 1 counted twice, 1 seen in the browser only"
    )
    model.clear()
    assert model.summary().startswith("No conversions yet")


def test_meta_answer_reads_the_relay_shape(sample_pairs: list[Pair]) -> None:
    pair = sample_pairs[1]
    assert pair.server is not None
    relay_shape = {"http_status": 400, "body": {"error": {"code": 190, "fbtrace_id": "X"}}}
    failed = dataclasses.replace(
        pair, server=dataclasses.replace(pair.server, status="rejected", response=relay_shape)
    )
    assert meta_answer(failed) == "rejected: error 190"


def test_set_pairs_updates_only_changed_rows(qapp: object, sample_pairs: list[Pair]) -> None:
    model = PairTableModel()
    first = sample_pairs[:3]
    model.set_pairs(first)
    changed: list[tuple[int, int]] = []
    inserted: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda tl, br, *_: changed.append((tl.row(), br.row())))
    model.rowsInserted.connect(lambda _p, a, b: inserted.append((a, b)))
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    # The server copy of row 2 arrives: its verdict changes, and a new pair is appended.
    upgraded = dataclasses.replace(first[2], verdict="event_name_mismatch")
    model.set_pairs([first[0], first[1], upgraded, sample_pairs[3]])
    assert changed == [(2, 2)]
    assert inserted == [(3, 3)]
    assert not resets
    assert model.pair_at(2).verdict == "event_name_mismatch"
    # Shrinking removes the tail rows only.
    model.set_pairs([first[0]])
    assert model.rowCount() == 1


def test_chronological_order(sample_pairs: list[Pair]) -> None:
    shuffled = list(reversed(sample_pairs))
    ordered = chronological(shuffled)
    times = [p.pixel.observed_at if p.pixel else 0 for p in ordered]
    assert times == sorted(times)
    assert {p.pixel.pixel_id for p in ordered if p.pixel} == {PIXEL_ID}


def test_scattered_changes_are_reported_as_separate_ranges(
    qapp: object, sample_pairs: list[Pair]
) -> None:
    """The filter proxy re-checks every row of a `dataChanged` range: keep them tight."""
    model = PairTableModel()
    model.append_pairs(sample_pairs)
    ranges: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda tl, br, *_: ranges.append((tl.row(), br.row())))
    updated = list(model.pairs())
    last = len(updated) - 1
    for row in (0, 1, last):
        updated[row] = dataclasses.replace(updated[row], verdict="double_fire")
    model.set_pairs(updated)
    assert ranges == [(0, 1), (last, last)]


def test_update_in_steps_ends_like_one_update(qapp: object, sample_pairs: list[Pair]) -> None:
    """Live pairing applies big updates in steps (pair_rows.update_steps): same end state."""
    from desktop_app.views.pair_rows import update_steps

    start = sample_pairs[:4]
    new = [dataclasses.replace(p, verdict="double_fire") for p in sample_pairs[:3]]
    new += sample_pairs[3:]
    at_once, stepped = PairTableModel(), PairTableModel()
    for model in (at_once, stepped):
        model.append_pairs(start)
    at_once.set_pairs(new)
    changed = [0, 1, 2]
    for length, rows in update_steps(len(start), len(new), changed, 2):
        stepped.set_pairs(new[:length], list(rows))
    assert list(stepped.pairs()) == list(at_once.pairs()) == new
    assert stepped.summary() == at_once.summary()
    assert stepped.outcome_counts() == at_once.outcome_counts()
    assert stepped.conversions == at_once.conversions
    assert stepped.event_names == at_once.event_names
    assert stepped.verdicts == at_once.verdicts
