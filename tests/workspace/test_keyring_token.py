"""Token replace / check / forget through the real Secret Service (one marked test)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from workspace.helpers import files_containing
from workspace.secret_service import run_with_secret_service

PIXEL = "987654321012345"
OLD = "EAAoldtoken" + "p" * 30
NEWER = "EAAnewertoken" + "r" * 30


@pytest.mark.keyring
@pytest.mark.slow
def test_replace_check_forget_through_the_real_keyring(tmp_path: Path) -> None:
    child = Path(__file__).with_name("token_panel_child.py")
    home = tmp_path / "home"
    done = run_with_secret_service([sys.executable, str(child), PIXEL, OLD, NEWER], home)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "keyring panel ok" in done.stdout
    # gnome-keyring encrypts its store: neither token is readable anywhere under HOME
    assert files_containing(home, NEWER) == []
    assert files_containing(home, OLD) == []
    assert OLD not in done.stderr and NEWER not in done.stderr
