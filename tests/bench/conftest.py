"""Make the checkout's `bench` package importable (it is not part of the installed package).

`tests/` is on sys.path (see tests/conftest.py), where `tests/bench` would otherwise be taken
as a namespace package named `bench`; a regular package anywhere on sys.path wins over it.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.append(ROOT)
sys.modules.pop("bench", None)  # a namespace `bench` imported before this file, if any
