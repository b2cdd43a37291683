"""The app's style sheet (resources/styles/app.qss) and colours that stay readable in light and
dark themes.

Applied per window, not to the QApplication, so tests and screenshots get the same look
without changing global state. The theme itself comes from the system: Qt 6.5+ gives the
application a dark palette when the desktop is dark (`QStyleHints.colorScheme()`), and every
colour here is derived from the palette of the widget it is drawn on, so nothing is fixed to a
light background. Meaningful colours (verdicts) have a lighter tone for dark backgrounds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from pathlib import Path

from desktop_app.views.qt import QApplication, QColor, QEvent, QPalette, Qt, QWidget

logger = logging.getLogger(__name__)

STYLES_DIR = Path(__file__).resolve().parents[2] / "resources" / "styles"
STYLE_PATH = STYLES_DIR / "app.qss"

# Meaningful colours (verdicts, check results, token state) for light backgrounds. WCAG 2.x AA
# asks 4.5:1 for normal text (https://www.w3.org/TR/WCAG21/#contrast-minimum): each of these
# reaches it on white, on the light window greys desktops use (#efefef–#ececec) and as the
# background of white text. Google's #1e8e3e / #b06000 / #1a73e8 fell short (4.2, 4.0, 3.9:1
# on #efefef), so the next darker tones of the same hues are used.
GREEN, RED, AMBER, GREY, BLUE = "#137333", "#c5221f", "#975300", "#5f6368", "#1967d2"
BLUE_HOVER = "#185abc"
# Text on a light tint (disabled primary buttons, notices): dark grey, not white (2.1:1).
ON_TINT = "#202124"
# Meaningful colours → the tone used on a dark background. Material's dark-theme tones of the
# same hues keep ≥ 4.5:1 contrast on #1b1b1d–#2d2e31 (tests/views/test_contrast.py).
DARK_TONES: dict[str, str] = {
    GREEN: "#81c995",  # green: counted once
    RED: "#f28b82",  # red: counted twice / lost
    AMBER: "#fdd663",  # amber: one side only
    GREY: "#bdc1c6",  # grey: to check / not a conversion
    BLUE: "#8ab4f8",  # blue: links and the primary action
}
# A desktop switching light ↔ dark hands Qt a new palette: these events re-resolve the sheets.
THEME_EVENTS = frozenset(
    {QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange, QEvent.Type.ThemeChange}
)

# Secondary text (the empty side of a one-sided event): dim, yet ≥ 4.5:1 on white, on the light
# window grey and on dark.
DIM_TEXT = {False: GREY, True: "#9aa0a6"}


def dim_text(dark: bool | None = None) -> str:
    return DIM_TEXT[is_dark() if dark is None else dark]


@cache
def style_sheet() -> str:
    """Uses `palette(…)` for every colour without a meaning, so one sheet fits both themes."""
    try:
        return STYLE_PATH.read_text(encoding="utf-8")
    except OSError:
        logger.warning("style sheet %s missing; using the platform style", STYLE_PATH)
        return ""


def is_dark(palette: QPalette | None = None) -> bool:
    """True when text is lighter than the window behind it (a dark theme)."""
    if palette is None:
        palette = QApplication.palette()
    window = palette.color(QPalette.ColorRole.Window).lightnessF()
    text = palette.color(QPalette.ColorRole.WindowText).lightnessF()
    return text > window


def tone(colour: str, dark: bool | None = None) -> str:
    """The readable tone of a meaningful colour for the current (or given) theme."""
    if dark is None:
        dark = is_dark()
    return DARK_TONES.get(colour.lower(), colour) if dark else colour


def contrast(foreground: QColor, background: QColor) -> float:
    """WCAG 2.x contrast ratio (1..21) of two opaque colours."""

    def luminance(colour: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# A widget's own additions to the app sheet, for a dark (True) or light (False) theme.
ExtraStyle = Callable[[bool], str]


def apply_style(widget: QWidget, extra: ExtraStyle | None = None) -> None:
    """The app sheet plus the widget's own rules for the theme its palette shows now."""
    sheet = style_sheet()
    if extra is not None:
        sheet += extra(is_dark(widget.palette()))
    widget.setStyleSheet(sheet)


def restyle(widget: QWidget, extra: ExtraStyle | None = None) -> None:
    """After a theme change: `palette(…)` in a style sheet is resolved when it is applied, and
    the meaningful colours take the other theme's tone."""
    widget.setStyleSheet("")
    apply_style(widget, extra)


def follow_theme(widget: QWidget, event: QEvent, extra: ExtraStyle | None = None) -> None:
    """Call from a top-level widget's `changeEvent`: restyle it when the theme changed.

    Setting a sheet sends the widget a style (not a palette) change, so this does not recurse.
    """
    if event.type() in THEME_EVENTS:
        restyle(widget, extra)


def dark_palette() -> QPalette:
    """A dark palette like the ones desktops hand to Qt: for tests, screenshots and
    platforms whose theme gives Qt no dark palette (offscreen)."""
    palette = QPalette()
    roles = QPalette.ColorRole
    table = {
        roles.Window: "#202124",
        roles.WindowText: "#e8eaed",
        roles.Base: "#1b1b1d",
        roles.AlternateBase: "#26272a",
        roles.Text: "#e8eaed",
        roles.Button: "#2d2e31",
        roles.ButtonText: "#e8eaed",
        roles.Light: "#4a4b4f",
        roles.Midlight: "#3c3d40",
        roles.Mid: "#5f6368",
        roles.Dark: "#161618",
        roles.Shadow: "#000000",
        roles.Highlight: "#2f5fa8",
        roles.HighlightedText: "#ffffff",
        roles.Link: "#8ab4f8",
        roles.ToolTipBase: "#2d2e31",
        roles.ToolTipText: "#e8eaed",
        roles.PlaceholderText: "#9aa0a6",
        roles.BrightText: "#ffffff",
    }
    for role, colour in table.items():
        palette.setColor(role, QColor(colour))
    return palette


def apply_theme(theme: str) -> None:
    """'system' follows the OS (Qt's default); 'light'/'dark' force a colour scheme.

    Some platforms ignore the request (offscreen, X11 desktops without a colour-scheme portal):
    there the palette is set directly, so Preferences → Appearance still changes every window.
    """
    hints = QApplication.styleHints()
    app = QApplication.instance()
    if theme not in ("light", "dark"):
        hints.unsetColorScheme()
        if isinstance(app, QApplication):
            app.setPalette(QPalette())  # back to the platform's own palette
        return
    scheme = Qt.ColorScheme.Dark if theme == "dark" else Qt.ColorScheme.Light
    hints.setColorScheme(scheme)
    if hints.colorScheme() == scheme or not isinstance(app, QApplication):
        return  # the platform restyles the application itself
    app.setPalette(dark_palette() if theme == "dark" else app.style().standardPalette())
