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
exec .venv/bin/python -m pytest "$@"
