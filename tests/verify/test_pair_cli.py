"""`pixelbridge pair` on hand-made files: exit status 0 / 1 / 2 and the one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import pytest

from desktop_app.cli import main


def write_har(path: Path, *eids: str) -> None:
    entries = [
        {
            "startedDateTime": "2026-11-27T05:00:00Z",
            "request": {
                "method": "GET",
                "url": "https://www.facebook.com/tr/?"
                + urlencode({"id": "42", "ev": "Purchase", "eid": eid}),
            },
            "response": {"status": 200},
        }
        for eid in eids
    ]
    path.write_text(json.dumps({"log": {"entries": entries}}), encoding="utf-8")


def write_log(path: Path, *eids: str) -> None:
    lines = [
        json.dumps({"data": [{"event_name": "Purchase", "event_id": e, "event_time": 1795755600}]})
        for e in eids
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def test_all_counted_once_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_har(tmp_path / "a.har", "o1", "o2")
    write_log(tmp_path / "s.jsonl", "o1", "o2")
    assert (
        main(["pair", "--har", str(tmp_path / "a.har"), "--server", str(tmp_path / "s.jsonl")]) == 0
    )
    out = capsys.readouterr().out
    assert "2 conversions: 2 counted once" in out


def test_one_missing_server_copy_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_har(tmp_path / "a.har", "o1", "o2")
    write_log(tmp_path / "s.jsonl", "o1")
    assert (
        main(
            [
                "pair",
                "--har",
                str(tmp_path / "a.har"),
                "--server",
                str(tmp_path / "s.jsonl"),
                "--quiet",
            ]
        )
        == 1
    )
    out = capsys.readouterr().out
    assert out.strip() == "2 conversions: 1 counted once, 1 seen in the browser only"


def test_bad_report_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_har(tmp_path / "a.har", "o1")
    status = main(
        ["pair", "--har", str(tmp_path / "a.har"), "--report", str(tmp_path / "no" / "r.json")]
    )
    assert status == 2
    assert "does not exist" in capsys.readouterr().err
