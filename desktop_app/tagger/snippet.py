"""Render the install snippet: one `<script>` element with the runtime and the tag rules inline.

The runtime (`resources/snippet/runtime.js`) loads Meta's base Pixel only when no `fbq` exists,
fires each rule on the Pixel with an `eventID` and mirrors it to the relay with the same
`event_id` (https://developers.facebook.com/docs/marketing-api/conversions-api/deduplicate-pixel-and-server-events).
Comments and indentation are stripped here so the element stays small (≤ 6 KB gzipped for a
five-rule config, checked by a test), without a JS build step.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from pathlib import Path
from typing import Any

from desktop_app.tagger.config import TagConfig
from desktop_app.tagger.events import is_standard

logger = logging.getLogger(__name__)

RESOURCES_DIR = Path(__file__).resolve().parents[2] / "resources"
RUNTIME_PATH = RESOURCES_DIR / "snippet" / "runtime.js"
FBEVENTS_STUB_PATH = RESOURCES_DIR / "fbevents_stub" / "fbevents.js"
CONFIG_PLACEHOLDER = "__PIXELBRIDGE_CONFIG__"
HOSTED_CONFIG_GLOBAL = "window.pixelbridgeConfig"

# Rule keys the runtime reads; everything else (locator bundles, notes, fingerprints) stays in
# the config file and out of the page.
_RUNTIME_RULE_KEYS = (
    "id",
    "event",
    "trigger",
    "url",
    "params",
    "event_id",
    "once",
    "enabled",
    "user_fields",
)
_RUNTIME_OPTION_KEYS = (
    "consent",
    "ldu",
    "currency",
    "capture_user_data",
    "auto_config",
    "fbevents_url",
    "adopt_native",
)

_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
# A trailing `// …` only after code punctuation, so URLs such as 'https://…' are untouched.
_TRAILING_COMMENT = re.compile(r"(?<=[;{},)])\s+//\s.*$")


_PUNCT = set("{}()[];,:=+-*/<>!&|?.%")
_REGEX_BEFORE = set("(,=:[!&|?{};+")
_WORD = re.compile(r"[A-Za-z0-9_$]")


def minify_js(source: str) -> str:
    """Drop comments, indentation, blank lines and spaces around punctuation.

    Not a general minifier: it knows strings and regex literals, keeps line breaks (so automatic
    semicolon insertion is unchanged) and never renames anything.
    """
    text = _BLOCK_COMMENT.sub("", source)
    lines: list[str] = []
    for line in text.splitlines():
        stripped = _TRAILING_COMMENT.sub("", line.strip())
        if not stripped or stripped.startswith("//"):
            continue
        squeezed = _squeeze(stripped)
        # After these a line break can never end a statement (no ASI), so join the lines.
        if lines and lines[-1][-1] in "{;,(:[=&|?+":
            lines[-1] += squeezed
        else:
            lines.append(squeezed)
    return "\n".join(lines)


def _squeeze(line: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(line):
        ch = line[i]
        if ch in "'\"":
            end = i + 1
            while end < len(line) and line[end] != ch:
                end += 2 if line[end] == "\\" else 1
            out.append(line[i : end + 1])
            i = end + 1
            continue
        if ch == "/" and _starts_regex(out):
            end, in_class = i + 1, False
            while end < len(line) and (line[end] != "/" or in_class):
                if line[end] == "\\":
                    end += 1
                elif line[end] == "[":
                    in_class = True
                elif line[end] == "]":
                    in_class = False
                end += 1
            out.append(line[i : end + 1])
            i = end + 1
            continue
        if ch == " ":
            before = out[-1][-1] if out and out[-1] else ""
            after = line[i + 1] if i + 1 < len(line) else ""
            keep = not (before in _PUNCT or after in _PUNCT) or (before + after) in ("++", "--")
            if keep and after != " ":
                out.append(" ")
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _starts_regex(out: list[str]) -> bool:
    text = "".join(out[-8:]).rstrip()
    if not text:
        return True
    if text.endswith(("return", "typeof")):
        return True
    return text[-1] in _REGEX_BEFORE and not _WORD.match(text[-1])


@functools.cache
def runtime_source() -> str:
    return minify_js(RUNTIME_PATH.read_text(encoding="utf-8"))


def runtime_config(config: TagConfig, relay_url: str) -> dict[str, Any]:
    """The part of the tag config the page needs: no secret, no editor-only data."""
    rules: list[dict[str, Any]] = []
    for rule in config.rules:
        if rule.get("enabled", True) is False:
            continue
        slim = {key: rule[key] for key in _RUNTIME_RULE_KEYS if key in rule}
        if not is_standard(str(rule.get("event"))):
            slim["custom"] = True  # sent with trackCustom on the Pixel
        rules.append(slim)
    raw_options = config.raw.get("options")
    options = raw_options if isinstance(raw_options, dict) else {}
    return {
        "pixel_id": config.pixel_id,
        "relay_url": relay_url,
        "rules": rules,
        "options": {key: options[key] for key in _RUNTIME_OPTION_KEYS if key in options},
    }


def script_json(value: Any) -> str:
    """JSON that is safe inside an inline `<script>` (no `</script>` or `<!--` breakout)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def render_snippet(config: TagConfig, relay_url: str, *, external: str | None = None) -> str:
    """One `<script>` element: self-contained, or a loader for a hosted runtime (`external`)."""
    payload = script_json(runtime_config(config, relay_url))
    if external:
        src = json.dumps(external)
        return (
            '<script data-pixelbridge="loader">'
            f"(function(w,d){{{HOSTED_CONFIG_GLOBAL}={payload};"
            "var s=d.createElement('script');s.async=true;"
            f"s.src={src};(d.head||d.documentElement).appendChild(s)}})(window,document);"
            "</script>"
        )
    body = runtime_source().replace(CONFIG_PLACEHOLDER, payload)
    return f'<script data-pixelbridge="runtime">\n{body}\n</script>'


def hosted_runtime() -> str:
    """The file to host at the `--external` URL: the runtime reading its config global."""
    return runtime_source().replace(CONFIG_PLACEHOLDER, HOSTED_CONFIG_GLOBAL)


def fbevents_stub_source() -> str:
    """Our offline stand-in for Meta's fbevents.js (demo and tests answer Meta locally)."""
    return FBEVENTS_STUB_PATH.read_text(encoding="utf-8")
