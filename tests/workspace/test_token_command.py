"""`pixelbridge token …` (desktop_app/commands/token.py), driven through its own parser."""

from __future__ import annotations

import argparse
import io

import pytest

from desktop_app.commands import token as token_command
from desktop_app.errors import UsageError
from desktop_app.services import token_store

PIXEL = "111222333444555"
SECRET = "EAAcommandtoken" + "c" * 30


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    token_command.register(parser.add_subparsers())
    args = parser.parse_args(["token", *argv])
    return int(args.handler(args))


def test_store_status_forget(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    token_store.delete_token(PIXEL)
    assert _run(["status", "--pixel", PIXEL]) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    assert _run(["store", "--pixel", PIXEL]) == 0
    assert token_store.get_token(PIXEL) == SECRET
    assert _run(["status", "--pixel", PIXEL]) == 0
    assert _run(["forget", "--pixel", PIXEL]) == 0
    assert token_store.get_token(PIXEL) is None
    out = capsys.readouterr()
    assert SECRET not in out.out + out.err
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    with pytest.raises(UsageError):
        _run(["store", "--pixel", PIXEL])
    with pytest.raises(UsageError):
        _run(["status", "--pixel", "abc"])


def test_check_uses_the_graph_url(capsys: pytest.CaptureFixture[str]) -> None:
    # `check` runs its own event loop (it is a CLI command), so no sandbox can share it here:
    # a loopback port where nothing listens gives the offline answer deterministically. The
    # answers from a live sandbox are covered in test_token_health.py.
    token_store.set_token(PIXEL, SECRET)
    try:
        assert _run(["check", "--pixel", PIXEL, "--graph-url", "http://127.0.0.1:9"]) == 1
    finally:
        token_store.delete_token(PIXEL)
    assert "cannot be reached" in capsys.readouterr().out
