"""The About box: what PixelBridge is, versions (for support), where its files are."""

from __future__ import annotations

import importlib.metadata
import logging
import sys

from desktop_app import __version__
from desktop_app.services.paths import AppPaths
from desktop_app.views.qt import QMessageBox, QWidget

logger = logging.getLogger(__name__)


def version_lines() -> list[str]:
    import PySide6
    from PySide6 import QtCore

    lines = [
        f"Python {sys.version.split()[0]}",
        f"Qt {QtCore.qVersion()} · PySide6 {PySide6.__version__}",
    ]
    for name in ("playwright", "keyring"):
        try:
            lines.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    return lines


def about_box(parent: QWidget, paths: AppPaths | None = None) -> QMessageBox:
    """A non-modal About box (call `.open()`); kept by the caller until it closes."""
    paths = paths or AppPaths.default()
    box = QMessageBox(parent)
    box.setObjectName("aboutBox")
    box.setWindowTitle("About PixelBridge")
    box.setText(f"<b>PixelBridge {__version__}</b>")
    box.setInformativeText(
        "Sends your site's conversions to Meta from your own server as well as from the "
        "browser, and checks that each one is counted once.\n\n"
        + "\n".join(version_lines())
        + f"\n\nYour sites: {paths.data / 'workspaces'}\nLogs: {paths.logs}\n\n"
        "Open source, Apache-2.0. Your access token stays in this computer's keyring."
    )
    return box
