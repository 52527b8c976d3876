"""Command-line commands of this app (issue 21), appended to xuncha.commands.COMMANDS."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from xuncha.commands import Command
from xuncha.runtime import EXIT_NOTHING_CHECKED, EXIT_OK, EXIT_USAGE, setup_django


def _classify_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=int, required=True, help="指标数据年度，如 2025")
    p.add_argument("--by", metavar="用户名", help="以该巡察办账号的名义研判（默认为系统）")
    p.add_argument("--derive", action="store_true",
                   help="研判前先由本系统数据推算该年度的推算指标（信访、问题、整改、距上次巡察年数等）")  # fmt: skip


def _user(name: str | None) -> Any:
    if not name:
        return None
    from xuncha.accounts.models import User
    from xuncha.common.errors import ServiceError

    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        raise ServiceError(f"没有启用的账号「{name}」。")
    return user


def _classify_run(args: argparse.Namespace) -> int:
    setup_django()
    from xuncha.common.errors import ServiceError

    from . import derived, services
    from .spec import LEVEL_NAMES

    try:
        by = _user(args.by)
        services.install_shipped(by=by)
        if args.derive:
            n = derived.refresh(args.year, by=by)
            print(f"已推算 {args.year} 年度推算指标 {n:,} 个数值。")
        c = services.classify(by=by, year=args.year)
    except ServiceError as err:
        print(f"错误：{err}", file=sys.stderr)
        return EXIT_NOTHING_CHECKED
    counts = "，".join(f"{LEVEL_NAMES[lv]} {n:,}" for lv, n in c.counts.items())
    print(f"已按「{c.model}」研判 {args.year} 年度 {c.units:,} 个单位（含人工调整后）：{counts}。")
    return EXIT_OK


def _check_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, help="模型定义文件（TOML）")


def _check_run(args: argparse.Namespace) -> int:
    from .spec import LEVEL_NAMES, SpecError, parse_spec

    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        print(f"错误：无法读取 {args.file}：{err}", file=sys.stderr)
        return EXIT_USAGE
    try:
        spec = parse_spec(text)
    except SpecError as err:
        print(f"错误：{args.file.name}：{err}", file=sys.stderr)
        return EXIT_NOTHING_CHECKED
    print(f"「{spec.name}」有效：{len(spec.indicators)} 个指标，"
          f"{LEVEL_NAMES['watch']} ≥ {spec.watch:g} 分，{LEVEL_NAMES['high']} ≥ {spec.high:g} 分，"
          f"{len(spec.must)} 条必升规则，{len(spec.elevate)} 条提级规则。")  # fmt: skip
    return EXIT_OK


COMMANDS: list[Command] = [
    Command(
        "risk-classify",
        "风险研判：用当前启用的风险模型，按某年度的指标数值为全部村（社区）计算得分和等级"
        "（人工调整的等级保留），并更新各单位的风险等级。",
        "例如：xuncha risk-classify --year 2025 --derive",
        _classify_args,
        _classify_run,
    ),
    Command(
        "risk-model-check",
        "检查风险模型定义文件（TOML）：指标是否在目录中、权重之和是否为 1、等级分界是否有序等，"
        "有误时指出键名和原因。",
        "例如：xuncha risk-model-check 村社区风险研判模型.toml",
        _check_args,
        _check_run,
    ),
]
