"""Meta's rules as pure code: no Qt, no HTTP, no files, no SQLite."""

import os

if os.environ.get("PIXELBRIDGE_PURE"):  # run the pure-Python hashing path (build_info.py)
    from desktop_app.capi import build_info

    build_info.prefer_pure_python()
