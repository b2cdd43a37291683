"""The Qt-free half of the embedded browser: the CDP environment QtWebEngine reads at start."""

from __future__ import annotations

import shlex
import socket

from desktop_app.services.embedded_browser import (
    DEBUG_ENV,
    FLAGS_ENV,
    chromium_flags,
    free_port,
    prepare_environment,
)


def test_prepare_environment_sets_port_and_origin_allow_list() -> None:
    env = {FLAGS_ENV: "--lang=fr --remote-allow-origins=*", "QT_QPA_PLATFORM": "offscreen"}
    endpoint = prepare_environment(env=env)
    assert endpoint.port > 0
    assert env[DEBUG_ENV] == f"127.0.0.1:{endpoint.port}"
    flags = shlex.split(env[FLAGS_ENV])
    assert "--lang=fr" in flags  # the user's own flags survive
    # Only our origin may open the DevTools websocket; Qt's default would allow every origin.
    assert [f for f in flags if f.startswith("--remote-allow-origins")] == [
        f"--remote-allow-origins=http://127.0.0.1:{endpoint.port}"
    ]
    assert "--disable-gpu" in flags  # offscreen: no GPU to use
    assert endpoint.url == f"http://127.0.0.1:{endpoint.port}"


def test_free_port_is_bindable() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_flags_with_a_display_keep_the_gpu(monkeypatch: object) -> None:
    endpoint = prepare_environment(env={"DISPLAY": ":0"})
    assert "--disable-gpu" not in chromium_flags(endpoint, "", software=False)


def test_display_without_gpu_device_renders_in_software(monkeypatch: object) -> None:
    import desktop_app.services.embedded_browser as eb

    env = {"DISPLAY": ":0"}
    real_exists = eb.os.path.exists
    import pytest

    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(eb.sys, "platform", "linux")
        mp.setattr(eb.os.path, "exists", lambda p: False if p == "/dev/dri" else real_exists(p))
        assert eb.needs_software_rendering(env)
        prepare_environment(env=env)
        assert "--disable-gpu" in shlex.split(env[FLAGS_ENV])
        assert env["QT_QUICK_BACKEND"] == "software"
        mp.setattr(eb.os.path, "exists", lambda p: True if p == "/dev/dri" else real_exists(p))
        assert not eb.needs_software_rendering({"DISPLAY": ":0"})
    finally:
        mp.undo()
