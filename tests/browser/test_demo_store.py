"""Where a demo run keeps its relay store, and how leftovers of killed runs are cleaned."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from desktop_app.services.demo import DemoRun, _remove_stale_runs


def test_only_runs_of_dead_processes_are_removed(tmp_path: Path) -> None:
    dead = tmp_path / "run-999999999-abc"  # above any pid_max: no such process
    live = tmp_path / f"run-{os.getpid()}-def"
    other = tmp_path / "notes"
    for folder in (dead, live, other):
        folder.mkdir()
        (folder / "outbox.sqlite3").write_bytes(b"x")
    _remove_stale_runs(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other.name])


@pytest.mark.asyncio
async def test_each_run_has_its_own_store_removed_at_stop(tmp_path: Path) -> None:
    first, second = DemoRun(data_dir=tmp_path), DemoRun(data_dir=tmp_path)
    try:
        await first.start()
        await second.start()
        assert first.run_dir is not None and second.run_dir is not None
        assert first.run_dir != second.run_dir
        assert first.run_dir.parent == tmp_path == second.run_dir.parent
        assert (first.run_dir / "outbox.sqlite3").exists()
    finally:
        await first.stop()
        await second.stop()
    assert _entries(tmp_path) == []


def _entries(folder: Path) -> list[Path]:
    return list(folder.iterdir())
