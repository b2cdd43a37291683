"""Test setup: offscreen Qt, an in-memory keyring, qasync as the asyncio loop, isolated dirs.

The keyring variable is set here only (never exported by CI): the real Secret Service tests
opt out with the `keyring` marker and a subprocess that has its own environment.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

TESTS_DIR = Path(__file__).parent
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYTHON_KEYRING_BACKEND"] = "memkeyring.MemoryKeyring"
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))
# The real token must never leak into tests from the developer's shell.
os.environ.pop("PIXELBRIDGE_ACCESS_TOKEN", None)


def _qasync_loop() -> asyncio.AbstractEventLoop:
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    return qasync.QEventLoop(app)  # type: ignore[no-any-return]


def pytest_asyncio_loop_factories(config: Any, item: Any) -> dict[str, Any]:
    """Every `@pytest.mark.asyncio` test runs on the qasync loop, as the app does."""
    return {"qasync": _qasync_loop}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "qtbot" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gui)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """Collect garbage on the main thread once each test's qasync loop is gone.

    Python's cyclic GC runs in whichever thread happens to allocate; if it frees a dead qasync
    loop's Qt timers from a worker thread (outbox writer, executor), the process segfaults.
    """
    try:
        return (yield)
    finally:
        gc.collect()


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own PixelBridge data/config/log folders."""
    home = tmp_path / "pixelbridge-home"
    monkeypatch.setenv("PIXELBRIDGE_HOME", str(home))
    yield home
