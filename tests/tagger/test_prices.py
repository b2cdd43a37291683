"""Price reading: the Python preview and the runtime's JS parser agree on real shop formats."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from desktop_app.tagger.prices import currency_of, parse_price
from desktop_app.tagger.snippet import RUNTIME_PATH

CASES: list[tuple[str, float | None, str | None]] = [
    ("1.234,56 €", 1234.56, "EUR"),
    ("$1,234", 1234.0, "USD"),
    ("$1,234.50", 1234.5, "USD"),
    ("€ 99,80", 99.8, "EUR"),
    ("49,90\u00a0€", 49.9, "EUR"),
    ("£65.00", 65.0, "GBP"),
    ("From £19.99 – £29.99", 19.99, "GBP"),
    ("CHF 1'250.–", 1250.0, "CHF"),
    ("$24.00 USD", 24.0, "USD"),
    ("1 299 zł", 1299.0, "PLN"),
    ("¥12,800", 12800.0, "JPY"),
    ("R$ 1.999,9", 1999.9, "BRL"),
    ("Total: 1.049,90 €", 1049.9, "EUR"),
    ("1.234", 1234.0, None),
    ("Sold out", None, None),
]


@pytest.mark.parametrize(("text", "value", "currency"), CASES)
def test_python_preview(text: str, value: float | None, currency: str | None) -> None:
    assert parse_price(text) == value
    assert currency_of(text) == currency


def test_dollar_uses_the_site_currency() -> None:
    assert currency_of("$12", "CAD") == "CAD"


@pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")
def test_runtime_js_parser_agrees(tmp_path: Path) -> None:
    source = RUNTIME_PATH.read_text(encoding="utf-8")
    functions = [
        re.search(rf"  function {name}\(text\) \{{\n.*?\n  \}}\n", source, re.S)
        for name in ("price", "currencyOf")
    ]
    symbols = re.search(r"  var SYMBOLS = .*?;\n", source)
    assert symbols and all(functions)
    script = tmp_path / "prices.js"
    script.write_text(
        "var opt = {};\n"
        + symbols.group(0)
        + "".join(f.group(0) for f in functions if f)
        + f"var cases = {json.dumps([c[0] for c in CASES])};\n"
        + "var out = cases.map(t => [price(t) ?? null, currencyOf(t) ?? null]);\n"
        + "console.log(JSON.stringify(out));"
        + "\n",
        encoding="utf-8",
    )
    out = subprocess.run(["node", str(script)], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [[value, currency] for _, value, currency in CASES]
