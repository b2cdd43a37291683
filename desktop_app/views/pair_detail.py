"""Everything about the selected pair: both payloads, Meta's answer, the hashing, match quality.

Raw customer data reaches this widget only from the relay's in-memory traces
(`RelayService.raw_user_data(event_id)`), is shown, and is dropped when another pair is picked.
The server JSON passes through `redact()` so a token can never be shown or copied from here.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from desktop_app.capi.dedup import Pair
from desktop_app.services.logs import redact
from desktop_app.views.emq_panel import EmqPanel
from desktop_app.views.field_names import field_label
from desktop_app.views.pair_model import meta_body
from desktop_app.views.qt import (
    QFontDatabase,
    QLabel,
    QPlainTextEdit,
    Qt,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from desktop_app.views.styles import is_dark, tone
from desktop_app.views.verdict_style import style_for_pair

logger = logging.getLogger(__name__)

RawUserData = Callable[[str], Sequence[Any] | None]  # event_id → FieldTrace-like objects


# What the Pixel's query parameters mean (Meta's /tr request), for readers who are not developers.
PIXEL_PARAMETER_NAMES = {
    "id": "Pixel ID",
    "ev": "Event",
    "eid": "Event ID",
    "dl": "Page",
    "rl": "Previous page",
    "ts": "Sent at (ms)",
    "fbp": "Browser ID (_fbp)",
    "fbc": "Click ID (_fbc)",
    "sw": "Screen width",
    "sh": "Screen height",
    "v": "Pixel version",
    "r": "Release",
    "if": "Inside an iframe",
    "ec": "Events on this page",
    "o": "Options",
    "it": "Page load time (ms)",
    "coo": "Cookies allowed",
}


def parameter_label(key: str) -> str:
    """'Event (ev)', 'cd[value]' → 'Custom data: value (cd[value])'."""
    name = PIXEL_PARAMETER_NAMES.get(key)
    if name is None and key.startswith("cd[") and key.endswith("]"):
        name = f"Custom data: {key[3:-1]}"
    if name is None and key.startswith(("ud[", "udff[")):
        name = "Customer data (hashed)"
    return f"{name} ({key})" if name else key


def warning_lines(pair: Pair) -> list[str]:
    """Each warning in plain words with its evidence, from the dedup rules table."""
    from desktop_app.capi.dedup_rules import WARNINGS

    details = getattr(pair, "details", {}) or {}
    lines = []
    for code in pair.warnings:
        rule = WARNINGS.get(code)
        text = rule.title if rule else code
        evidence = details.get(code)
        lines.append(f"⚠ {text}" + (f" ({evidence})" if evidence and evidence not in text else ""))
    return lines


def pixel_parameters(pair: Pair) -> list[tuple[str, str]]:
    """The Pixel request decoded: the capture's `params` when present, else the request URL."""
    pixel = pair.pixel
    if pixel is None:
        return []
    params = getattr(pixel, "params", None)
    if params:
        return [(str(k), str(v)) for k, v in params.items()]
    query = urlsplit(pixel.request_url).query
    return parse_qsl(query, keep_blank_values=True)


def server_json(pair: Pair) -> str:
    if pair.server is None:
        return ""
    return redact(json.dumps(pair.server.payload, indent=2, ensure_ascii=False, sort_keys=False))


def response_json(pair: Pair) -> str:
    if pair.server is None or pair.server.response is None:
        return ""
    return redact(json.dumps(pair.server.response, indent=2, ensure_ascii=False))


def fbtrace_id(pair: Pair) -> str | None:
    response = meta_body(pair.server.response if pair.server else None)
    error = response.get("error")
    trace = response.get("fbtrace_id") or (
        error.get("fbtrace_id") if isinstance(error, dict) else None
    )
    return str(trace) if trace else None


class PairDetail(QWidget):
    def __init__(self, raw_user_data: RawUserData | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._raw_user_data = raw_user_data
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

        self.headline = QLabel("Pick a row to see both copies of the event.")
        self.headline.setObjectName("detailHeadline")
        self.headline.setWordWrap(True)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setObjectName("detailExplanation")

        self.pixel_params = QTreeWidget()
        self.pixel_params.setHeaderLabels(["Pixel parameter", "Value"])
        self.pixel_params.setRootIsDecorated(False)
        self.pixel_params.setColumnWidth(0, 210)

        self.server_payload = QPlainTextEdit()
        self.server_payload.setReadOnly(True)
        self.server_payload.setFont(mono)

        self.trace_label = QLabel()
        self.trace_label.setObjectName("fbtraceId")
        self.trace_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.response = QPlainTextEdit()
        self.response.setReadOnly(True)
        self.response.setFont(mono)
        answer = QWidget()
        answer_layout = QVBoxLayout(answer)
        answer_layout.addWidget(self.trace_label)
        answer_layout.addWidget(self.response, 1)

        self.hashing = QTreeWidget()
        self.hashing.setHeaderLabels(
            ["Field", "Typed by the customer", "Normalized like Meta", "SHA-256 sent to Meta"]
        )
        self.hashing.setRootIsDecorated(False)
        for column, width in enumerate((150, 230, 200)):
            self.hashing.setColumnWidth(column, width)
        self.hashing_note = QLabel()
        self.hashing_note.setWordWrap(True)
        hashing = QWidget()
        hashing_layout = QVBoxLayout(hashing)
        hashing_layout.addWidget(self.hashing_note)
        hashing_layout.addWidget(self.hashing, 1)

        self.emq = EmqPanel()

        self.tabs = QTabWidget()
        self.tabs.addTab(self.pixel_params, "Browser (Pixel)")
        self.tabs.addTab(self.server_payload, "Server (CAPI)")
        self.tabs.addTab(answer, "Meta's answer")
        self.tabs.addTab(hashing, "Customer data")
        self.tabs.addTab(self.emq, "Match quality")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.headline)
        layout.addWidget(self.explanation)
        layout.addWidget(self.tabs, 1)
        self.show_pair(None)

    async def render(self) -> None:  # type: ignore[override]  # house rule 6 (shadows QWidget.render)
        return None

    def show_pair(self, pair: Pair | None) -> None:
        self._show_headline(pair)
        self._show_pixel(pair)
        self.server_payload.setPlainText(server_json(pair) if pair else "")
        if pair is not None and pair.server is None:
            self.server_payload.setPlainText("No server copy of this event was sent.")
        self._show_answer(pair)
        self._show_hashing(pair)
        self.emq.show_user_data(
            pair.server.payload.get("user_data") if pair and pair.server else None
        )

    # --- sections -----------------------------------------------------------------------
    def _show_headline(self, pair: Pair | None) -> None:
        if pair is None:
            self.headline.setText("Pick a row to see both copies of the event.")
            self.explanation.setText("")
            return
        style = style_for_pair(pair)
        colour = tone(style.colour, is_dark(self.palette()))  # lighter on a dark theme
        self.headline.setText(
            f'<span style="color:{colour}; font-weight:600">{html.escape(style.label)}'
            f"</span> · {html.escape(pair.event_name)} · event ID "
            f"{html.escape(pair.event_id or '(none)')}"
        )
        explanation = pair.describe() if hasattr(pair, "describe") else pair.explanation
        lines = [explanation] if explanation else []
        fix = getattr(pair, "fix", "")
        if fix and pair.is_conversion and pair.verdict != "deduplicated":
            lines.append(f"What to do: {fix}")
        lines += warning_lines(pair)
        self.explanation.setText("\n".join(lines))

    def _show_pixel(self, pair: Pair | None) -> None:
        self.pixel_params.clear()
        if pair is None:
            return
        if pair.pixel is None:
            QTreeWidgetItem(self.pixel_params, ["—", "The browser sent no Pixel event for this."])
            return
        pixel = pair.pixel
        QTreeWidgetItem(self.pixel_params, ["Sent as", pixel.transport])
        for key, value in pixel_parameters(pair):
            QTreeWidgetItem(self.pixel_params, [parameter_label(key), value])

    def _show_answer(self, pair: Pair | None) -> None:
        if pair is None or pair.server is None:
            self.trace_label.setText("")
            self.response.setPlainText("")
            return
        trace = fbtrace_id(pair)
        status = pair.server.status
        self.trace_label.setText(
            f"Status: {status}" + (f" · fbtrace_id: {trace}" if trace else " · no answer yet")
        )
        self.response.setPlainText(response_json(pair) or "Meta has not answered yet.")

    def _show_hashing(self, pair: Pair | None) -> None:
        self.hashing.clear()
        if pair is None or pair.server is None:
            self.hashing_note.setText("")
            return
        traces = (
            self._raw_user_data(pair.event_id) if (self._raw_user_data and pair.event_id) else None
        )
        if traces:
            self.hashing_note.setText(
                "What the customer typed, how PixelBridge normalized it the way Meta expects, "
                "and the hash that was sent. The typed values live only in memory while this "
                "window is open; they are never saved."
            )
            for trace in traces:
                QTreeWidgetItem(
                    self.hashing,
                    [
                        field_label(str(getattr(trace, "key", ""))),
                        str(getattr(trace, "raw", "")),
                        str(
                            getattr(trace, "normalized", None) or getattr(trace, "error", "") or ""
                        ),
                        str(getattr(trace, "sha256", None) or "not sent"),
                    ],
                )
            return
        self.hashing_note.setText(
            "Only the hashes are known for this event (the typed values are kept in memory only, "
            "by the session that received them)."
        )
        user_data = pair.server.payload.get("user_data") or {}
        for key, value in user_data.items():
            values = value if isinstance(value, list) else [value]
            for item in values:
                QTreeWidgetItem(self.hashing, [field_label(str(key)), "", "", str(item)])
