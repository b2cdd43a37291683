"""`pixelbridge` command line: one small module per subcommand in `desktop_app/commands/`.

Each command module exposes `register(subparsers)`, which adds its parser and sets `handler`
to a function `(args) -> int`. Handlers raise `UsageError` for bad input the user must fix
(missing or invalid config file, …): the CLI prints one line and exits 2, like argparse does
for bad arguments.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from desktop_app import __version__
from desktop_app.errors import UsageError

logger = logging.getLogger(__name__)

# Order is the order shown in `--help`.
COMMAND_MODULES = (
    "demo",
    "sandbox",
    "relay",
    "snippet",
    "hash",
    "detect",
    "locate",
    "verify",
    "pair",
    "token",
)


class OneLineArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def commands_needed(argv: Sequence[str]) -> tuple[str, ...]:
    """The command modules that parsing `argv` needs: importing all of them costs ~0.15 s
    (phonenumbers, asyncio, …), which `pixelbridge` alone (the desktop app) must not pay
    before its window appears. A named command needs only its own module; top-level help and
    an unknown command need them all, to list them."""
    for arg in argv:
        if arg in ("-h", "--help"):
            return COMMAND_MODULES
        if not arg.startswith("-"):
            return (arg,) if arg in COMMAND_MODULES else COMMAND_MODULES
    return ()  # the desktop app, --version


def build_parser(commands: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    parser = OneLineArgumentParser(
        prog="pixelbridge",
        description="Install and verify Meta Pixel + Conversions API tracking. "
        "Without a command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"PixelBridge {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details to stderr")
    # For the startup benchmark and smoke runs of the desktop app (bench/bench_startup.py).
    parser.add_argument("--exit-after-paint", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-browser", action="store_true", help=argparse.SUPPRESS)
    subparsers = parser.add_subparsers(
        title="commands", dest="command", parser_class=OneLineArgumentParser
    )
    for name in commands:
        try:
            module = importlib.import_module(f"desktop_app.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"desktop_app.commands.{name}":
                raise
            continue  # command not built yet
        module.register(subparsers)
    return parser


def configure_logging(verbose: bool) -> None:
    from desktop_app.services.logs import configure

    configure(verbose=verbose)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(commands_needed(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    handler = getattr(args, "handler", None)
    try:
        if handler is None:
            from desktop_app.app import run_desktop

            return run_desktop(args)
        result: int = handler(args)
        return result
    except UsageError as exc:
        print(f"pixelbridge: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
