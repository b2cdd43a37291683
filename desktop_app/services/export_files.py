"""Write an export bundle (tagger/export.py) into a folder, one file per entry."""

from __future__ import annotations

import logging
from pathlib import Path

from desktop_app.tagger.export import ExportBundle

logger = logging.getLogger(__name__)


def write_bundle(bundle: ExportBundle, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in bundle.files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    logger.info("exported %d files to %s", len(written), folder)
    return written
