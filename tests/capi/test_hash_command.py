"""`pixelbridge hash FIELD VALUE [--country CC] [--json]`."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from desktop_app.cli import main

EMAIL_HASH = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(["hash", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_docs_email_example_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_json(capsys, "em", "John_Smith@gmail.com")
    assert code == 0
    assert out == {
        "field": "em",
        "input": "John_Smith@gmail.com",
        "normalized": "john_smith@gmail.com",
        "sha256": EMAIL_HASH,
        "error": None,
        "note": None,
    }


def test_phone_gets_the_calling_code_from_country(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_json(capsys, "ph", "(650)555-1212", "--country", "United States")
    assert code == 0 and out["normalized"] == "16505551212"
    code, out = run_json(capsys, "ph", "(650)555-1212")
    assert code == 1 and out["sha256"] is None and "calling code" in str(out["error"])


@pytest.mark.parametrize(
    ("field", "value"), [("em", "john smith@gmail.com"), ("country", "Narnia"), ("ge", "x")]
)
def test_unusable_input_is_null_with_reason_exit_1(
    capsys: pytest.CaptureFixture[str], field: str, value: str
) -> None:
    code, out = run_json(capsys, field, value)
    assert code == 1 and out["sha256"] is None and out["normalized"] is None and out["error"]


def test_already_hashed_input_is_echoed_lowercase(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_json(capsys, "em", EMAIL_HASH.upper())
    assert code == 0 and out["normalized"] == out["sha256"] == EMAIL_HASH


def test_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hash", "country", "UK"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["field:", "country"]
    assert lines[2].split() == ["normalized:", "gb"]
    assert lines[3].split()[0] == "sha256:" and len(lines[3].split()[1]) == 64
    assert main(["hash", "em", "nope"]) == 1
    assert "sha256:     null" in capsys.readouterr().out


def test_bad_field_or_country_is_a_usage_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["hash", "colour", "red"], ["hash", "ph", "123", "--country", "Narnia"],
                 ["hash", "fbc", "fb.1.2.3"]):  # fmt: skip
        assert main(args) == 2, args
        assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_runs_as_a_real_command() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "desktop_app", "hash", "em", "John_Smith@gmail.com"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert EMAIL_HASH in proc.stdout


def test_value_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("John_Smith@gmail.com\n"))
    code, out = run_json(capsys, "email", "-")
    assert code == 0 and out["sha256"] == EMAIL_HASH and out["field"] == "em"
