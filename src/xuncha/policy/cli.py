"""``xuncha landcomp``: what a parcel is due under the land-compensation standard.

Uses the shipped standard (seed 000) plus the tables given with ``--zone-prices`` and
``--coefficients`` (read in the sandbox, refused whole on a bad row). The command is
wired in :mod:`xuncha.commands`; this module holds its arguments and its runner.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from xuncha.runtime import EXIT_NOTHING_CHECKED, EXIT_OK, EXIT_UNCHECKED, EXIT_USAGE

from .landcomp import (
    LAND_CLASSES,
    Due,
    Parcel,
    StandardError,
    StandardSet,
    calculate,
    default_standards,
    fmt,
    money,
)
from .tables import TableError, load_coefficients, load_zone_prices, parse_date


def _date(text: str) -> date:
    found = parse_date(text)
    if found is None:
        raise argparse.ArgumentTypeError(f"「{text}」不是日期（如 2024-01-01、2024年1月1日）")
    return found


def _area(text: str) -> Decimal:
    try:
        value = Decimal(text.replace("亩", "").strip())
    except InvalidOperation:
        value = Decimal(0)
    if not value.is_finite() or value <= 0:
        raise argparse.ArgumentTypeError(f"「{text}」不是大于 0 的面积（亩）")
    return value


def calc_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--county", required=True, help="县市区，如 长沙市区")
    p.add_argument("--zone", required=True, help="区片，如 1区（一区、Ⅰ区 同）")
    p.add_argument("--land-class", required=True, help=f"地类：{'、'.join(LAND_CLASSES)}")
    p.add_argument("--area", required=True, type=_area, help="面积（亩）")
    p.add_argument("--basic-farmland", action="store_true", help="永久基本农田（×1.68）")
    p.add_argument("--restored", action="store_true", help="“恢复属性”地类（×0.8）")
    p.add_argument("--announced", type=_date, metavar="DATE",
                   help="征收土地公告日期（已发布公告的，按公告时施行的标准）")  # fmt: skip
    p.add_argument("--approved", type=_date, metavar="DATE", help="批准日期")
    p.add_argument("--reference", type=_date, metavar="DATE",
                   help="参照日期：未发布公告的按此日施行的标准（默认今天）")  # fmt: skip
    p.add_argument("--zone-prices", type=Path, metavar="FILE", action="append", default=[],
                   help="区片综合地价表（CSV 或 Excel：县市区、区片、区片综合地价（元/亩）、施行日期），可重复")  # fmt: skip
    p.add_argument("--coefficients", type=Path, metavar="FILE", action="append", default=[],
                   help="地类系数表（地类、系数、施行日期），可重复")  # fmt: skip
    p.add_argument("--json", action="store_true", help="以 JSON 输出")


def standards_with(zone_files: list[Path], coefficient_files: list[Path]) -> StandardSet:
    """The shipped standard with the given tables merged in, in order; TableError or
    StandardError (Chinese, naming the file and row) on a bad one."""
    standards = default_standards()
    for path in zone_files:
        rows = load_zone_prices(path.read_bytes(), name=path.name)
        standards = standards.merged(rows, source=path.name)
    for path in coefficient_files:
        coefs = load_coefficients(path.read_bytes(), name=path.name)
        standards = standards.merged(coefficients=coefs, source=path.name)
    return standards


def calc_run(args: argparse.Namespace) -> int:
    try:
        standards = standards_with(args.zone_prices, args.coefficients)
    except OSError as err:
        print(f"错误：无法读取文件：{err}", file=sys.stderr)
        return EXIT_USAGE
    except (TableError, StandardError) as err:
        print(f"错误：{err}", file=sys.stderr)
        return EXIT_NOTHING_CHECKED
    parcel = Parcel(
        county=args.county, zone=args.zone, land_class=args.land_class,
        basic_farmland=args.basic_farmland, restored=args.restored, area=args.area,
        announced=args.announced, approved=args.approved,
    )  # fmt: skip
    result = calculate(parcel, standards, args.reference)
    if not isinstance(result, Due):
        if args.json:
            print(json.dumps({"unchecked": result.reason}, ensure_ascii=False))
        print(f"无法核算：{result.reason}", file=sys.stderr)
        return EXIT_UNCHECKED
    if args.json:
        print(json.dumps(_as_json(result), ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"应补偿：{money(result.amount)} 元")
    print(f"  土地补偿费（{fmt(result.land_share * 100)}%）：{money(result.land_fee)} 元")
    print(f"  安置补助费（{fmt((1 - result.land_share) * 100)}%）：{money(result.resettlement)} 元")
    print(f"适用标准：{result.standard_name}（{result.standard_effective.isoformat()} 施行）——"
          f"{result.standard_reason}")  # fmt: skip
    print(f"区片综合地价：{money(result.zone_price)} 元/亩（{result.zone_where}）")
    print(f"适用系数：{fmt(result.coefficient)}——{result.coefficient_reason}")
    print(f"算式：{fmt(args.area)} 亩 × {money(result.zone_price)} 元/亩 × {fmt(result.coefficient)}"
          f" = {money(result.amount)} 元（按分四舍五入）")  # fmt: skip
    return EXIT_OK


def _as_json(due: Due) -> dict[str, str]:
    return {
        "amount": str(due.amount), "land_fee": str(due.land_fee),
        "resettlement": str(due.resettlement), "standard_name": due.standard_name,
        "standard_effective": due.standard_effective.isoformat(),
        "standard_reason": due.standard_reason, "zone_price": str(due.zone_price),
        "zone_where": due.zone_where, "coefficient": fmt(due.coefficient),
        "coefficient_reason": due.coefficient_reason,
    }  # fmt: skip
