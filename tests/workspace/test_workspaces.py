"""Workspaces on disk, settings, and the export bundle: contents, order, and no secret ever."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.services.settings import SPECS, Settings
from desktop_app.services.workspaces import (
    FILE_SUFFIX,
    WorkspaceError,
    WorkspaceStore,
    scrub_secrets,
)
from desktop_app.tagger.config import TagConfig, parse_config
from desktop_app.tagger.export import (
    CONFIG_NAME,
    INSTALL_STEPS,
    SERVER_NAME,
    SHOPIFY_NAME,
    SNIPPET_NAME,
    build_bundle,
)

TOKEN = "EAAworkspacefile" + "k3" * 20
PIXEL = "123456789012345"


def test_recent_first_open_duplicate_delete(tmp_path: Path) -> None:
    store = WorkspaceStore(tmp_path / "ws")
    assert store.recent() == []
    a = store.create(site_url="https://a.example", pixel_id=PIXEL)
    b = store.create("Shop B", site_url="https://b.example")
    assert a.name == "a.example"
    a.opened_at, b.opened_at = 100.0, 200.0
    store.save(a), store.save(b)
    assert [w.name for w in store.recent()] == ["Shop B", "a.example"]
    store.open(a.id)  # opening makes it the most recent
    assert [w.name for w in store.recent()] == ["a.example", "Shop B"]
    copy = store.duplicate(a.id)
    assert copy.id != a.id and copy.name == "a.example (copy)" and copy.pixel_id == PIXEL
    assert copy.event_log_dir.parent == tmp_path / "ws" / copy.id
    store.delete(b.id)
    assert {w.id for w in store.recent()} == {a.id, copy.id}
    (tmp_path / "ws" / "broken").mkdir()
    (tmp_path / "ws" / "broken" / "workspace.json").write_text("{not json")
    assert len(store.recent()) == 2  # an unreadable one is skipped, not fatal
    with pytest.raises(WorkspaceError):
        store.open("../etc")


def test_secrets_never_reach_the_workspace_or_its_export_file(tmp_path: Path) -> None:
    store = WorkspaceStore(tmp_path / "ws")
    ws = store.create(
        site_url="https://shop.example",
        pixel_id=PIXEL,
        settings={"access_token": TOKEN, "note": f"token is {TOKEN}", "test_event_code": "TEST1"},
        journeys=[{"steps": [{"app_secret": "s3cret"}]}],
    )
    exported = store.export_file(ws.id, tmp_path / "out.json")
    assert exported.name.endswith(FILE_SUFFIX)
    for path in [*(tmp_path / "ws").rglob("*.json"), exported]:
        text = path.read_text()
        assert TOKEN not in text and "s3cret" not in text, path
    imported = store.import_file(exported)
    assert imported.id != ws.id and imported.pixel_id == PIXEL
    assert imported.test_event_code == "TEST1"
    assert "access_token" not in imported.settings
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(WorkspaceError, match="not a PixelBridge workspace"):
        store.import_file(bad)


def test_scrub_secrets_is_recursive() -> None:
    data = {"a": [{"Token": "x", "keep": TOKEN[:10]}], "b": f"Bearer-ish {TOKEN}"}
    assert scrub_secrets(data) == {"a": [{"keep": TOKEN[:10]}], "b": "Bearer-ish [redacted]"}


def test_settings_defaults_types_and_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    settings = Settings(path)
    assert {s.name for s in SPECS} == set(settings.as_dict())
    assert all(s.description for s in SPECS)
    assert settings.get("mode") == "sandbox"
    with pytest.raises(ValueError):
        settings.set("mode", "production")
    with pytest.raises(ValueError):
        settings.set("recent_limit", True)
    settings.set("mode", "test")
    settings.save()
    path.write_text(json.dumps({"mode": "test", "recent_limit": "ten", "future_key": 1}))
    loaded = Settings(path, json.loads(path.read_text()))
    assert loaded.get("mode") == "test"
    assert loaded.get("recent_limit") == 10  # wrong type in the file: the default
    loaded.save()
    assert json.loads(path.read_text())["future_key"] == 1  # newer versions' keys survive


def _config(platform: str | None = None) -> TagConfig:
    config = parse_config(
        {
            "version": 1,
            "pixel_id": PIXEL,
            "site": {"url": "https://shop.example", "platform": platform},
            "rules": [{"id": "p", "event": "Purchase", "trigger": {"type": "pageview"}}],
        }
    )
    # The schema refuses a token in the file; one slipped into memory must still stay out.
    config.raw["access_token"] = TOKEN
    return config


def test_export_bundle_contents_and_test_code_flag() -> None:
    bundle = build_bundle(
        _config(),
        "https://relay.shop.example/v1/events",
        test_event_code="TEST77",
    )
    assert set(bundle.files) == {CONFIG_NAME, SNIPPET_NAME, SERVER_NAME, "INSTALL.md"}
    assert bundle.needs_confirmation and bundle.test_event_code == "TEST77"
    config = json.loads(bundle.files[CONFIG_NAME])
    assert config["test_event_code"] == "TEST77"
    assert config["relay_url"] == "https://relay.shop.example/v1/events"
    assert (
        "PIXELBRIDGE_ACCESS_TOKEN=… pixelbridge relay --config tags.json"
        in bundle.files[SERVER_NAME]
    )
    assert "TEST77" in bundle.files[SERVER_NAME]
    assert PIXEL in bundle.files[SNIPPET_NAME]
    for text in bundle.files.values():
        assert TOKEN not in text
    clean = build_bundle(
        _config(),
        "https://r.example/v1/events",
        test_event_code="TEST77",
        include_test_code=False,
    )
    assert not clean.needs_confirmation
    assert "test_event_code" not in json.loads(clean.files[CONFIG_NAME])


def test_shopify_gets_the_custom_pixel_and_every_platform_has_steps() -> None:
    bundle = build_bundle(_config("shopify"), "https://r.example/v1/events")
    assert SHOPIFY_NAME in bundle.files and PIXEL in bundle.files[SHOPIFY_NAME]
    assert "Customer events" in bundle.files["INSTALL.md"]
    placeholder = build_bundle(_config(), "")
    assert any("relay.example.com" in w for w in placeholder.warnings)
    from desktop_app.tagger.platforms import SIGNATURES

    assert set(SIGNATURES) <= set(INSTALL_STEPS)
