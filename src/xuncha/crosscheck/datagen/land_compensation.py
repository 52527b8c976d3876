"""Generated land-compensation data (征收地块清单, 征地补偿款发放表, a zone-price and a
coefficients table) with its truth.csv, for ``xuncha datagen --program land_compensation``.

Parcels lie in the four seed counties (zones 1区 and 2区: the zone-price file it
writes adds 2区 and an older standard from 2021), a few in a county, zone or land class
the standard lacks (unchecked). Each parcel is paid in two rows, 40% 土地补偿费 and the
rest 安置补助费, with planted underpayments, wrong splits, duplicate payments, parcels
never paid and near misses (less than or exactly 1 yuan short). Cells are messy: 亩
and 元 in cells, 万元 in cells where exact, text dates, title and total rows, GBK CSV.
The truth is computed from the true values with :func:`xuncha.policy.landcomp.calculate`,
never by running the engine.
"""

from __future__ import annotations

import csv
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from xuncha.policy.landcomp import (
    Coefficient,
    Due,
    Parcel,
    StandardSet,
    ZonePrice,
    calculate,
    default_standards,
)

from .names import COMMON_FEMALE, COMMON_MALE
from .write_xlsx import RowSheet, row_workbook

COUNTIES = {"长沙市区": 124800, "株洲市区": 119500, "湘潭市区": 119100, "衡阳市区": 107100}
CLASSES = ("水田", "水田", "旱地", "园地", "林地", "其他农用地", "未利用地")
COEFS = {"旱地": "0.8", "园地": "0.9", "林地": "0.7"}
NEW, OLD = date(2024, 1, 1), date(2021, 1, 1)
CENT = Decimal("0.01")
XLSX_MAX = 20000  # parcels: larger sizes are CSV only (written in bulk)
PARCEL_HEADERS = (
    ("地块编号", "县市区", "区片", "地类", "是否永久基本农田", "是否恢复属性", "面积（亩）",
     "征收土地公告日期", "批准日期"),
    ("宗地编号", "县市区", "征地区片", "地类名称", "永久基本农田", "恢复属性", "征收面积",
     "征地公告日期", "批复日期"),
)  # fmt: skip
PAYMENT_HEADERS = (
    ("地块编号", "款项", "金额", "收款人", "发放日期"),
    ("宗地编号", "款项名称", "发放金额", "收款人姓名", "发放时间"),
)


@dataclass
class LandData:
    out: Path
    parcel_files: list[Path] = field(default_factory=list)
    payment_files: list[Path] = field(default_factory=list)
    zone_prices: Path | None = None
    coefficients: Path | None = None
    truth: Path = Path()
    params: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def files(self) -> dict[str, list[Path]]:
        return {"land_payments": self.payment_files, "parcels": self.parcel_files}

    def table_files(self) -> dict[str, list[Path]]:
        assert self.zone_prices is not None and self.coefficients is not None
        return {"zone_prices": [self.zone_prices], "coefficients": [self.coefficients]}


def _zone_rows() -> list[tuple[str, str, str, str]]:
    rows = []
    for county, price in COUNTIES.items():
        for on, scale in ((OLD, Decimal("0.85")), (NEW, Decimal(1))):
            for zone, zscale in (("1区", Decimal(1)), ("2区", Decimal("0.92"))):
                value = (Decimal(price) * scale * zscale).quantize(Decimal(1), ROUND_HALF_UP)
                rows.append((county, zone, str(value), on.isoformat()))
    return rows


def _standards(zone_rows: list[tuple[str, str, str, str]]) -> StandardSet:
    zones = [ZonePrice(c, z, Decimal(p), date.fromisoformat(d)) for c, z, p, d in zone_rows]
    coefs = [Coefficient(k, Decimal(v), on) for on in (OLD, NEW) for k, v in COEFS.items()]
    return default_standards().merged(zones).merged(coefficients=coefs)


def _date_text(rng: random.Random, d: date) -> str:
    form = rng.random()
    if form < 0.6:
        return d.isoformat()
    if form < 0.75:
        return f"{d.year}年{d.month}月{d.day}日"
    if form < 0.9:
        return f"{d.year}/{d.month}/{d.day}"
    return d.strftime("%Y%m%d")


def _amount_text(rng: random.Random, amount: Decimal) -> str:
    if amount % 100 == 0 and rng.random() < 0.5:
        return f"{(amount / 10000).normalize():f}万元"
    form = rng.random()
    if form < 0.7:
        return f"{amount:.2f}"
    if form < 0.85:
        return f"{amount:.2f}元"
    return f"{amount:,.2f}"


def _parcel(rng: random.Random, n: int) -> tuple[list[str], Parcel, str]:
    """A parcel's cells, its true value, and what was planted ('' or 'unchecked')."""
    county = rng.choice(list(COUNTIES))
    zone = "1区" if rng.random() < 0.7 else "2区"
    land_class = rng.choice(CLASSES)
    planted = ""
    r = rng.random()
    if r < 0.01:
        county, planted = "岳阳市区", "unchecked"
    elif r < 0.02:
        zone, planted = "3区", "unchecked"
    elif r < 0.03:
        land_class, planted = "设施农用地", "unchecked"
    basic, restored = rng.random() < 0.2, rng.random() < 0.1
    area = Decimal(rng.randint(30, 3000)) / 100
    approved = date(2022, 6, 1) + timedelta(days=rng.randint(0, 1000))
    announced = approved + timedelta(days=rng.randint(5, 60)) if rng.random() < 0.7 else None
    cells = [
        f"DK{n:07d}" if rng.random() < 0.95 else f" dk{n:07d} ",
        county,
        zone if rng.random() < 0.9 else zone.replace("1", "１").replace("2", "２"),
        land_class,
        "是" if basic else rng.choice(("否", "否", "")),
        "是" if restored else "否",
        f"{area}" if rng.random() < 0.7 else f"{area}亩",
        _date_text(rng, announced) if announced else "",
        _date_text(rng, approved),
    ]
    parcel = Parcel(county, zone, land_class, basic, restored, area, announced, approved)
    return cells, parcel, planted


def _payments(
    rng: random.Random, due: Decimal, on: tuple[date, date]
) -> tuple[list[tuple[str, Decimal, date]], str]:
    """The payment rows (kind, amount, date) of a parcel due ``due``, and what was planted."""
    land = (due * Decimal("0.4")).quantize(CENT, ROUND_HALF_UP)
    rest = due - land
    planted, r = "", rng.random()
    if r < 0.03:
        rest -= Decimal(rng.randint(50, 5000))
        planted = "underpaid"
    elif r < 0.06:
        land = (due * Decimal("0.3")).quantize(CENT, ROUND_HALF_UP)
        rest = due - land
        planted = "split"
    elif r < 0.08:
        rest -= Decimal(rng.choice(("0.50", "1.00", "0.99")))
        planted = "near"
    elif r < 0.09:
        return [], "unpaid"
    rows = [("土地补偿费", land, on[0]), ("安置补助费", rest, on[1])]
    if rng.random() < 0.02:
        rows.append(rows[rng.randint(0, 1)])
        planted = "duplicate"
    return rows, planted


def generate_land_compensation(
    out: Path, *, payments: int, seed: int, xlsx: bool = False
) -> LandData:
    """About ``payments`` payment rows (two a parcel) in ``out``: two batches of a parcel
    list and a payment list, the first as xlsx with ``xlsx`` (up to :data:`XLSX_MAX`
    parcels), the rest CSV (UTF-8 with BOM, or GBK)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    data = LandData(out=out, params={"land_tolerance": "1"})
    zone_rows = _zone_rows()
    standards = _standards(zone_rows)
    data.zone_prices = out / "区片综合地价表.csv"
    _write(data.zone_prices, "utf-8", [("县市区", "区片", "区片综合地价（元/亩）", "施行日期"),
                                       *zone_rows])  # fmt: skip
    data.coefficients = out / "地类系数表.csv"
    _write(data.coefficients, "utf-8", [("地类", "系数", "施行日期"),
           *[(k, v, on.isoformat()) for on in (OLD, NEW) for k, v in COEFS.items()]])  # fmt: skip
    n_parcels = max(10, payments // 2)
    truth: list[tuple[str, str, str, int]] = []
    files = 2 if n_parcels > 50 else 1
    for f in range(files):
        ext = "xlsx" if xlsx and f == 0 and n_parcels <= XLSX_MAX else "csv"
        pname, payname = f"征收地块清单_{f + 1}.{ext}", f"征地补偿款发放表_{f + 1}.{ext}"
        sheets = ("地块清单", "发放明细") if ext == "xlsx" else ("", "")
        enc = "gbk" if f % 2 else "utf-8-sig"
        prow: list[tuple[Any, ...]] = [(f"征收地块清单（第{f + 1}批）",), PARCEL_HEADERS[f % 2]]
        payrow: list[tuple[Any, ...]] = [
            (f"征地补偿款发放表（第{f + 1}批）",),
            PAYMENT_HEADERS[f % 2],
        ]
        paid_by: dict[str, list[tuple[str, Decimal, int]]] = defaultdict(list)
        parcels: list[tuple[str, Parcel, int, list[tuple[str, Decimal, date]]]] = []
        for i in range(f, n_parcels, files):
            cells, parcel, _ = _parcel(rng, i + 1)
            prow.append(tuple(cells))
            land_id = f"DK{i + 1:07d}"
            first = (parcel.announced or parcel.approved or NEW) + timedelta(rng.randint(20, 200))
            when = (first, first + timedelta(days=rng.randint(0, 30)))
            due = calculate(parcel, standards, reference=when[1])  # the latest payment date
            base = due.amount if isinstance(due, Due) else Decimal(rng.randint(20000, 900000))
            rows, _ = _payments(rng, base, when)
            parcels.append((land_id, parcel, len(prow), rows))
            for kind, amount, on in rows:
                name = rng.choice(COMMON_MALE + COMMON_FEMALE)
                payrow.append((land_id, kind if rng.random() < 0.9 else f" {kind}",
                               _amount_text(rng, amount), name, _date_text(rng, on)))  # fmt: skip
                paid_by[land_id].append((kind, amount, len(payrow)))
        prow.append(("合计", "", "", "", "", "", "", "", ""))
        payrow.append(("合计", "", "", "", ""))
        _write(out / pname, enc, prow, sheets[0])
        _write(out / payname, enc, payrow, sheets[1])
        data.parcel_files.append(out / pname)
        data.payment_files.append(out / payname)
        truth += _truth(standards, parcels, paid_by, (pname, sheets[0]), (payname, sheets[1]))
    data.truth = out / "truth.csv"
    with data.truth.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(("rule", "file", "sheet", "row"))
        w.writerows(sorted(truth))
    data.counts = dict(Counter(t[0] for t in truth))
    return data


def _truth(
    standards: StandardSet,
    parcels: list[tuple[str, Parcel, int, list[tuple[str, Decimal, date]]]],
    paid_by: dict[str, list[tuple[str, Decimal, int]]],
    parcel_file: tuple[str, str],
    payment_file: tuple[str, str],
) -> list[tuple[str, str, str, int]]:
    found: list[tuple[str, str, str, int]] = []
    tol = Decimal(1)
    for land_id, parcel, line, rows in parcels:
        last = max((on for _, _, on in rows), default=None)
        kinds = Counter(k for k, _, _ in paid_by[land_id])
        for kind, _, payline in paid_by[land_id]:
            if kinds[kind] > 1:
                found.append(("land_duplicate_payment", *payment_file, payline))
        due = calculate(parcel, standards, reference=last or date.max)
        if not isinstance(due, Due):
            found.append(("land_unchecked", *parcel_file, line))
            continue
        paid = sum((a for _, a, _ in rows), Decimal(0))
        land = sum((a for k, a, _ in rows if k == "土地补偿费"), Decimal(0))
        if due.amount - paid > tol:
            found.append(("land_underpaid", *parcel_file, line))
        if rows and abs(land - paid * due.land_share) > tol:
            found.append(("land_split", *parcel_file, line))
    return found


def _write(path: Path, encoding: str, rows: list[tuple[Any, ...]], sheet: str = "") -> None:
    if path.suffix == ".xlsx":
        book = row_workbook(path)
        ws = RowSheet(book.add_worksheet(sheet))
        for row in rows:
            ws.append(row)
        book.close()
        return
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
