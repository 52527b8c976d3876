"""Command line: a thin layer over :mod:`xuncha.crosscheck` (and later the web app).

Every command's help ends with an example (a test enforces it); the CLI reference in
docs/cli.md is generated from ``--help``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__
from .commands import EXIT_USAGE


class _Parser(argparse.ArgumentParser):
    """argparse with Chinese error messages and exit code 2 for usage errors."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"错误：{message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="xuncha",
        description="巡察工作台命令行。",
        epilog="例如：xuncha demo --out demo-output",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"xuncha {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="<命令>", parser_class=_Parser)
    from .commands import COMMANDS

    for command in COMMANDS:
        p = sub.add_parser(
            command.name,
            help=command.summary,
            description=command.summary,
            epilog=command.example,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_arguments(p)
        p.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
