"""Fixtures for the desktop views: demo-shaped pairs (see view_samples.py)."""

from __future__ import annotations

import pytest
from views.view_samples import demo_pairs, problem_pairs

from desktop_app.capi.dedup import Pair


@pytest.fixture
def sample_pairs() -> list[Pair]:
    return demo_pairs(1_790_000_000.0) + problem_pairs(1_790_000_100.0)
