"""“Copy diagnostics”: versions, paths and the last problems, safe to paste into a support chat.

Everything passes through `redact()` (tokens) and `scrub_personal()` (emails, phone-like digit
runs), and any secret the caller knows (the stored token) is masked by value too. The log file
in `AppPaths.logs` is written through the same redacting filter (`install_file_log`).
"""

from __future__ import annotations

import logging
import logging.handlers
import platform
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from desktop_app import __version__
from desktop_app.services.logs import RedactingFilter, redact
from desktop_app.services.paths import AppPaths

logger = logging.getLogger(__name__)

LOG_NAME = "pixelbridge.log"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"\+\d[\d ().-]{7,}\d|\(?\b\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b")
_PACKAGES = ("PySide6", "qasync", "playwright", "httpx", "starlette", "uvicorn", "keyring")


def scrub_personal(text: str) -> str:
    """Mask emails and phone-like numbers (customer data never belongs in a support paste)."""
    text = _EMAIL.sub("[email]", text)
    # Timestamps and 64-hex hashes do not match: a + prefix or a 3-3-4 grouping is required.
    return _PHONE.sub("[phone]", text)


def install_file_log(paths: AppPaths | None = None, level: int = logging.INFO) -> Path:
    """Also log to `<logs>/pixelbridge.log` (rotated, redacted); returns the file path."""
    paths = paths or AppPaths.default()
    paths.logs.mkdir(parents=True, exist_ok=True)
    path = paths.logs / LOG_NAME
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "_pixelbridge_file", "") == str(path):
            return path
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler._pixelbridge_file = str(path)  # type: ignore[attr-defined]
    handler.addFilter(RedactingFilter())
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    return path


def remove_file_log(path: Path) -> None:
    """Detach and close the handler `install_file_log` added for `path` (shutdown, tests)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_pixelbridge_file", "") == str(path):
            root.removeHandler(handler)
            handler.close()


def last_problems(log_path: Path, limit: int = 20) -> list[str]:
    """The last WARNING/ERROR lines of the log file (already redacted when written)."""
    try:
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    bad = [line for line in lines if " WARNING " in line or " ERROR " in line]
    return bad[-limit:]


def _versions() -> list[str]:
    import importlib.metadata  # slow to import; only needed when diagnostics are copied

    found = [f"PixelBridge {__version__}", f"Python {sys.version.split()[0]}"]
    for name in _PACKAGES:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return found


def _keyring_backend() -> str:
    try:
        import keyring

        return type(keyring.get_keyring()).__module__
    except Exception as exc:  # diagnostics must never fail
        return f"unavailable ({type(exc).__name__})"


def _browser() -> str:
    from desktop_app.services.chromium import find_chromium

    return find_chromium() or "none found (see the README: install Chromium or Chrome)"


def diagnostics_text(
    paths: AppPaths | None = None,
    *,
    workspace: dict[str, str] | None = None,
    messages: Iterable[str] = (),
    secrets: Iterable[str] = (),
) -> str:
    """The text for the clipboard. `secrets`: values to mask wherever they appear."""
    paths = paths or AppPaths.default()
    lines = ["PixelBridge diagnostics", ""]
    lines += ["Versions:", *(f"  {v}" for v in _versions())]
    lines.append(f"  OS {platform.platform()}")
    lines += ["Paths:"]
    lines += [f"  {n}: {getattr(paths, n)}" for n in ("data", "config", "logs", "cache")]
    lines.append(f"Keyring backend: {_keyring_backend()}")
    lines.append(f"Browser: {_browser()}")
    if workspace:
        lines += ["Site:", *(f"  {k}: {v}" for k, v in workspace.items())]
    recent = list(messages)[-20:]
    if recent:
        lines += ["Recent messages:", *(f"  {m}" for m in recent)]
    problems = last_problems(paths.logs / LOG_NAME)
    lines += ["Last problems in the log:", *(f"  {p}" for p in problems or ["(none)"])]
    text = "\n".join(lines) + "\n"
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return scrub_personal(redact(text))
