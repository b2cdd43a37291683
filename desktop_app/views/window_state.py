"""Remember the window's size, position and pane sizes between runs (a small JSON file).

The caller passes the path (from `AppPaths`), so tests redirect it like every other file.
Only layout is stored: nothing about sites, events or customers.
"""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path

from desktop_app.views.qt import QByteArray, QMainWindow, QSplitter

logger = logging.getLogger(__name__)


def save_window_state(window: QMainWindow, path: Path) -> None:
    state = {"geometry": _encode(window.saveGeometry())}
    splitters = window.findChildren(QSplitter)
    state["splitters"] = [_encode(s.saveState()) for s in splitters]  # type: ignore[assignment]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(state), encoding="utf-8")
    except OSError as exc:  # losing the layout is not worth bothering the user
        logger.warning("could not save the window layout: %s", exc)


def restore_window_state(window: QMainWindow, path: Path) -> bool:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        window.restoreGeometry(_decode(state["geometry"]))
        for splitter, saved in zip(
            window.findChildren(QSplitter), state.get("splitters", []), strict=False
        ):
            splitter.restoreState(_decode(saved))
    except FileNotFoundError:
        return False
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("ignoring an unreadable window layout (%s)", exc)
        return False
    return True


def _encode(data: QByteArray) -> str:
    return base64.b64encode(bytes(data.data())).decode("ascii")


def _decode(text: str) -> QByteArray:
    return QByteArray(base64.b64decode(text.encode("ascii"), validate=True))
