"""`pixelbridge pair`: check a setup PixelBridge did not build, from files.

Pairs the Pixel requests of a browser HAR export with the server-side CAPI events the site
posted (JSON lines, or the relay's deliveries export) and prints the same verdict report as
`verify`. Exit status: 0 when every conversion is counted exactly once, 1 otherwise, 2 for
unusable input. Malformed lines are reported on stderr (and in the report) with their line
number; the rest is still paired. The output helpers here are shared with `verify`; the file
reading (`services.evidence_files.load_files`) with the desktop app's import.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from desktop_app.errors import UsageError

logger = logging.getLogger(__name__)

_VERDICT_WORDS = {
    "deduplicated": "counted once",
    "pixel_only": "browser only",
    "server_only": "server only",
    "missing_event_id": "no event ID",
    "event_name_mismatch": "COUNTED TWICE (names differ)",
    "event_id_reused": "DROPPED (event ID reused)",
    "double_fire": "COUNTED TWICE (fired twice)",
    "new_id_on_reload": "COUNTED TWICE (reload, new ID)",
    "outside_window": "COUNTED TWICE (> 48 h apart)",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "pair",
        help="pair a browser HAR export with server-side CAPI events and give dedup verdicts",
        description="Pair the Meta Pixel requests of a HAR file (Chrome/Edge/Firefox devtools: "
        "Network → Save all as HAR) with the site's server-side Conversions API events (JSON "
        'lines of {"data": [...]} request bodies, or the relay\'s deliveries export). Exits 0 '
        "when every conversion is counted exactly once, 1 otherwise, 2 for unusable input.",
    )
    parser.add_argument("--har", type=Path, required=True, metavar="FILE", help="the HAR file")
    parser.add_argument(
        "--server",
        type=Path,
        metavar="FILE",
        help="server-side events, JSON lines (without it, every conversion is browser only)",
    )
    add_output_arguments(parser)
    parser.set_defaults(handler=run)


def add_output_arguments(parser: Any) -> None:
    parser.add_argument("--report", type=Path, metavar="PATH", help="write the JSON report here")
    parser.add_argument(
        "--html", type=Path, metavar="PATH", help="write a readable HTML evidence report here"
    )
    parser.add_argument(
        "--quiet", action="store_true", help="print only the summary line, not the table"
    )


def check_output_path(path: Path | None, flag: str) -> None:
    if path is None:
        return
    if path.is_dir():
        raise UsageError(f"{flag} {path} is a folder; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{flag}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise UsageError(f"{flag}: folder {parent} is not writable")


def run(args: Any) -> int:
    from desktop_app.capi.dedup import pair_events

    check_output_path(args.report, "--report")
    check_output_path(args.html, "--html")
    from desktop_app.services.evidence_files import load_files

    imported = load_files(args.har, args.server)
    pixels, servers, problems, har_import = (
        imported.pixels,
        imported.servers,
        imported.problems,
        imported.har,
    )
    for problem in problems:
        print(f"pixelbridge pair: {problem}", file=sys.stderr)
    if har_import.blocked:
        print(
            f"pixelbridge pair: {len(har_import.blocked)} Pixel request(s) never left the "
            "browser (blocked); they count as missing browser copies",
            file=sys.stderr,
        )
    pairs = pair_events(pixels, servers)
    context = {
        "command": "pair",
        "har": str(args.har),
        "server_log": str(args.server) if args.server else None,
        "har_entries": har_import.entries,
        "blocked_pixel_requests": har_import.blocked,
        "problems": [p.to_json() for p in problems],
    }
    return finish(pairs, context, args, title="PixelBridge: HAR and server log")


def finish(pairs: list[Any], context: dict[str, Any], args: Any, *, title: str) -> int:
    """Print the table and summary, write the report files, return the exit status."""
    from desktop_app.capi.dedup import summarize
    from desktop_app.capi.evidence import evidence_html, evidence_json, headline

    summary = summarize(pairs)
    if not getattr(args, "quiet", False):
        print_table(pairs, sys.stdout)
    print(headline(summary))
    if args.report is not None:
        data = evidence_json(pairs, **context)
        args.report.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    if args.html is not None:
        args.html.write_text(evidence_html(pairs, title=title, **context), encoding="utf-8")
    return 0 if summary["all_counted_once"] else 1


def print_table(pairs: list[Any], out: TextIO) -> None:
    rows = [("EVENT", "EVENT ID", "BROWSER", "SERVER", "VERDICT")]
    for pair in pairs:
        if not pair.is_conversion:
            continue
        server = pair.server
        rows.append(
            (
                pair.event_name,
                (pair.event_id or "-")[:36],
                pair.pixel.transport if pair.pixel else "-",
                server.status if server else "-",
                _VERDICT_WORDS.get(pair.verdict, pair.verdict)
                + (f"  ⚠ {', '.join(pair.warnings)}" if pair.warnings else ""),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        print("  ".join([*cells, row[4]]), file=out)
    for pair in pairs:
        if pair.is_conversion and pair.verdict != "deduplicated":
            print(f"- {pair.event_name} {pair.event_id or ''}: {pair.describe()}", file=out)
            print(f"  fix: {pair.fix}", file=out)
