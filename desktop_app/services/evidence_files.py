"""Read a browser HAR export and a server-side CAPI log from disk, ready for pairing.

The parsing itself is pure (`capi/har.py`, `capi/server_log.py`); this is the file I/O around
it, shared by `pixelbridge pair` and the desktop app's "Import HAR / server log". Lines that
cannot be read become `ParseProblem`s (file name + line number); a file that cannot be read at
all raises `ImportFileError` (a `UsageError`: one line, exit status 2 on the command line).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from desktop_app.capi.har import HarImport, parse_har
from desktop_app.capi.observations import PixelObservation, ServerObservation
from desktop_app.capi.server_log import ParseProblem, parse_server_log
from desktop_app.errors import UsageError

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class ImportedFiles:
    pixels: list[PixelObservation]
    servers: list[ServerObservation]
    problems: list[ParseProblem]  # bad lines, with file name and line number
    har: HarImport


class ImportFileError(UsageError):
    """A file to import cannot be read at all (missing, a folder, no HAR inside)."""


def load_files(har_path: Path, server_path: Path | None = None) -> ImportedFiles:
    """Read a HAR export and (optionally) a server-side CAPI log for pairing: what
    `pixelbridge pair` and the desktop app's "Import HAR / server log" use."""
    har = parse_har(_read_text(har_path, "--har"), source=har_path.name)
    problems = list(har.problems)
    servers: list[ServerObservation] = []
    if server_path is not None:
        log = parse_server_log(_read_text(server_path, "--server"), source=server_path.name)
        servers = log.servers
        problems += log.problems
    if har.entries == 0 and not har.problems:
        raise ImportFileError(f"--har {har_path}: the HAR holds no requests")
    return ImportedFiles(har.pixels, servers, problems, har)


def _read_text(path: Path, flag: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig", errors="replace")
    except FileNotFoundError:
        raise ImportFileError(f"{flag} {path}: no such file") from None
    except IsADirectoryError:
        raise ImportFileError(f"{flag} {path} is a folder; give a file") from None
    except OSError as exc:
        raise ImportFileError(f"{flag} {path}: {exc.strerror}") from None
