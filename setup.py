"""Optional build step: compile the hashing hot path with mypyc (issue 3: cold records).

Everything else about the package is in pyproject.toml. When a C compiler and mypyc are
available (mypy is a build requirement) the modules listed in
`desktop_app/capi/build_info.py` are compiled into extension modules, one mypyc group, so
calls between them are direct C calls. Otherwise, or when any step of that build fails, no
extension module is installed at all and the same `.py` files run as plain Python: the app
works everywhere, the compiled build is only faster. `PIXELBRIDGE_PURE=1` skips the step
(e.g. while editing those modules: see docs/mypyc.md).

The result is all-or-nothing on purpose: a compiled module needs the group's shared library,
so a half-built group would fail at import instead of falling back.
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).parent
# One shared library for the group, inside the package (not a top-level module) so that
# editable installs and PyInstaller's `collect_submodules("desktop_app")` find it.
GROUP = "desktop_app.capi.hot_path"


def _warn(message: str) -> None:
    print(f"pixelbridge: {message}; the hashing hot path stays pure Python", file=sys.stderr)


def _hot_path_files() -> list[str]:
    names = runpy.run_path(str(ROOT / "desktop_app" / "capi" / "build_info.py"))["HOT_PATH"]
    return [name.replace(".", "/") + ".py" for name in names]


def _ext_modules() -> list[Any]:
    if os.environ.get("PIXELBRIDGE_PURE"):
        return []
    # pip runs setup.py for the metadata (egg_info, dist_info) before the build; those
    # commands build nothing, and mypycify type-checks and writes the C code each time.
    if {"egg_info", "dist_info"} & set(sys.argv[1:]):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        _warn("mypyc is not installed")
        return []
    try:
        return list(mypycify(_hot_path_files(), opt_level="3", group_name=GROUP))
    except (Exception, SystemExit) as error:  # type errors end mypyc with SystemExit
        _warn(f"mypyc could not compile it ({error!r})")
        return []


class OptionalBuildExt(build_ext):
    """Build every extension or none: on any failure (no compiler, compile error) remove
    what was built and carry on with the pure-Python package."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # any failure means: no compiled build
            _warn(f"the C build failed ({error!r})")
            self._remove_outputs()

    def _remove_outputs(self) -> None:
        # With `--inplace` (editable installs) the outputs are the copies next to the sources.
        for output in self.get_outputs():
            Path(output).unlink(missing_ok=True)


setup(ext_modules=_ext_modules(), cmdclass={"build_ext": OptionalBuildExt})
