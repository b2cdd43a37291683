"""Every text colour the app draws reaches WCAG 2.x AA (4.5:1 for normal text) against the
background it is drawn on, in the light and the dark theme.

The pairs come from the app's own style sheets and colour tables (resolved for each theme), and
every colour literal in the views and style sheets must be one these checks cover: a new or
changed colour cannot slip past. https://www.w3.org/TR/WCAG21/#contrast-minimum
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.views import setup_steps, start_screen, test_mode
from desktop_app.views.qt import QApplication, QColor, QPalette
from desktop_app.views.styles import DIM_TEXT, STYLE_PATH, contrast, dark_palette, tone
from desktop_app.views.tagging_panel import MATCH_STYLES, TaggingPanel
from desktop_app.views.token_panel import STATE_LOOK
from desktop_app.views.verdict_style import NOT_A_CONVERSION, UNKNOWN, VERDICTS

AA = 4.5
ROOT = Path(__file__).resolve().parents[2]
VIEWS = ROOT / "desktop_app" / "views"
HEX = re.compile(r"#[0-9a-fA-F]{6}\b")
RULE = re.compile(r"([^{}]*)\{([^{}]*)\}")
DECL = re.compile(r"(?<![-\w])(color|background(?:-color)?)\s*:\s*([^;}]+)")
ROLE_NAMES = {
    "window": QPalette.ColorRole.Window,
    "window-text": QPalette.ColorRole.WindowText,
    "base": QPalette.ColorRole.Base,
    "text": QPalette.ColorRole.Text,
    "mid": QPalette.ColorRole.Mid,
    "button": QPalette.ColorRole.Button,
    "button-text": QPalette.ColorRole.ButtonText,
    "placeholder-text": QPalette.ColorRole.PlaceholderText,
}
# Palette roles drawn as text on a background role (the dark palette is ours: dark_palette()).
PALETTE_PAIRS = [
    ("WindowText", "Window"),
    ("Text", "Base"),
    ("Text", "AlternateBase"),
    ("ButtonText", "Button"),
    ("HighlightedText", "Highlight"),
    ("ToolTipText", "ToolTipBase"),
    ("PlaceholderText", "Base"),
    ("Link", "Base"),
    ("Link", "Window"),
]
# Colours that are never text nor behind text: borders, the dark palette's frame shades, and
# the contrast test's own reference greys.
NOT_TEXT = {"#f9ab00", "#4a4b4f", "#3c3d40", "#161618", "#000000", "#ececec"}

Pair = tuple[str, str, str]  # where, text colour, background colour


def _palette(theme: str) -> QPalette:
    if theme == "dark":
        return dark_palette()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app.style().standardPalette()  # the light palette a platform without theme uses


def _resolve(value: str, palette: QPalette) -> str | None:
    value = value.strip().lower()
    role = re.fullmatch(r"palette\(([\w-]+)\)", value)
    if role:
        return palette.color(ROLE_NAMES[role.group(1)]).name()
    found = HEX.match(value)
    return found.group(0) if found else None  # `transparent`, gradients: no solid colour


def _general(selector: str) -> list[str]:
    """The rules `selector` also gets, most general first: `A#id:state` ← `A:state`, `A#id`, `A`."""
    plain = re.sub(r"#[\w-]+", "", selector)
    stateless = selector.split(":", maxsplit=1)[0]
    return list(dict.fromkeys([plain.split(":")[0], stateless, plain]))


def sheet_pairs(source: str, sheet: str, palette: QPalette) -> Iterator[Pair]:
    """(text, background) of every rule, with what it inherits from more general rules; a side
    still missing is the palette's (text on the window and on item views)."""
    sheet = re.sub(r"/\*.*?\*/", "", sheet, flags=re.S)
    rules: dict[str, dict[str, str]] = {}
    for selector, body in RULE.findall(sheet):
        for one in selector.split(","):
            found = {k.split("-")[0]: v for k, v in DECL.findall(body)}
            rules.setdefault(one.strip(), {}).update(found)
    window = palette.color(QPalette.ColorRole.Window).name()
    base = palette.color(QPalette.ColorRole.Base).name()
    text = palette.color(QPalette.ColorRole.WindowText).name()
    for selector, own in rules.items():
        if "color" not in own and "background" not in own:
            continue
        decls: dict[str, str] = {}
        for general in _general(selector):
            decls.update(rules.get(general, {}))
        decls.update(own)
        # A shared rule (`Button:checked { color }`) whose background comes from the specific
        # rules (`Button#live:checked { background }`) is checked through those.
        if "background" not in decls and any(
            selector in _general(other) and other != selector and "background" in rules[other]
            for other in rules
        ):
            continue
        fg = _resolve(decls.get("color") or text, palette)
        bg_value = decls.get("background")
        backgrounds = [_resolve(bg_value, palette)] if bg_value else [window, base]
        for bg in backgrounds:
            if fg is not None and bg is not None:
                yield (f"{source} {selector}", fg, bg)


def all_pairs(theme: str) -> list[Pair]:
    dark = theme == "dark"
    palette = _palette(theme)
    window = palette.color(QPalette.ColorRole.Window).name()
    base = palette.color(QPalette.ColorRole.Base).name()
    pairs: list[Pair] = []
    sheets = {
        "app.qss": STYLE_PATH.read_text(encoding="utf-8"),
        "wizard": setup_steps.wizard_style(dark),
        "start screen": start_screen.start_style(dark),
        "test/live switch": test_mode.STYLE,
        "tagging banner": TaggingPanel().banner.styleSheet(),
        "unreachable banner": re.search(
            r'setStyleSheet\("([^"]*unreachableBanner[^"]*)"\)',
            (VIEWS / "browser_view.py").read_text(encoding="utf-8"),
        ).group(1),  # type: ignore[union-attr]
    }
    for source, sheet in sheets.items():
        pairs.extend(sheet_pairs(source, sheet, palette))
    # Meaningful colours drawn as text on the window (labels) and on item views (tables).
    meaningful = {
        **{f"verdict {name}": style.colour for name, style in VERDICTS.items()},
        "verdict unknown": UNKNOWN.colour,
        "not a conversion": NOT_A_CONVERSION.colour,
        **{f"token {state.name}": colour for state, (_, colour) in STATE_LOOK.items()},
        **{f"match {key}": colour for key, colour in MATCH_STYLES.items()},
    }
    for where, colour in meaningful.items():
        for bg in (window, base):
            pairs.append((where, tone(colour, dark), bg))
    pairs.extend(("dim text", DIM_TEXT[dark], bg) for bg in (window, base))
    if dark:  # the light palette is the platform's; ours must read well too
        for fg_role, bg_role in PALETTE_PAIRS:
            fg = palette.color(getattr(QPalette.ColorRole, fg_role)).name()
            bg = palette.color(getattr(QPalette.ColorRole, bg_role)).name()
            pairs.append((f"palette {fg_role} on {bg_role}", fg, bg))
    return pairs


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_text_colour_pair_reaches_aa(qtbot: object, theme: str) -> None:
    pairs = all_pairs(theme)
    assert len(pairs) > 60  # the sheets and tables were read, not silently skipped
    too_faint = [
        f"{where}: {fg} on {bg} = {contrast(QColor(fg), QColor(bg)):.2f}:1"
        for where, fg, bg in pairs
        if contrast(QColor(fg), QColor(bg)) < AA
    ]
    assert not too_faint, "\n".join(too_faint)


def test_light_green_is_no_longer_the_4_2_to_1_one() -> None:
    green = VERDICTS["deduplicated"].colour
    assert green != "#1e8e3e"  # Meta's green on white: 4.2:1
    for background in ("#ffffff", "#efefef", "#ececec"):  # white, Fusion, macOS windows
        assert contrast(QColor(green), QColor(background)) >= AA, background
        assert contrast(QColor("#ffffff"), QColor(green)) >= AA  # the summary bar's text


def _literals(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".qss":
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    else:  # comments may name the colours a table replaced
        text = "\n".join(line for line in text.splitlines() if not line.strip().startswith("#"))
    return {c.lower() for c in HEX.findall(text)}


def test_every_colour_literal_is_covered_by_these_checks(qtbot: object) -> None:
    covered = {c for theme in ("light", "dark") for _, fg, bg in all_pairs(theme) for c in (fg, bg)}
    covered |= {
        c
        for table in (dark_palette(),)
        for c in (table.color(r).name() for r in QPalette.ColorRole)
    }
    files = [*sorted(VIEWS.glob("*.py")), *sorted(STYLE_PATH.parent.glob("*.qss"))]
    unchecked = {
        f"{path.name}: {colour}"
        for path in files
        for colour in _literals(path) - covered - NOT_TEXT
        if path.name != "browser_view.py" or colour != "#3c4043"  # welcome page: on white
    }
    assert not unchecked, sorted(unchecked)
