"""Switching light ↔ dark (the desktop's setting, or Preferences → Appearance) restyles the start
screen and the setup wizard while they are open, not only the main window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop_app.services.setup_checks import SetupService
from desktop_app.views.qt import QApplication, QColor, QComboBox, QLabel, QPalette, QWidget
from desktop_app.views.setup_wizard import SetupWizard
from desktop_app.views.start_screen import StartScreen
from desktop_app.views.styles import GREEN, apply_theme, contrast, dark_palette, is_dark, tone

READABLE = 4.5


@pytest.fixture
def app() -> Iterator[QApplication]:
    application = QApplication.instance()
    assert isinstance(application, QApplication)
    before = QPalette(application.palette())
    try:
        yield application
    finally:
        application.styleHints().unsetColorScheme()
        application.setPalette(before)


def _screens(qtbot: Any, home: Path) -> tuple[StartScreen, SetupWizard]:
    start = StartScreen()
    wizard = SetupWizard(SetupService("http://127.0.0.1:9", home))
    for widget in (start, wizard):
        qtbot.addWidget(widget)
        widget.show()
        qtbot.waitExposed(widget)
    wizard._say("✔ Your site opened.", "good")
    return start, wizard


def _hint(start: StartScreen) -> QLabel:
    return next(lb for lb in start.findChildren(QLabel) if lb.objectName() == "choiceHint")


def _text(widget: QWidget) -> QColor:
    return widget.palette().color(widget.foregroundRole())


def _background(widget: QWidget) -> QColor:
    image = widget.grab().toImage()
    return image.pixelColor(1, 1)


def _readable(widget: QWidget) -> bool:
    return contrast(_text(widget), _background(widget)) >= READABLE


@pytest.mark.parametrize("how", ["system", "preferences"])
def test_start_screen_and_wizard_follow_a_theme_change(
    qtbot: Any, app: QApplication, isolated_home: Path, how: str
) -> None:
    start, wizard = _screens(qtbot, isolated_home)
    hint, result = _hint(start), wizard.result
    assert not is_dark(start.palette())
    assert _text(result).name() == GREEN and _readable(hint) and _readable(result)
    light_hint = _background(hint).name()

    if how == "system":
        app.setPalette(dark_palette())  # what Qt does when the desktop turns dark
    else:
        apply_theme("dark")  # Preferences → Appearance → Dark

    qtbot.waitUntil(lambda: _text(result).name() == tone(GREEN, dark=True))
    assert is_dark(start.palette()) and is_dark(wizard.palette())
    # The start screen's styled parts (hints, site list) are dark too, and readable.
    assert _background(hint).name() != light_hint
    assert is_dark_colour(_background(hint)) and _readable(hint)
    assert is_dark_colour(_background(start.sites))
    assert _readable(result)
    assert tone(GREEN, dark=True) in wizard.styleSheet()

    # And back: light again, Meta's green on the light window.
    if how == "system":
        app.setPalette(app.style().standardPalette())
    else:
        apply_theme("light")
    qtbot.waitUntil(lambda: _text(result).name() == GREEN)
    assert not is_dark_colour(_background(hint)) and _readable(hint)


def is_dark_colour(colour: QColor) -> bool:
    return colour.lightnessF() < 0.5


def test_preferences_appearance_restyles_the_start_screen_and_is_kept(
    qtbot: Any, app: QApplication, isolated_home: Path
) -> None:
    """Through the real Preferences dialog: Appearance → Dark restyles the open start screen,
    and the next start (a new presenter reading the saved setting) is dark again."""
    from desktop_app.views.main_window import MainWindow
    from desktop_app.views.messages import MessageBridge
    from desktop_app.views.pair_model import PairTableModel
    from desktop_app.views.tasks import TaskOwner
    from desktop_app.views.workspace_presenter import WorkspacePresenter

    def presenter() -> WorkspacePresenter:
        messages = MessageBridge()
        window = MainWindow(PairTableModel(), messages)
        qtbot.addWidget(window)
        sites = WorkspacePresenter(window, messages, TaskOwner())
        qtbot.addWidget(sites.start_screen)
        window.show()
        return sites

    sites = presenter()
    sites.show_start()
    hint = _hint(sites.start_screen)
    assert not is_dark_colour(_background(hint))
    dialog = sites.show_preferences()
    combo = dialog.editors["theme"]
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData("dark"))
    dialog.accept()
    qtbot.waitUntil(lambda: is_dark_colour(_background(hint)))
    assert _readable(hint)
    assert sites.settings.get("theme") == "dark"

    app.setPalette(app.style().standardPalette())  # a fresh start is light until told
    assert not is_dark(app.palette())
    presenter()  # the next start reads the kept setting
    assert is_dark(app.palette())
