#!/usr/bin/env bash
# Runs the whole test suite the way CI does: lint, types, then pytest (offscreen Qt, real
# Chromium, real loopback HTTP, real SQLite; the keyring test starts its own Secret Service).
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
unset PYTHON_KEYRING_BACKEND PIXELBRIDGE_ACCESS_TOKEN
.venv/bin/ruff check desktop_app tests bench
.venv/bin/ruff format --check desktop_app tests bench
.venv/bin/mypy
# The hashing hot path runs compiled by mypyc where a C compiler was found at install time
# (docs/mypyc.md); elsewhere the same .py files run, with pure-Python helpers of their own.
# The main run below tests the installed build; this one the other, pure-Python one
# (test_phone_fast's generated inputs are shared code, covered by the main run).
if [ -z "${PIXELBRIDGE_PURE:-}" ]; then
  PIXELBRIDGE_PURE=1 .venv/bin/python -m pytest -q tests/capi \
    --ignore=tests/capi/test_phone_fast.py
fi
exec .venv/bin/python -m pytest "$@"
