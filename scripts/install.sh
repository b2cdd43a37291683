#!/usr/bin/env bash
# Installs everything PixelBridge needs on Debian/Ubuntu (system packages included) into .venv.
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(
  chromium gnome-keyring dbus xvfb xauth fonts-dejavu-core
  libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0 libx11-xcb1
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libnss3 libasound2
)

install_system_packages() {
  command -v apt-get >/dev/null 2>&1 || {
    echo "install: not a Debian/Ubuntu system; install Chromium (or Chrome) and a Secret Service keyring yourself" >&2
    return 0
  }
  local missing=()
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "install: need root or sudo for: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "install: system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q >/dev/null
  APT_UPDATED=1
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# Wanted, not required: a C compiler and the interpreter's headers let setup.py compile the
# hashing hot path with mypyc (docs/mypyc.md). Without them the same code runs as plain
# Python (slower), so a machine where they cannot be installed still gets a working app.
install_build_tools() {
  command -v apt-get >/dev/null 2>&1 || return 0
  local wanted=() include version
  command -v cc >/dev/null 2>&1 || wanted+=(gcc libc6-dev)
  include="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')"
  version="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  if [ ! -f "$include/Python.h" ] && [[ "$include" == /usr/include/* ]]; then
    wanted+=("python$version-dev")
  fi
  [ ${#wanted[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if ! sudo -n true 2>/dev/null; then
      echo "install: no C compiler or Python headers (${wanted[*]}), and no root: the hashing hot path runs as plain Python" >&2
      return 0
    fi
    sudo="sudo"
  fi
  echo "install: build tools: ${wanted[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { { [ -n "${APT_UPDATED:-}" ] || $sudo apt-get update -q >/dev/null; } &&
    $sudo apt-get install -y -q --no-install-recommends "${wanted[@]}" >/dev/null; } \
    || echo "install: could not install ${wanted[*]}: the hashing hot path runs as plain Python" >&2
}

find_python() {
  # PySide6 6.12 aborts on Python 3.11 (see shared/reference/environment.md); require >= 3.12.
  local candidates=(python3.13 python3.12 python3)
  local pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
  for dir in "$pyenv_root"/versions/3.1[2-9]*/bin; do
    [ -x "$dir/python3" ] && candidates+=("$dir/python3")
  done
  for cand in "${candidates[@]}"; do
    if "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
      command -v "$cand" 2>/dev/null || echo "$cand"
      return 0
    fi
  done
  echo "install: Python 3.12 or newer is required (PySide6 6.12 crashes on 3.11)" >&2
  exit 1
}

install_system_packages
PY="$(find_python)"
install_build_tools
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then
  rm -rf .venv
  "$PY" -m venv .venv
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
.venv/bin/python -m pip install -q -e '.[dev]' 2>&1 | grep -v "is ignored" || true
.venv/bin/python -c "import PySide6, PySide6.QtWebEngineWidgets, qasync, playwright, keyring, uvicorn, starlette, httpx" \
  || { echo "install: Python packages did not install" >&2; exit 1; }
echo "install: ready ($(.venv/bin/python --version), $(.venv/bin/pixelbridge --version))"
# setup.py compiles the hashing hot path with mypyc when a C compiler is present (else pure
# Python, which works the same, only slower); say which one this install got.
echo "install: hashing hot path $(.venv/bin/python -c 'from desktop_app.capi import build_info; print(build_info.describe())')"
