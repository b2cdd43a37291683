"""Which build of the hashing hot path the tests run against, and never a stale one.

`pip install -e .` (scripts/install.sh) compiles it with mypyc where a C compiler exists;
`PIXELBRIDGE_PURE=1` in pytest's environment runs the `.py` files instead, so
scripts/test.sh runs tests/capi against both builds on one machine.
"""

from __future__ import annotations

import pytest

from desktop_app.capi import build_info


def pytest_report_header(config: pytest.Config) -> str:
    return f"pixelbridge hashing hot path: {build_info.describe()}"


def pytest_sessionstart(session: pytest.Session) -> None:
    stale = build_info.stale_modules()
    if stale:
        raise pytest.UsageError(
            f"compiled modules older than their .py files: {', '.join(stale)}; rebuild with"
            " `pip install -e .` or run with PIXELBRIDGE_PURE=1"
        )
