"""Pair detail: both payloads, Meta's answer, the hashing inspector, the EMQ estimate."""

from __future__ import annotations

import dataclasses
from typing import Any

from desktop_app.capi.dedup import Pair
from desktop_app.capi.user_data import hash_user_data
from desktop_app.views.pair_detail import PairDetail, pixel_parameters


def _tree_rows(tree: Any) -> list[list[str]]:
    return [
        [tree.topLevelItem(i).text(c) for c in range(tree.columnCount())]
        for i in range(tree.topLevelItemCount())
    ]


def test_pixel_query_decoded(sample_pairs: list[Pair]) -> None:
    purchase = sample_pairs[4]
    params = dict(pixel_parameters(purchase))
    assert params["ev"] == "Purchase"
    assert params["eid"] == "ev-3-purchase"
    assert params["dl"] == "http://127.0.0.1:8123/"  # percent-decoding happens here


def test_shows_both_payloads_answer_and_trace(qtbot: Any, sample_pairs: list[Pair]) -> None:
    detail = PairDetail()
    qtbot.addWidget(detail)
    purchase = sample_pairs[4]
    assert purchase.server is not None
    token = "EAAB" + "x" * 40
    leaky = dataclasses.replace(
        purchase,
        server=dataclasses.replace(
            purchase.server, payload={**purchase.server.payload, "access_token": token}
        ),
    )
    detail.show_pair(leaky)
    assert "Counted once" in detail.headline.text()
    rows = dict((r[0], r[1]) for r in _tree_rows(detail.pixel_params))
    assert rows["Event (ev)"] == "Purchase" and rows["Pixel ID (id)"] == "1234567890123456"
    server_text = detail.server_payload.toPlainText()
    assert '"event_id": "ev-3-purchase"' in server_text
    assert token not in server_text and "[redacted]" in server_text
    assert "fbtrace_id: Atraceev-3-purchase" in detail.trace_label.text()
    assert '"events_received": 1' in detail.response.toPlainText()


def test_pixel_only_pair_says_no_server_copy(qtbot: Any, sample_pairs: list[Pair]) -> None:
    detail = PairDetail()
    qtbot.addWidget(detail)
    lead = sample_pairs[-1]
    detail.show_pair(lead)
    assert "No server copy" in detail.server_payload.toPlainText()
    assert detail.emq.score.text().startswith("No server event")
    detail.show_pair(None)
    assert detail.pixel_params.topLevelItemCount() == 0


def test_hashing_inspector_from_memory_only(qtbot: Any, sample_pairs: list[Pair]) -> None:
    hashed = hash_user_data({"em": "  Ada.Lovelace@Example.com ", "ph": "+44 20 7946 0958"})
    asked: list[str] = []

    def raw_user_data(event_id: str) -> Any:
        asked.append(event_id)
        return hashed.traces

    detail = PairDetail(raw_user_data)
    qtbot.addWidget(detail)
    detail.show_pair(sample_pairs[4])
    assert asked == ["ev-3-purchase"]
    rows = _tree_rows(detail.hashing)
    email = next(r for r in rows if r[0] == "Email (em)")
    assert email[1] == "  Ada.Lovelace@Example.com "
    assert email[2] == "ada.lovelace@example.com"
    assert len(email[3]) == 64
    assert "never saved" in detail.hashing_note.text()
    # Another pair without traces: only hashes, and the typed values are gone from the screen.
    detail2 = PairDetail(lambda _eid: None)
    qtbot.addWidget(detail2)
    detail2.show_pair(sample_pairs[4])
    assert all(r[1] == "" for r in _tree_rows(detail2.hashing))


def test_emq_estimate_and_advice(qtbot: Any, sample_pairs: list[Pair]) -> None:
    detail = PairDetail()
    qtbot.addWidget(detail)
    detail.show_pair(sample_pairs[4])  # email + user agent only: advice expected
    assert "estimate, not Meta's score" in detail.emq.score.text()
    estimate = detail.emq.estimate
    assert estimate is not None and estimate.advice
    assert "To raise it" in detail.emq.details.text()
    assert 0 < detail.emq.bar.value() <= 100
