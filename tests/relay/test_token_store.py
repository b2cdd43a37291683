"""Token store: keyring per pixel id, env var for servers, never logged; plus one round-trip
through the real Secret Service (gnome-keyring under its own dbus-run-session)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.services import token_store

PIXEL = "1234567890"
SECRET = "EAAtokenstore" + "z" * 30


@pytest.fixture(autouse=True)
def clean_entry() -> Iterator[None]:
    """The in-memory keyring lives as long as the process: start and end without our entry."""
    token_store.delete_token(PIXEL)
    yield
    token_store.delete_token(PIXEL)


def test_set_get_delete_and_env_wins(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert token_store.get_token(PIXEL) is None
    token_store.set_token(PIXEL, f"  {SECRET}\n")
    assert token_store.get_token(PIXEL) == SECRET
    assert token_store.get_token("555") is None  # one entry per pixel
    assert token_store.token_source(PIXEL) == "keyring"
    monkeypatch.setenv(token_store.ENV_TOKEN, "from-env")
    assert token_store.get_token(PIXEL) == "from-env"
    assert token_store.get_token(PIXEL, use_env=False) == SECRET
    assert token_store.token_source(PIXEL) == "env"
    monkeypatch.delenv(token_store.ENV_TOKEN)
    assert token_store.delete_token(PIXEL) is True
    assert token_store.delete_token(PIXEL) is False
    assert token_store.get_token(PIXEL) is None
    assert SECRET not in caplog.text


def test_provider_sees_a_newly_stored_token() -> None:
    provide = token_store.token_provider(PIXEL)
    assert provide() is None
    token_store.set_token(PIXEL, "first")
    assert provide() == "first"
    token_store.set_token(PIXEL, "second")
    assert provide() == "second"


def test_empty_token_refused() -> None:
    with pytest.raises(ValueError):
        token_store.set_token(PIXEL, "   ")


def test_unusable_keyring_gives_advice_without_the_secret() -> None:
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(token_store.TokenStoreError) as caught:
            token_store.set_token(PIXEL, SECRET)
        assert token_store.ENV_TOKEN in str(caught.value)
        assert SECRET not in str(caught.value)
        assert token_store.token_provider(PIXEL)() is None  # the relay keeps running
    finally:
        keyring.set_keyring(previous)


ROUND_TRIP = textwrap.dedent(
    """
    import keyring
    from desktop_app.services import token_store
    backend = type(keyring.get_keyring()).__module__
    assert "SecretService" in backend or "chainer" in backend, backend
    assert token_store.get_token("{pixel}") is None
    token_store.set_token("{pixel}", "{secret}")
    assert token_store.get_token("{pixel}") == "{secret}"
    assert token_store.token_source("{pixel}") == "keyring"
    assert token_store.delete_token("{pixel}") is True
    assert token_store.get_token("{pixel}") is None
    token_store.set_token("{pixel}", "{secret}")  # left stored: checked on disk below
    print("round-trip ok", backend)
    """
)


@pytest.mark.keyring
def test_real_secret_service_round_trip(tmp_path: Path) -> None:
    dbus = shutil.which("dbus-run-session")
    daemon = shutil.which("gnome-keyring-daemon")
    if dbus is None or daemon is None:
        pytest.skip("dbus-run-session / gnome-keyring-daemon not installed")
    home = tmp_path / "home"
    run = home / "run"
    run.mkdir(parents=True)
    run.chmod(0o700)
    script = tmp_path / "round_trip.py"
    script.write_text(ROUND_TRIP.format(pixel=PIXEL, secret=SECRET), encoding="utf-8")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHON_KEYRING_BACKEND", token_store.ENV_TOKEN, "DBUS_SESSION_BUS_ADDRESS")
    }
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "share"),
        XDG_RUNTIME_DIR=str(run),
        XDG_CONFIG_HOME=str(home / "config"),
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
    shell = (
        f"echo -n test-pass | {daemon} --unlock --components=secrets >/dev/null "
        f'&& exec "{sys.executable}" "{script}"'
    )
    done = subprocess.run(
        [dbus, "--", "sh", "-c", shell],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "round-trip ok" in done.stdout
    # gnome-keyring encrypts its file: the token is nowhere in clear text under HOME
    for path in home.rglob("*"):
        if path.is_file() and path != script:
            assert SECRET.encode() not in path.read_bytes(), path
