"""The main window: renders, wires selection to detail, shows messages without nested loops."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from desktop_app.capi.dedup import Pair
from desktop_app.views.main_window import MainWindow
from desktop_app.views.messages import MessageBridge
from desktop_app.views.pair_model import PairTableModel
from desktop_app.views.qt import QApplication, QImage, QMessageBox
from desktop_app.views.screenshot import render_demo_screenshot


@pytest.mark.asyncio
async def test_render_select_copy_and_messages(sample_pairs: list[Pair]) -> None:
    model = PairTableModel()
    messages = MessageBridge()
    window = MainWindow(model, messages)
    try:
        await window.render()
        window.show()
        model.append_pairs(sample_pairs)
        window.log.select_row(4)
        assert "Purchase" in window.detail.headline.text()

        window.copy_action.trigger()
        copied = json.loads(QApplication.clipboard().text())
        assert copied["event_id"] == "ev-3-purchase" and copied["verdict"] == "deduplicated"

        requested: list[bool] = []
        window.run_demo_requested.connect(lambda: requested.append(True))
        window.run_demo_action.trigger()
        assert requested == [True]

        # An error opens a non-modal box (no nested event loop) and redacts secrets.
        messages.error(
            "Meta said: access_token=EAABsecretsecretsecretsecret1 invalid", "Replace it"
        )
        boxes = [w for w in window.findChildren(QMessageBox) if w.isVisible()]
        assert len(boxes) == 1
        assert "secretsecret" not in boxes[0].text()
        assert boxes[0].informativeText() == "Replace it"
        assert "[redacted]" in window.status_text.text()
        boxes[0].close()

        window.set_mode("test")
        assert window.windowTitle().endswith("TEST MODE")
    finally:
        window.close()
        window.deleteLater()


def test_close_emits_closed(qtbot: Any) -> None:
    window = MainWindow(PairTableModel(), MessageBridge())
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.closed, timeout=2000):
        window.close()


def test_screenshot_png(tmp_path: Path, qapp: Any, sample_pairs: list[Pair]) -> None:
    target = render_demo_screenshot(sample_pairs, tmp_path / "shots" / "window.png")
    image = QImage(str(target))
    assert (image.width(), image.height()) == (1440, 860)
    # The summary bar is red (a double count is in the sample) somewhere near the top.
    reds = [
        image.pixelColor(x, y)
        for x in range(0, 1440, 40)
        for y in range(40, 120, 4)
        if image.pixelColor(x, y).name() == "#c5221f"
    ]
    assert len(reds) > 20


@pytest.mark.asyncio
async def test_screenshot_inside_a_running_loop(tmp_path: Path, sample_pairs: list[Pair]) -> None:
    """No nested Qt loop: other tasks keep running normally around the screenshot."""
    ticks: list[int] = []

    async def other_task() -> None:
        for i in range(5):
            ticks.append(i)
            await asyncio.sleep(0)

    task = asyncio.ensure_future(other_task())
    target = render_demo_screenshot(sample_pairs, tmp_path / "inside.png")
    await task
    assert ticks == [0, 1, 2, 3, 4]
    assert QImage(str(target)).width() == 1440
