"""Messy data with ground truth for the 低保/特困 program (program ``subsistence``).

Chenzhou's minimum living allowance and extreme-poverty support lists, 2021-2024: one
row per person per year (the year's total, which varies by family: the allowance tops
a family's income up to the local standard), xlsx workbooks with a sheet per county,
title, unit, 合计 and signature rows, GBK and UTF-8 CSV, a list without a payment date
(its 年度 column says the year), text dates, units in amounts, damaged ID numbers;
and the registers it is checked against: deaths, the public payroll, motor vehicles
(mostly cheap motorbikes and used small cars, some above the limit, some at exactly
the limit) and market entities (legal representatives, shareholders, and supervisors
who are neither).

One row per person-year, not per month: the shared rule ``duplicate_payment`` counts
payments per person and year, so a monthly list would make everyone a duplicate.

``truth.csv`` is computed from true identity with each rule's definition (see
:func:`_truth_rules`), never by running the engine. Damaged IDs are put only on rows of
people who are in no register and paid once in that year, so whether the engine links
such a row or not changes no other rule's truth.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from ..idnumber import is_valid18
from .model import (
    APOSTROPHE,
    CLEAN,
    EMPTY,
    FULLWIDTH,
    LEGACY15,
    NUMCELL,
    PADDED,
    SCI,
    SHORT,
    SPACED,
    TEXT000,
    TYPO_SUB,
    TYPO_SWAP,
    render_id,
    sci,
    text000,
)
from .names import random_name, traditional
from .places import COUNTIES, TOWNSHIPS, TOWNSHIPS_OF, employer
from .plant import _typo
from .render import amount_text, date_text, excel_serial
from .world import fast_id

YEARS = (2021, 2022, 2023, 2024)
VEHICLE_LIMIT = Decimal("50000")
"""The vehicle value limit the data are made for (the rule's default)."""

RULES = ("deceased_payee", "payroll_payee", "duplicate_payment", "vehicle_owner",
         "company_holder", "invalid_id")  # fmt: skip
DAMAGE = (TYPO_SUB, NUMCELL, TEXT000, EMPTY, SCI, TYPO_SWAP, SHORT)
UNLINKABLE = (EMPTY, SHORT)
HOLDERS = ("法定代表人", "股东", "股东", "法定代表人", "自然人股东")
NOT_HOLDERS = ("监事", "董事", "财务负责人", "联络员")
KINDS = (("城市低保", 650), ("农村低保", 420), ("特困供养", 880))
DAY = 1


@dataclass(slots=True)
class Person:
    id18: str
    name: str
    county: int
    twp: int
    kind: int
    monthly: int


@dataclass(slots=True)
class Pay:
    pid: int
    year: int
    date: int  # ordinal; 0 = the file has no date column
    amount: int
    county: int
    idf: int = CLEAN
    raw: str | None = None
    loc: tuple[str, str, int] = ("", "", 0)  # file, sheet, row once written

    def bounds(self) -> tuple[int, int]:
        if self.date:
            return self.date, self.date
        return dt.date(self.year, 1, 1).toordinal(), dt.date(self.year, 12, 31).toordinal()


@dataclass(slots=True)
class Entry:
    """A register row: a death (start = date of death), a payroll stint, a vehicle or a
    market-entity position (start = registered, end = left / cancelled)."""

    pid: int
    start: int
    end: int | None = None
    value: int = 0  # a vehicle's value in 元
    text: str = ""  # employer, plate or company
    position: str = ""


@dataclass
class Data:
    rng: random.Random
    people: list[Person] = field(default_factory=list)
    rows: list[Pay] = field(default_factory=list)
    rows_of: dict[int, list[Pay]] = field(default_factory=dict)
    regs: dict[str, list[Entry]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    dates: dict[tuple[int, int], int] = field(default_factory=dict)
    registered: set[int] = field(default_factory=set)
    regs_of: dict[tuple[str, int], list[Entry]] = field(default_factory=dict)

    def person(self, born: tuple[int, int]) -> int:
        rnd = self.rng.random
        county = int(rnd() * len(COUNTIES))
        twps = TOWNSHIPS_OF[county]
        birth = dt.date(born[0], 1, 1).toordinal() + int(rnd() * 365 * (born[1] - born[0]))
        male = rnd() < 0.5
        while True:
            region = COUNTIES[county].old_code if rnd() < 0.2 else COUNTIES[county].code
            id18 = fast_id(
                region, f"{dt.date.fromordinal(birth):%Y%m%d}", int(rnd() * 500) * 2 + male
            )
            if id18 not in self.used:
                self.used.add(id18)
                break
        kind = int(rnd() * len(KINDS))
        monthly = KINDS[kind][1] - int(rnd() * 30) * 10
        self.people.append(Person(id18, random_name(self.rng, male), county,
                                  twps[int(rnd() * len(twps))], kind, monthly))  # fmt: skip
        return len(self.people) - 1

    def pay(self, pid: int, year: int, county: int | None = None) -> Pay:
        county = self.people[pid].county if county is None else county
        amount = self.people[pid].monthly * (
            12 - int(self.rng.random() * 1.3) * self.rng.randint(1, 6)
        )
        row = Pay(pid, year, self.pay_date(year, county), amount, county)
        self.rows.append(row)
        self.rows_of.setdefault(pid, []).append(row)
        return row

    def pay_date(self, year: int, county: int) -> int:
        """Most of a county's list is paid on one day; some a little later."""
        if year == 2024:
            return 0  # the 2024 list has no date column
        if (year, county) not in self.dates:
            self.dates[year, county] = dt.date(
                year, self.rng.randint(1, 11), self.rng.randint(1, 28)
            ).toordinal()
        base = self.dates[year, county]
        return base if self.rng.random() < 0.8 else base + self.rng.randint(5, 30)

    def add(self, register: str, entry: Entry) -> None:
        self.regs.setdefault(register, []).append(entry)
        self.registered.add(entry.pid)


@dataclass(frozen=True)
class SubsistenceSet:
    out_dir: Path
    inputs: dict[str, list[Path]]
    truth: Path
    counts: dict[str, int]
    params: dict[str, Decimal]

    def files(self) -> dict[str, list[Path]]:
        return self.inputs


def generate_subsistence(out: Path, *, payments: int, seed: int, xlsx: bool) -> SubsistenceSet:
    """Write the data set into ``out``: about ``payments`` payment rows (at least 200)."""
    if payments < 200:
        raise ValueError("payments must be at least 200")
    was = gc.isenabled()
    gc.disable()
    try:
        return _generate(Path(out), payments, seed, xlsx)
    finally:
        if was:
            gc.enable()


def _generate(out: Path, payments: int, seed: int, xlsx: bool) -> SubsistenceSet:
    out.mkdir(parents=True, exist_ok=True)
    data = Data(random.Random(seed))
    _payees(data, payments)
    _plant(data, max(3, payments // 300))
    _damage(data, max(7, payments // 120))
    inputs = {"payments": _write_payments(data, out, xlsx)}
    inputs |= _write_registers(data, out, xlsx)
    truth = out / "truth.csv"
    counts = _write_truth(data, truth)
    return SubsistenceSet(out, inputs, truth, counts, {"vehicle_value_limit": VEHICLE_LIMIT})


def _payees(data: Data, payments: int) -> None:
    rnd = data.rng.random
    while len(data.rows) < payments:
        pid = data.person((1940, 2000))
        first = YEARS[int(rnd() * len(YEARS))] if rnd() < 0.4 else YEARS[0]
        last = YEARS[-1] if rnd() < 0.7 else data.rng.randint(first, YEARS[-1])
        for year in range(first, last + 1):
            data.pay(pid, year)


def _payee(data: Data, rows: int = 2, dated: bool = False) -> tuple[int, list[Pay]]:
    """A payee in no register yet, with at least ``rows`` rows (of them, ``dated``: one
    with a date), one a year."""
    for _ in range(5000):
        pid = data.rows[int(data.rng.random() * len(data.rows))].pid
        mine = sorted(data.rows_of[pid], key=lambda r: r.year)
        if len(mine) < rows or len({r.year for r in mine}) != len(mine) or pid in data.registered:
            continue
        if dated and not any(r.date for r in mine):
            continue
        if any(r.idf != CLEAN for r in mine):
            continue
        return pid, mine
    raise RuntimeError("no payee left to plant on")


def _plant(data: Data, n: int) -> None:
    """Hits and near misses of each register rule, then everyone else in the registers."""
    rng = data.rng
    for i in range(n):
        _plant_death(data, near=i % 3 == 2)
        _plant_stint(data, near=i % 3 == 2)
        _plant_vehicle(data, i)
        _plant_company(data, i)
        pid, mine = _payee(data, 1)
        extra = data.pay(pid, mine[-1].year, rng.randrange(len(COUNTIES)))  # paid twice
        extra.amount = mine[-1].amount if rng.random() < 0.5 else extra.amount
    for _ in range(max(20, len(data.rows) // 8)):
        _background(data)


def _plant_death(data: Data, near: bool) -> None:
    pid, mine = _payee(data)
    if near:  # died after the last payment
        start = mine[-1].bounds()[1] + 1
        data.add("deaths", Entry(pid, min(LAST, start + data.rng.randint(0, 300))))
        return
    j = data.rng.randint(1, len(mine) - 1)
    lo, hi = mine[j - 1].bounds()[1] + 1, mine[j].bounds()[0] - 1
    data.add("deaths", Entry(pid, data.rng.randint(lo, max(lo, hi))))


def _plant_stint(data: Data, near: bool) -> None:
    pid, mine = _payee(data)
    unit = employer(data.rng, data.people[pid].county)
    if near:  # left the day before the first payment
        left = mine[0].bounds()[0] - 1
        data.add("payroll", Entry(pid, left - data.rng.randint(300, 3000), left, text=unit))
        return
    start = mine[0].bounds()[0] - data.rng.randint(0, 2000)
    end = None if data.rng.random() < 0.5 else mine[-1].bounds()[1] + data.rng.randint(0, 200)
    data.add("payroll", Entry(pid, start, end, text=unit))


def _plate(data: Data) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
    return "湘L" + "".join(data.rng.choice(letters) for _ in range(5))


def _plant_vehicle(data: Data, i: int) -> None:
    """A car above the limit held at a payment; or a near miss: exactly at the limit,
    cancelled the day before a payment, registered the day after, or a cheap one."""
    rng = data.rng
    pid, mine = _payee(data, 1, dated=True)
    row = next(r for r in reversed(mine) if r.date)
    over = int(VEHICLE_LIMIT) + rng.randint(1, 200) * 1000
    kind = i % 5
    if kind in (0, 1):
        entry = Entry(pid, row.date - rng.randint(0, 2000), None if kind else row.date, over)
    elif kind == 2:
        entry = Entry(pid, row.date - rng.randint(0, 2000), None, int(VEHICLE_LIMIT))
    elif kind == 3:
        entry = Entry(pid, row.date - rng.randint(100, 2000), row.date - DAY, over)
    else:
        entry = Entry(pid, row.date + DAY, None, over)
    entry.text = _plate(data)
    data.add("vehicles", entry)


def _plant_company(data: Data, i: int) -> None:
    rng = data.rng
    pid, mine = _payee(data, 1, dated=True)
    row = next(r for r in reversed(mine) if r.date)
    kind = i % 5
    start, end, position = row.date - rng.randint(0, 3000), None, rng.choice(HOLDERS)
    if kind == 1:
        end = row.date  # cancelled on the payment day: still held that day
    elif kind == 2:
        position = rng.choice(NOT_HOLDERS)
    elif kind == 3:
        end = row.date - DAY
    elif kind == 4:
        start = row.date + DAY
    company = COUNTIES[data.people[pid].county].name + rng.choice(_SHOPS)
    data.add("companies", Entry(pid, start, end, text=company, position=position))


_SHOPS = ("鑫源商贸有限公司", "农丰种养专业合作社", "宏达建材有限公司",
          "好运来餐饮店", "顺通物流有限公司", "绿野农业开发有限公司")  # fmt: skip
LAST = dt.date(2024, 12, 31).toordinal()
FIRST = dt.date(2005, 1, 1).toordinal()


def _background(data: Data) -> None:
    """Register rows of people who are not paid, and cheap vehicles of payees."""
    rng, rnd = data.rng, data.rng.random
    r = rnd()
    if r < 0.15:
        pid, _ = _payee(data, 1)  # a motorbike or a used microcar: under the limit
        data.add("vehicles", Entry(pid, rng.randint(FIRST, LAST), None,
                                   rng.randint(20, 450) * 100, _plate(data)))  # fmt: skip
        return
    pid = data.person((1950, 2002))
    start = rng.randint(FIRST, LAST)
    end = None if rnd() < 0.7 else rng.randint(start, LAST)
    if r < 0.4:
        data.add("deaths", Entry(pid, rng.randint(dt.date(2019, 1, 1).toordinal(), LAST)))
    elif r < 0.6:
        data.add("payroll", Entry(pid, start, end, text=employer(rng, data.people[pid].county)))
    elif r < 0.8:
        data.add("vehicles", Entry(pid, start, end, rng.randint(30, 3000) * 100, _plate(data)))
    else:
        position = rng.choice(HOLDERS + NOT_HOLDERS)
        data.add("companies", Entry(pid, start, end, text="郴州" + rng.choice(_SHOPS),
                                    position=position))  # fmt: skip


def _damage(data: Data, n: int) -> None:
    """Damaged IDs on rows of people in no register, paid once that year."""
    rng = data.rng
    in_regs = data.registered
    done: set[int] = set()
    for i in range(n):
        form = DAMAGE[i % len(DAMAGE)]
        for _ in range(1000):
            row = data.rows[int(rng.random() * len(data.rows))]
            if row.pid in in_regs or row.pid in done or row.idf != CLEAN:
                continue
            if sum(1 for r in data.rows_of[row.pid] if r.year == row.year) > 1:
                continue
            raw = _damaged(rng, data.people[row.pid].id18, form)
            if raw is None:
                continue
            row.idf, row.raw = form, raw
            done.add(row.pid)
            break


def _damaged(rng: random.Random, id18: str, form: int) -> str | None:
    if form in (TYPO_SUB, TYPO_SWAP):
        typo = _typo(rng, id18, form)
        return typo if typo is not None and not is_valid18(typo) else None
    if form in (NUMCELL, TEXT000):  # NUMCELL: written as a number cell in a workbook
        return text000(id18) if not is_valid18(text000(id18)) else None
    if form == SCI:
        return sci(id18)
    if form == SHORT:
        return id18[:17]
    return ""


HARMLESS = (SPACED, FULLWIDTH, APOSTROPHE, PADDED, LEGACY15)


@dataclass(frozen=True)
class Spec:
    """One payment list: its year, file name, format and header (field, header text)."""

    year: int
    name: str
    encoding: str  # "" for a workbook
    columns: tuple[tuple[str, str], ...]
    title: bool = True
    total: bool = True


_A = (("seq", "序号"), ("county", "县市区"), ("township", "乡镇(街道)"), ("name", "姓名"),
      ("id", "身份证号码"), ("kind", "保障对象类型"), ("amount", "发放金额（元）"), ("date", "发放日期"))  # fmt: skip
_B = (("seq", "序号"), ("county", "区县"), ("township", "乡镇"), ("name", "享受人姓名"),
      ("id", "公民身份号码"), ("kind", "保障对象类型"), ("amount", "补助金额"), ("date", "拨付日期"),
      ("bank", "一卡通账号"))  # fmt: skip
_C = (("seq", "序号"), ("county", "县市区"), ("township", "所属乡镇"), ("name", "收款人姓名"),
      ("id", "身份证号"), ("bank", "银行卡号"), ("amount", "实发金额"), ("date", "发放时间"))  # fmt: skip
_D = (("seq", "序号"), ("year", "年度"), ("county", "县市区"), ("name", "姓名"),
      ("id", "身份证号码"), ("kind", "保障对象类型"), ("amount", "发放金额"))  # fmt: skip


def _specs(xlsx: bool) -> dict[int, Spec]:
    ext = ".xlsx" if xlsx else ".csv"
    return {
        2021: Spec(2021, f"2021年度郴州市低保特困资金发放花名册{ext}", "" if xlsx else "gbk", _A),
        2022: Spec(2022, f"2022年度郴州市低保特困资金发放花名册{ext}", "" if xlsx else "utf-8", _B),
        2023: Spec(2023, "2023年度城乡低保和特困供养资金发放明细.csv", "gbk", _C),
        2024: Spec(2024, "2024年低保特困资金发放名单.csv", "utf-8-sig", _D, title=False),
    }


_AMOUNTS = ("num", "num", "dec", "yuan", "rmb")
_DATES = ("iso", "iso", "slash", "cn", "compact", "dot")


def _id_cell(data: Data, row: Pay) -> str:
    if row.raw is not None:
        return row.raw
    person = data.people[row.pid]
    r = data.rng.random()
    if r < 0.04:
        form = HARMLESS[int(r * 100) % len(HARMLESS)]
        if form != LEGACY15 or person.id18[6:8] == "19":
            return render_id(person.id18, form, row.pid)
    return person.id18


def _name_cell(data: Data, row: Pay) -> str:
    name = data.people[row.pid].name
    if row.idf != CLEAN:
        return name
    r = data.rng.random()
    if r < 0.02:
        return name[0] + " " + name[1:]
    if r < 0.03:
        return name[0] + "\u3000" + name[1:]
    if r < 0.04:
        return traditional(name)
    return name


def _cells(data: Data, row: Pay, seq: int) -> dict[str, str]:
    person = data.people[row.pid]
    rnd = data.rng.random
    return {
        "seq": str(seq),
        "year": str(row.year),
        "county": COUNTIES[row.county].name,
        "township": TOWNSHIPS[person.twp][1],
        "name": _name_cell(data, row),
        "id": _id_cell(data, row),
        "kind": KINDS[person.kind][0],
        "bank": f"6230{(row.pid * 982_451_653_129 + 3_141_592_653) % 10**15:015d}",
        "amount": amount_text(row.amount, _AMOUNTS[int(rnd() * len(_AMOUNTS))]),
        "date": date_text(row.date, _DATES[int(rnd() * len(_DATES))]) if row.date else "",
    }


def _write_payments(data: Data, out: Path, xlsx: bool) -> list[Path]:
    by_year: dict[int, list[Pay]] = {}
    for row in data.rows:
        by_year.setdefault(row.year, []).append(row)
    files = []
    for year, spec in _specs(xlsx).items():
        rows = sorted(by_year.get(year, []), key=lambda r: r.county)
        if spec.encoding:
            _payment_csv(data, out / spec.name, spec, rows)
        else:
            _payment_workbook(data, out / spec.name, spec, rows)
        files.append(out / spec.name)
    return files


def _title(spec: Spec) -> str:
    return f"郴州市{spec.year}年度城乡最低生活保障和特困人员救助供养资金发放花名册"


def _payment_csv(data: Data, path: Path, spec: Spec, rows: list[Pay]) -> None:
    fields = [f for f, _ in spec.columns]
    head = [[_title(spec)] + [""] * (len(fields) - 1)] if spec.title else []
    head.append([h for _, h in spec.columns])
    terminator = "\r\n" if spec.encoding == "gbk" else "\n"
    lines: list[list[str]] = []
    line = len(head)
    for seq, row in enumerate(rows, 1):
        cells = _cells(data, row, seq)
        line += 1
        lines.append([cells[f] for f in fields])
        row.loc = (path.name, "", line)
    if spec.total:
        total = [""] * len(fields)
        total[0], total[fields.index("amount")] = "合计", f"{sum(r.amount for r in rows):.2f}"
        lines.append(total)
    with path.open("w", encoding=spec.encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator=terminator)
        writer.writerows(head)
        writer.writerows(lines)


def _payment_workbook(data: Data, path: Path, spec: Spec, rows: list[Pay]) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.set_properties({"created": dt.datetime(2024, 12, 31), "author": "郴州市民政局"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    id_fmt = wb.add_format({"num_format": "0"})
    text_fmt = wb.add_format({"num_format": "@"})
    fields = [f for f, _ in spec.columns]
    col = {f: i for i, f in enumerate(fields)}
    for county in range(len(COUNTIES)):
        mine = [r for r in rows if r.county == county]
        if not mine:
            continue
        sheet = COUNTIES[county].name
        ws = wb.add_worksheet(sheet)
        ws.write_string(0, 0, _title(spec).replace("郴州市", "郴州市" + sheet))
        ws.write_string(1, 0, f"填报单位：{sheet}民政局　　单位：元")
        for i, (_, header) in enumerate(spec.columns):
            ws.write_string(2, i, header)
        r = 3
        for seq, row in enumerate(mine, 1):
            cells = _cells(data, row, seq)
            for f in fields:
                if f == "seq":
                    ws.write_number(r, col[f], seq)
                elif f == "id" and row.idf == NUMCELL:
                    ws.write_number(r, col[f], float(row.raw or 0), id_fmt)
                elif f == "id":
                    ws.write_string(r, col[f], cells[f], text_fmt)
                elif f == "amount" and data.rng.random() < 0.6:
                    ws.write_number(r, col[f], row.amount)
                elif f == "date" and data.rng.random() < 0.6:
                    ws.write_number(r, col[f], excel_serial(row.date), date_fmt)
                elif cells[f]:
                    ws.write_string(r, col[f], cells[f])
            row.loc = (path.name, sheet, r + 1)
            r += 1
        ws.write_string(r, 0, "合计")
        ws.write_string(r, col["name"], f"共{len(mine)}人")
        ws.write_number(r, col["amount"], sum(x.amount for x in mine))
        ws.write_string(
            r + 2, 0, "制表人：张某某　　审核人：李某　　制表日期：" + f"{spec.year}年12月20日"
        )
    wb.close()


_REGISTERS = {
    "deaths": ("死亡人员名单.csv", ("序号", "姓名", "身份证号码", "死亡日期", "数据来源")),
    "payroll": ("财政供养人员信息.csv", ("序号", "姓名", "身份证号", "工作单位", "入职时间", "离职时间")),
    "vehicles": ("机动车登记信息.csv", ("序号", "所有人姓名", "身份证明号码", "号牌号码", "车辆类型",
                                   "车辆价格", "初次登记日期", "注销日期")),
    "companies": ("市场主体登记信息.csv", ("序号", "企业名称", "统一社会信用代码", "姓名", "证件号码",
                                       "人员身份", "成立日期", "注销日期")),
}  # fmt: skip


def _value_text(value: int, style: int) -> str:
    if style == 0:
        return format(Decimal(value) / 10000, "f") + "万元"
    if style == 1:
        return f"{value:,.2f}"
    return str(value) if style == 2 else f"{value}元"


def _register_cells(data: Data, kind: str, entry: Entry, seq: int) -> list[str]:
    rng = data.rng
    person = data.people[entry.pid]
    ident = person.id18
    if rng.random() < 0.05 and person.id18[6:8] == "19":
        ident = render_id(person.id18, LEGACY15, entry.pid)
    style = _DATES[int(rng.random() * len(_DATES))]
    start = date_text(entry.start, style)
    end = date_text(entry.end, style) if entry.end is not None else ""
    name = person.name
    if kind == "deaths":
        return [str(seq), name, ident, start, rng.choice(("民政殡葬", "公安户籍"))]
    if kind == "payroll":
        return [str(seq), name, ident, entry.text, start, end]
    if kind == "vehicles":
        what = "普通二轮摩托车" if entry.value < 10000 else "小型轿车"
        plate = entry.text if rng.random() < 0.9 else entry.text[:2] + " " + entry.text[2:]
        value = _value_text(entry.value, int(rng.random() * 4))
        return [str(seq), name, ident, plate, what, value, start, end]
    code = f"91431{entry.pid % 10**13:013d}"
    return [str(seq), entry.text, code, name, ident, entry.position, start, end]


def _write_registers(data: Data, out: Path, xlsx: bool) -> dict[str, list[Path]]:
    files = {}
    for kind, (name, header) in _REGISTERS.items():
        entries = data.regs.get(kind, [])
        data.rng.shuffle(entries)
        encoding = "gbk" if xlsx or kind in ("deaths", "companies") else "utf-8-sig"
        head: list[list[str]] = [list(header)]
        if kind == "vehicles":
            head.insert(0, ["机动车登记信息（截至2024年12月31日）"] + [""] * (len(header) - 1))
        with (out / name).open("w", encoding=encoding, newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n" if encoding == "gbk" else "\n")
            writer.writerows(head)
            writer.writerows(_register_cells(data, kind, e, i) for i, e in enumerate(entries, 1))
        files[kind] = [out / name]
    return files


def _truth_rules(data: Data, row: Pay) -> list[str]:
    """The register rules ``row`` is a hit of, by each rule's definition: a register
    row held on the payment date (registered on or before it, not ended before it), or,
    with no date, the whole payment year; a death before the date (or a year before)."""
    lo, hi = row.bounds()
    found = []
    for kind, rule in (("deaths", "deceased_payee"), ("payroll", "payroll_payee"),
                       ("vehicles", "vehicle_owner"), ("companies", "company_holder")):  # fmt: skip
        for e in data.regs_of.get((kind, row.pid), ()):
            if kind == "deaths":
                hit = lo > e.start if row.date else row.year > dt.date.fromordinal(e.start).year
            else:
                hit = e.start <= lo and (e.end is None or e.end >= hi)
                if kind == "vehicles":
                    hit = hit and e.value > VEHICLE_LIMIT
                if kind == "companies":
                    hit = hit and e.position not in NOT_HOLDERS
            if hit:
                found.append(rule)
                break
    return found


def _write_truth(data: Data, path: Path) -> dict[str, int]:
    for kind, entries in data.regs.items():
        for e in entries:
            data.regs_of.setdefault((kind, e.pid), []).append(e)
    records: list[tuple[str, str, str, int, str]] = []
    groups: dict[tuple[int, int], list[Pay]] = {}
    for row in data.rows:
        file, sheet, line = row.loc
        id18 = data.people[row.pid].id18
        if row.idf != CLEAN:
            records.append(("invalid_id", file, sheet, line, id18))
            if row.idf in UNLINKABLE:
                continue
        groups.setdefault((row.pid, row.year), []).append(row)
        if row.pid in data.registered:
            records.extend((rule, file, sheet, line, id18) for rule in _truth_rules(data, row))
    for group in groups.values():
        if len(group) > 1:
            records.extend(("duplicate_payment", *r.loc, data.people[r.pid].id18) for r in group)
    order = {rule: i for i, rule in enumerate(RULES)}
    records.sort(key=lambda r: (order[r[0]], r[1], r[2], r[3]))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(("rule", "file", "sheet", "row", "person_id"))
        writer.writerows(records)
    return {rule: sum(1 for r in records if r[0] == rule) for rule in RULES}
