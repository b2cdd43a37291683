"""The rendered snippet: size budget, safe embedding, the hosted-runtime loader, the CLI, and the
minifier keeping the runtime valid JavaScript."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from desktop_app.cli import main
from desktop_app.tagger.config import parse_config
from desktop_app.tagger.presets import preset_for
from desktop_app.tagger.snippet import (
    CONFIG_PLACEHOLDER,
    hosted_runtime,
    minify_js,
    render_snippet,
    runtime_config,
    runtime_source,
)

FIVE_RULES: list[dict[str, Any]] = [
    *preset_for("woocommerce")["rules"],  # five rules, realistic selectors and regexes
]
RELAY = "https://relay.example.com/v1/events"


def config(rules: list[dict[str, Any]], **extra: Any) -> Any:
    return parse_config({"version": 1, "pixel_id": "123456789012345", "rules": rules, **extra})


def test_five_rule_snippet_is_at_most_6_kb_gzipped() -> None:
    assert len(FIVE_RULES) == 5
    html = render_snippet(config(FIVE_RULES), RELAY)
    size = len(gzip.compress(html.encode("utf-8"), compresslevel=9))
    assert size <= 6 * 1024, size
    assert html.startswith('<script data-pixelbridge="runtime">') and html.endswith("</script>")
    assert html.count("<script") == 1


def test_config_cannot_break_out_of_the_script_element() -> None:
    rule = {
        "id": "x",
        "event": "Lead",
        "trigger": {
            "type": "click",
            "selectors": ["a[title='</script><script>alert(1)</script>']"],
        },
        "note": "editor only <!--",
    }
    html = render_snippet(config([rule]), RELAY)
    assert html.count("</script>") == 1 and "<!--" not in html
    assert "editor only" not in html  # editor-only keys stay out of the page
    payload = runtime_config(config([rule]), RELAY)
    assert payload["rules"][0]["trigger"]["selectors"][0].startswith("a[title='</script>")


def test_custom_events_are_marked_for_track_custom_and_disabled_rules_dropped() -> None:
    rules = [
        {"id": "a", "event": "WatchedDemo", "trigger": {"type": "pageview"}},
        {"id": "b", "event": "Lead", "trigger": {"type": "pageview"}},
        {"id": "c", "event": "Lead", "trigger": {"type": "pageview"}, "enabled": False},
    ]
    slim = runtime_config(config(rules, options={"consent": "required"}), RELAY)
    assert [(r["id"], r.get("custom")) for r in slim["rules"]] == [("a", True), ("b", None)]
    assert slim["options"] == {"consent": "required"}


def test_external_loader_and_hosted_runtime() -> None:
    html = render_snippet(config(FIVE_RULES), RELAY, external="https://cdn.example/pb.js")
    assert html.count("<script") == 1
    assert '"https://cdn.example/pb.js"' in html and "window.pixelbridgeConfig=" in html
    assert len(html) < 3000
    hosted = hosted_runtime()
    assert CONFIG_PLACEHOLDER not in hosted and hosted.rstrip().endswith(
        "(window,document,window.pixelbridgeConfig);"
    )


@pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")
def test_minified_runtime_and_stub_are_valid_javascript(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2] / "resources"
    for name, source in {
        "runtime.js": runtime_source().replace(CONFIG_PLACEHOLDER, "null"),
        "stub.js": (root / "fbevents_stub" / "fbevents.js").read_text(encoding="utf-8"),
    }.items():
        path = tmp_path / name
        path.write_text(source, encoding="utf-8")
        result = subprocess.run(
            ["node", "--check", str(path)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr


def test_minifier_keeps_strings_and_regexes() -> None:
    source = "var a = 'x  y' + \"p // q\"; // comment\nvar r = /a b\\/c [/ ]/g, n = 4 / 2;\n"
    assert minify_js(source) == "var a='x  y'+\"p // q\";var r=/a b\\/c [/ ]/g,n=4/2;"


def test_cli_prints_snippet_and_rejects_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tags.json"
    path.write_text(json.dumps({"version": 1, "pixel_id": "123456", "rules": FIVE_RULES}))
    assert main(["snippet", "--config", str(path), "--relay-url", RELAY]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<script") and RELAY in out
    assert main(["snippet", "--config", str(path)]) == 2
    assert "no relay_url" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"version": 1, "pixel_id": "123456", "rules": [{"id": "x"}]}))
    assert main(["snippet", "--config", str(bad), "--relay-url", RELAY]) == 2
    assert 'rules[0] (id "x")' in capsys.readouterr().err
    runtime = tmp_path / "pb.js"
    args = ["snippet", "--config", str(path), "--relay-url", RELAY]
    assert (
        main([*args, "--external", "https://cdn.example/pb.js", "--write-runtime", str(runtime)])
        == 0
    )
    assert "pixelbridgeConfig" in runtime.read_text()
    capsys.readouterr()
    assert main([*args, "--shopify"]) == 0
    assert "analytics.subscribe" in capsys.readouterr().out


def test_cli_subprocess_exit_code(tmp_path: Path) -> None:
    path = tmp_path / "tags.json"
    path.write_text(
        json.dumps({"version": 1, "pixel_id": "123456", "relay_url": RELAY, "rules": []})
    )
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "snippet", "--config", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("<script") == 1
