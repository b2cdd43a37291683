"""Cold start paints the main window before the slow parts load, and every text of the main
window stays readable when the system theme is dark (and light)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop_app.app import DesktopOptions, DesktopShell
from desktop_app.capi.dedup import Pair
from desktop_app.views.main_window import MainWindow
from desktop_app.views.messages import MessageBridge
from desktop_app.views.pair_model import PairTableModel
from desktop_app.views.qt import QApplication, QColor, QLabel, QPalette, Qt, QWidget
from desktop_app.views.qt_forms import QMenu
from desktop_app.views.styles import contrast, dark_palette, is_dark, tone
from desktop_app.views.verdict_style import VERDICTS

ROOT = Path(__file__).resolve().parents[2]
READABLE = 4.5  # WCAG 2.x AA for normal text
# Loaded only after the first paint: the event loop, QtWebEngine, the servers, Playwright, the
# command modules and the sites screens.
NOT_BEFORE_PAINT = (
    "asyncio",
    "qasync",
    "phonenumbers",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebEngineCore",
    "playwright",
    "httpx",
    "uvicorn",
    "starlette",
    "desktop_app.views.workspace_presenter",
    "desktop_app.views.site_tools_presenter",
    "desktop_app.views.tagging_panel",
    "desktop_app.commands",
)


def _app() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app


@pytest.fixture
def dark_app() -> Iterator[QApplication]:
    """The application as Qt sets it up on a dark desktop: a dark application palette."""
    app = _app()
    before = QPalette(app.palette())
    app.setPalette(dark_palette())
    try:
        yield app
    finally:
        app.setPalette(before)


def _window(qtbot: Any, pairs: list[Pair]) -> MainWindow:
    model = PairTableModel()
    window = MainWindow(model, MessageBridge(), browser_later=True)
    qtbot.addWidget(window)
    model.set_pairs(pairs)
    window.show()
    qtbot.waitExposed(window)
    window.log.table.selectRow(1)
    return window


def _text_contrast(widget: QWidget) -> float:
    """Contrast of the rendered text against the widget's own background, as a person sees
    it: the most common pixel is the background, the pixel farthest from it is text."""
    image = widget.grab().toImage()
    counts: Counter[int] = Counter(
        image.pixel(x, y) for x in range(0, image.width(), 2) for y in range(image.height())
    )
    background = QColor.fromRgb(counts.most_common(1)[0][0])
    return max(contrast(QColor.fromRgb(rgb), background) for rgb in counts)


def _captions(window: MainWindow) -> list[QLabel]:
    labels = window.findChildren(QLabel)
    found = [label for label in labels if label.objectName() in ("sideCaption", "rowCount")]
    assert len(found) == 3
    return found


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_text_of_the_log_is_readable(
    qtbot: Any, request: pytest.FixtureRequest, sample_pairs: list[Pair], theme: str
) -> None:
    if theme == "dark":
        request.getfixturevalue("dark_app")
    window = _window(qtbot, sample_pairs)
    assert is_dark(window.palette()) == (theme == "dark")
    for label in [window.log.summary, window.detail.headline, *_captions(window)]:
        assert _text_contrast(label) >= READABLE, (theme, label.objectName(), label.text())
    # Verdict words in the table, on the table's background (Base).
    base = window.log.table.palette().color(QPalette.ColorRole.Base)
    model = window.model
    seen = set()
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            brush = model.data(model.index(row, column), Qt.ItemDataRole.ForegroundRole)
            if brush is not None:
                seen.add(brush.color().name())
                # Light: Meta-green on white is 4.2:1, so large-text AA (3:1) for the light tones.
                floor = READABLE if theme == "dark" else 3.0
                assert contrast(brush.color(), base) >= floor, (theme, brush.color().name())
    assert len(seen) >= 3  # once, twice, one side: several verdict colours were checked


def test_dark_tones_are_readable_on_dark_backgrounds() -> None:
    palette = dark_palette()
    for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Window):
        background = palette.color(role)
        for style in VERDICTS.values():
            assert contrast(QColor(tone(style.colour, dark=True)), background) >= READABLE
    assert tone("#1e8e3e", dark=False) == "#1e8e3e"  # light themes keep Meta's colours


def test_switching_the_system_to_dark_restyles_an_open_window(
    qtbot: Any, sample_pairs: list[Pair]
) -> None:
    app = _app()
    window = _window(qtbot, sample_pairs)
    green = VERDICTS["deduplicated"].colour
    assert green in window.detail.headline.text()
    before = QPalette(app.palette())
    try:
        app.setPalette(dark_palette())  # what Qt does when the desktop turns dark
        qtbot.waitUntil(lambda: tone(green, dark=True) in window.detail.headline.text())
        for label in _captions(window):
            assert _text_contrast(label) >= READABLE, label.text()
    finally:
        app.setPalette(before)


def test_first_paint_comes_before_the_slow_modules(tmp_path: Path) -> None:
    """What is loaded when the first frame is on screen (`pixelbridge` as a user starts it):
    nothing that the frame does not need, not even asyncio; the app then starts normally."""
    probe = (
        "import sys\n"
        "import desktop_app.views.first_frame as first_frame\n"
        "paint = first_frame.paint_first_frame\n"
        "def snapshot(*args, **kwargs):\n"
        "    frame = paint(*args, **kwargs)\n"
        "    print('painted:' + str(frame.window.painted), flush=True)\n"
        "    print('loaded:' + ','.join(sorted(sys.modules)), flush=True)\n"
        "    return frame\n"
        "first_frame.paint_first_frame = snapshot\n"
        "from desktop_app.cli import main\n"
        "sys.exit(main(['--exit-after-paint', '--no-browser']))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PIXELBRIDGE_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stderr[-2000:]
    assert lines[:2] == ["first-paint", "painted:True"], (lines[:2], done.stderr[-2000:])
    assert lines[-1] == "ready"  # then the asyncio loop ran the shell, which quit
    loaded = set(next(line for line in lines if line.startswith("loaded:"))[7:].split(","))
    assert "desktop_app.views.main_window" in loaded  # the probe did see the app's window
    early = [n for n in loaded if any(n == m or n.startswith(m + ".") for m in NOT_BEFORE_PAINT)]
    assert not early, early


async def _until(condition: Callable[[], object], timeout_s: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.02)


@pytest.mark.asyncio
async def test_sites_screens_are_built_after_the_first_paint() -> None:
    shell = DesktopShell(_app(), DesktopOptions(browser=False), endpoint=None)
    painted_without_sites: list[bool] = []
    build = shell.build

    def build_then_watch() -> None:
        build()
        assert shell.window is not None
        shell.window.first_painted.connect(
            lambda: painted_without_sites.append(not hasattr(shell, "workspaces"))
        )

    shell.build = build_then_watch  # type: ignore[method-assign]
    main = asyncio.ensure_future(shell.main())
    try:
        await _until(lambda: painted_without_sites)
        assert shell.window is not None
        assert painted_without_sites == [True]
        # Right after the frame: the sites menu, token dock and start screen arrive.
        await _until(lambda: hasattr(shell, "workspaces"))
        await _until(shell.workspaces.start_screen.isVisible)
        file_menu = shell.window.menuBar().actions()[0].menu()
        assert isinstance(file_menu, QMenu)
        assert "Set up a new site…" in [a.text() for a in file_menu.actions()]
        shell.request_quit()
        assert await asyncio.wait_for(main, 30) == 0
    finally:
        if not main.done():
            shell.request_quit()
            await asyncio.wait_for(main, 30)
