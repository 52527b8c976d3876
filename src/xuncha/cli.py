"""Command line: a thin layer over :mod:`xuncha.crosscheck` and the web app (the
commands are listed in :mod:`xuncha.commands`).

Every command's help ends with an example (a test enforces it); the CLI reference in
docs/cli.md is generated from ``--help``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__
from .runtime import EXIT_INTERRUPTED, EXIT_USAGE


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        # "" is how argparse asks for a subcommand's bare usage (its prog): no prefix then
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse in Chinese: section titles, help option, errors; exit code 2 on misuse."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "命令"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"错误：{chinese(message)}\n")


_ARGPARSE_MESSAGES = (
    (r"the following arguments are required: (.*)", r"缺少必需的选项：\1"),
    (r"argument (\S+): expected one argument", r"选项 \1 后面需要一个值"),
    (r"argument (\S+): expected at least one argument", r"选项 \1 后面需要至少一个值"),
    (
        r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)",
        r"选项 \1 的值 \2 无效（可选：\3）",
    ),
    (r"argument (\S+): invalid \S+ value: (.*)", r"选项 \1 的值 \2 无效"),
    (r"argument (\S+): ignored explicit argument (.*)", r"选项 \1 不接受值 \2"),
    (r"argument (\S+): (.*)", r"选项 \1：\2"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"invalid choice: (.*?) \(choose from (.*)\)", r"没有命令 \1（可用：\2）"),
)


def chinese(message: str) -> str:
    """argparse's own error messages (English) in Chinese; ours pass through."""
    import re

    for pattern, replacement in _ARGPARSE_MESSAGES:
        if re.fullmatch(pattern, message, flags=re.S):
            return re.sub(pattern, replacement, message, flags=re.S)
    return message


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="xuncha",
        description="巡察工作台命令行。",
        epilog="例如：xuncha demo --out demo-output",
    )
    parser.add_argument(
        "--version", action="version", version=f"xuncha {__version__}", help="显示版本并退出"
    )
    sub = parser.add_subparsers(dest="command", metavar="<命令>", parser_class=_Parser)
    from .commands import COMMANDS

    for command in COMMANDS:
        p = sub.add_parser(
            command.name,
            help=command.summary,
            description=command.summary,
            epilog=command.example,
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
        return EXIT_INTERRUPTED


def reference_markdown() -> str:
    """docs/cli.md, generated from the parsers' help (``make docs`` writes it)."""
    import contextlib
    import io

    parser = build_parser()
    parts = ["# 命令行参考\n", "本页由 `make docs` 根据各命令的 `--help` 生成，请勿手工修改。\n"]
    from .commands import COMMANDS

    for name in [None, *(c.name for c in COMMANDS)]:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), contextlib.suppress(SystemExit):
            parser.parse_args([name, "--help"] if name else ["--help"])
        parts.append(
            f"## xuncha {name or ''}".rstrip()
            + "\n\n```text\n"
            + buf.getvalue().rstrip()
            + "\n```\n"
        )
    return "\n".join(parts)


if __name__ == "__main__":
    sys.exit(main())
