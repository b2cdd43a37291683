"""Which modules of the hashing hot path are compiled by mypyc in this install.

setup.py compiles `HOT_PATH` when a C compiler is available (and `PIXELBRIDGE_PURE` is not
set); otherwise, or when a compiled module fails to load, the same `.py` files run as plain
Python. Both builds give identical results (tests/capi runs against either).
`PIXELBRIDGE_PURE=1` in the environment of the app (or of pytest) makes it import the `.py`
files even where the compiled ones are installed: a switch for support, and how the test
suite covers the pure-Python path on a machine that has the compiled build.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

logger = logging.getLogger(__name__)

# Compiled together (one mypyc group: calls between them are direct C calls). Not here:
# `pure_speedups` (pure-Python-only tricks), and everything that is not per-event work.
HOT_PATH: tuple[str, ...] = (
    "desktop_app.capi.user_data",
    "desktop_app.capi.normalize_fast",
    "desktop_app.capi.phone_fast",
    "desktop_app.capi.normalize",
    "desktop_app.capi.normalize_phone",
    "desktop_app.capi.normalize_date",
    "desktop_app.capi.normalize_region",
    "desktop_app.capi.hashing",
    "desktop_app.capi.fields",
)
_EXTENSION_SUFFIXES = (".so", ".pyd")


def compiled_modules() -> list[str]:
    """The modules of `HOT_PATH` that were loaded from a compiled extension."""
    found = []
    for name in HOT_PATH:
        path = getattr(importlib.import_module(name), "__file__", None) or ""
        if path.endswith(_EXTENSION_SUFFIXES):
            found.append(name)
    return found


def describe() -> str:
    compiled = compiled_modules()
    if not compiled:
        return "pure Python"
    if len(compiled) == len(HOT_PATH):
        return f"compiled by mypyc ({len(compiled)} modules)"
    return f"partly compiled by mypyc: {', '.join(compiled)}"


def stale_modules() -> list[str]:
    """Compiled modules older than their `.py` file: edited since the last build, so the
    edit is not what runs (rebuild with `pip install -e .`, or set PIXELBRIDGE_PURE=1)."""
    stale = []
    for name in compiled_modules():
        compiled = Path(importlib.import_module(name).__file__ or "")
        source = compiled.with_name(name.rpartition(".")[2] + ".py")
        if source.exists() and source.stat().st_mtime > compiled.stat().st_mtime:
            stale.append(name)
    return stale


class _PurePythonFinder(importlib.abc.MetaPathFinder):
    """Finds the `.py` file of each `HOT_PATH` module, ahead of any compiled one."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in HOT_PATH or not path:
            return None
        for folder in path:
            source = Path(folder) / (fullname.rpartition(".")[2] + ".py")
            if source.is_file():  # not in a frozen app: there only the compiled one is bundled
                return importlib.util.spec_from_file_location(fullname, source)
        return None


def prefer_pure_python() -> None:
    """Import the pure-Python `HOT_PATH` modules from now on (before any of them is
    imported; `desktop_app/capi/__init__.py` calls it when PIXELBRIDGE_PURE is set)."""
    if not any(isinstance(finder, _PurePythonFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _PurePythonFinder())
