"""Messy data with ground truth for the old-age allowance program (高龄津贴和养老金).

Chenzhou's high-age allowance (80 and over) for 2021-2024: one list a year (an xlsx
workbook with a sheet per county, or CSV in GBK or UTF-8; the 2024 list has a 年度
column and no payment date), and a death register. Planted: payments after death,
payments before the 80th birthday (and a few long before it), payments twice in a year,
and damaged ID numbers; near misses beside each (paid on the day of death, paid on the
80th birthday). ``truth.csv`` names each row every rule must flag, from true identity.

The pieces at the bottom (:class:`Table`, :func:`write_tables`, :class:`Damager`, …)
are shared with the farmland generator (:mod:`.farmland`).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..idnumber import is_valid18
from .model import (
    APOSTROPHE,
    CLEAN,
    EMPTY,
    FULLWIDTH,
    LEGACY15,
    LOWER_X,
    NUMCELL,
    PADDED,
    SHORT,
    SPACED,
    TEXT000,
    TYPO_SUB,
    TYPO_SWAP,
    render_id,
    text000,
)
from .names import random_name
from .places import COUNTIES, TOWNSHIPS_OF, villages
from .places import TOWNSHIPS as _TOWNSHIPS
from .plant import _typo, one_edit
from .render import date_text, name_text
from .world import fast_id
from .write_xlsx import RowSheet, row_workbook

YEARS = (2021, 2022, 2023, 2024)
MIN_AGE = 80


# --------------------------------------------------------------------------- shared


@dataclass(eq=False, slots=True)
class Person:
    pid: int
    id18: str
    name: str
    born: dt.date
    county: int
    twp: str
    village: str


@dataclass(eq=False, slots=True)
class Line:
    """One data row of a table: its cells' values by field, the person it truly is,
    the ID form it is written in, and where the writer put it."""

    person: Person
    values: dict[str, Any]
    idf: int = CLEAN
    raw: str | None = None
    file: str = ""
    sheet: str = ""
    row: int = 0


@dataclass
class Table:
    """A sheet of an xlsx workbook or a CSV file: title lines, a header, data lines and
    a total and signature line (the writer places them and numbers the rows)."""

    file: str
    sheet: str
    header: list[tuple[str, str]]  # (field, header text)
    lines: list[Line] = field(default_factory=list)
    title: str = ""
    unit: str = ""
    total: str = ""  # the field the 合计 line sums, "" for none
    signature: bool = True


class People:
    """Unique valid ID numbers, names, places (the reservoir generator's pieces)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.all: list[Person] = []
        self.by_name: dict[str, list[Person]] = {}
        self._villages: dict[int, list[str]] = {}

    def new(self, county: int, born: dt.date, name: str | None = None) -> Person:
        rng = self.rng
        male = rng.random() < 0.5
        c = COUNTIES[county]
        region = c.old_code if rng.random() < 0.3 and born.year < 1985 else c.code
        while True:
            id18 = fast_id(region, f"{born:%Y%m%d}", int(rng.random() * 500) * 2 + male)
            if id18 not in self.used:
                self.used.add(id18)
                break
        twp = rng.choice(TOWNSHIPS_OF[county])
        if twp not in self._villages:
            self._villages[twp] = villages(rng, rng.randint(4, 10))
        person = Person(
            len(self.all),
            id18,
            name or random_name(rng, male),
            born,
            county,
            _TOWNSHIPS[twp][1],
            rng.choice(self._villages[twp]),
        )
        self.all.append(person)
        self.by_name.setdefault(person.name, []).append(person)
        return person


_HARMLESS = (SPACED, FULLWIDTH, LOWER_X, APOSTROPHE, PADDED)


def ordinary_form(rng: random.Random, person: Person) -> int:
    """Most IDs clean; 6% a harmless variant or a legacy 15-digit number."""
    if rng.random() >= 0.06:
        return CLEAN
    if rng.random() < 0.4 and person.id18[6:8] == "19":
        return LEGACY15
    form = rng.choice(_HARMLESS)
    return APOSTROPHE if form == LOWER_X and not person.id18.endswith("X") else form


def id_cell(line: Line, xlsx: bool) -> str | float:
    if line.raw is not None:
        if line.idf == NUMCELL and xlsx:
            return float(line.raw)
        return line.raw
    return render_id(line.person.id18, line.idf, line.person.pid)


def name_cell(rng: random.Random, name: str) -> str:
    r = rng.random()
    if r < 0.02 and len(name) == 2:
        return name_text(name, 2)  # a full-width space inside
    if r < 0.05:
        return name_text(name, 3)  # spaces around
    return name


UNLINKABLE = (EMPTY, SHORT)
_CYCLE = (TYPO_SUB, NUMCELL, EMPTY, TYPO_SWAP, SHORT, TYPO_SUB, NUMCELL, TYPO_SWAP)


class Damager:
    """Damages IDs only where the engine can still tell who it is (see plant.py): a
    typo one edit from the true ID alone among namesakes, a number cell's 15 digits
    unique by name and 14 digits; an empty or 17-digit ID (nothing to link on) only on
    a row ``alone`` says may stand alone."""

    def __init__(self, rng: random.Random, people: People) -> None:
        self.rng, self.people = rng, people
        self.damaged: set[int] = set()

    def plant(
        self,
        lines: list[Line],
        n: int,
        alone: Callable[[Line], bool],
        linkable: Callable[[Line], bool],
        xlsx_files: set[str],
    ) -> int:
        done = 0
        for i in range(n):
            form = _CYCLE[i % len(_CYCLE)]
            for _ in range(300):
                line = lines[int(self.rng.random() * len(lines))]
                if self._damage(line, form, alone, linkable, xlsx_files):
                    done += 1
                    break
        return done

    def _damage(
        self,
        line: Line,
        form: int,
        alone: Callable[[Line], bool],
        linkable: Callable[[Line], bool],
        xlsx_files: set[str],
    ) -> bool:
        person = line.person
        if person.pid in self.damaged or line.idf != CLEAN or line.raw is not None:
            return False
        if form in UNLINKABLE:
            if not alone(line):
                return False
            raw = "" if form == EMPTY else _drop_digit(self.rng, person.id18)
        else:
            if not linkable(line):
                return False
            found = self._linkable(person, form, line.file in xlsx_files)
            if found is None:
                return False
            raw = found
            if form == NUMCELL and line.file not in xlsx_files:
                form = TEXT000
        line.idf, line.raw = form, raw
        self.damaged.add(person.pid)
        return True

    def _linkable(self, person: Person, form: int, xlsx: bool) -> str | None:
        same = self.people.by_name[person.name]
        if len(same) > 300:
            return None
        if form == NUMCELL:
            raw = text000(person.id18)
            if is_valid18(raw) or sum(p.id18[:14] == person.id18[:14] for p in same) != 1:
                return None
            return str(int(raw)) if xlsx else raw
        typo = _typo(self.rng, person.id18, form)
        if typo is None or is_valid18(typo) or _double_exact(typo):
            return None
        near = [p.pid for p in same if one_edit(p.id18, typo)]
        return typo if near == [person.pid] else None


def _double_exact(text: str) -> bool:
    """A number a double holds exactly: read as what a number cell left (the engine
    cannot tell it from one), so a typo that makes one is not planted."""
    return text.isdigit() and int(float(text)) == int(text)


def _drop_digit(rng: random.Random, id18: str) -> str:
    cut = rng.randrange(18)
    return id18[:cut] + id18[cut + 1 :]


_BLANK_EVERY = 97


def write_tables(tables: list[Table], out: Path, fmt: dict[str, str]) -> None:
    """Write the tables, file by file (``fmt``: file -> "xlsx", "gbk", "utf-8-sig" or
    "utf-8"), recording each line's place (the row Excel or a text editor shows)."""
    by_file: dict[str, list[Table]] = {}
    for t in tables:
        by_file.setdefault(t.file, []).append(t)
    for name, group in by_file.items():
        if fmt[name] == "xlsx":
            _write_xlsx(group, out / name)
        else:
            _write_csv(group, out / name, fmt[name])


def _total(table: Table) -> str:
    if not table.total:
        return ""
    values = [line.values.get(table.total) for line in table.lines]
    return f"{sum(float(str(v).rstrip('亩元').replace(',', '')) for v in values if v):.2f}"


def _cells(table: Table, line: Line, xlsx: bool) -> list[Any]:
    return [id_cell(line, xlsx) if f == "id" else line.values.get(f, "") for f, _ in table.header]


def _write_csv(tables: list[Table], path: Path, encoding: str) -> None:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n" if encoding == "gbk" else "\n")
        width = len(tables[0].header)
        line_no = 0
        head = tables[0]
        if head.title:
            writer.writerow([head.title] + [""] * (width - 1))
            line_no += 1
        writer.writerow([h for _, h in head.header])
        line_no += 1
        batch: list[list[Any]] = []
        for table in tables:
            for i, line in enumerate(table.lines):
                if i % _BLANK_EVERY == 50:
                    batch.append([""] * width)
                    line_no += 1
                batch.append(_cells(table, line, False))
                line_no += 1
                line.file, line.sheet, line.row = path.name, "", line_no
                if len(batch) > 20_000:
                    writer.writerows(batch)
                    batch.clear()
        writer.writerows(batch)
        if head.total:
            fields = [f for f, _ in head.header]
            last = [""] * width
            last[0] = "合计"
            last[fields.index(head.total)] = f"{sum(float(_total(t) or 0) for t in tables):.2f}"
            writer.writerow(last)


def _write_xlsx(tables: list[Table], path: Path) -> None:
    wb = row_workbook(path)
    for table in tables:
        ws = RowSheet(wb.add_worksheet(table.sheet))
        width = len(table.header)
        row = 0
        for text in (table.title, table.unit):
            if text:
                ws.append([text] + [None] * (width - 1))
                row += 1
        ws.append([h for _, h in table.header])
        row += 1
        for i, line in enumerate(table.lines):
            if i % _BLANK_EVERY == 50:
                ws.append([None] * width)
                row += 1
            ws.append(_cells(table, line, True))
            row += 1
            line.file, line.sheet, line.row = path.name, table.sheet, row
        if table.total:
            fields = [f for f, _ in table.header]
            last: list[Any] = [None] * width
            last[0] = "合计"
            last[fields.index(table.total)] = _total(table)
            ws.append(last)
        if table.signature:
            ws.append(["制表人：张某某　　审核人：李某"] + [None] * (width - 1))
    wb.close()


def write_truth(
    path: Path, found: Iterable[tuple[str, Line]], rules: tuple[str, ...]
) -> dict[str, int]:
    """truth.csv (rule, file, sheet, row, person_id, id_form), sorted; counts per rule."""
    order = {r: i for i, r in enumerate(rules)}
    rows = sorted(
        {(rule, ln.file, ln.sheet, ln.row, ln.person.id18, ln.idf) for rule, ln in found},
        key=lambda r: (order[r[0]], r[1], r[2], r[3]),
    )
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(("rule", "file", "sheet", "row", "person_id", "id_form"))
        writer.writerows(rows)
    return {r: sum(1 for x in rows if x[0] == r) for r in rules}


@dataclass(frozen=True)
class Generated:
    """What a program generator wrote: the files by input, truth.csv, the parameter
    values the data were made for, and truth rows per rule."""

    out_dir: Path
    inputs: dict[str, list[Path]]
    truth: Path
    params: dict[str, Any]
    counts: dict[str, int]

    def files(self) -> dict[str, list[Path]]:
        return self.inputs


# --------------------------------------------------------------------------- old age

RULES = ("deceased_payee", "duplicate_payment", "underage_allowance", "invalid_id")
_DATE_STYLES = ("iso", "slash", "cn", "compact", "dot")


def age_on(born: dt.date, day: dt.date) -> int:
    """Full years (周岁) on ``day``, as the rule counts them (YYYYMMDD subtracted)."""
    return (int(f"{day:%Y%m%d}") - int(f"{born:%Y%m%d}")) // 10000


def allowance(age: int) -> int:
    return 600 if age < 90 else 1200 if age < 100 else 3600


@dataclass(eq=False, slots=True)
class _Pay:
    line: Line
    year: int
    day: dt.date  # the payment day (the 2024 list writes only the year)
    dated: bool


class _OldAge:
    def __init__(self, payments: int, seed: int, xlsx: bool) -> None:
        self.rng = random.Random(seed)
        self.xlsx = xlsx
        self.people = People(self.rng)
        self.pays: list[_Pay] = []
        self.rows_of: dict[int, list[_Pay]] = {}
        self.deaths: dict[int, dt.date] = {}
        self.others: list[tuple[Person, dt.date]] = []  # register-only deaths
        self.days = {
            (y, c): dt.date(y, self.rng.randint(3, 11), self.rng.randint(1, 28))
            for y in YEARS
            for c in range(len(COUNTIES))
        }
        self.target = payments

    # -- people and their payments
    def build(self) -> None:
        rng = self.rng
        while len(self.pays) < self.target:
            county = rng.randrange(len(COUNTIES))
            born = dt.date(1921, 1, 1) + dt.timedelta(rng.randrange(365 * 24))
            person = self.people.new(county, born)
            died = None
            if rng.random() < 0.08:
                died = dt.date(2021, 1, 1) + dt.timedelta(rng.randrange(365 * 4))
                self.deaths[person.pid] = died
            for year in YEARS:
                day = self.days[(year, county)]
                if age_on(born, day) >= MIN_AGE and (died is None or day <= died):
                    self.pay(person, year)
        self.plant()
        for _ in range(self.target // 6):
            county = rng.randrange(len(COUNTIES))
            born = dt.date(1925, 1, 1) + dt.timedelta(rng.randrange(365 * 50))
            died = dt.date(2020, 1, 1) + dt.timedelta(rng.randrange(365 * 5))
            self.others.append((self.people.new(county, born), died))

    def pay(self, person: Person, year: int, county: int = -1) -> _Pay:
        county = person.county if county < 0 else county
        day = self.days[(year, county)]
        if self.rng.random() < 0.1:
            day += dt.timedelta(self.rng.randint(5, 25))  # a late batch
        line = Line(person, {"county": COUNTIES[county].name}, ordinary_form(self.rng, person))
        pay = _Pay(line, year, day, year != 2024)
        self.pays.append(pay)
        self.rows_of.setdefault(person.pid, []).append(pay)
        return pay

    def plant(self) -> None:
        rng, n = self.rng, max(3, self.target // 300)
        payees = [p.line.person for p in self.pays]
        for i in range(n):  # paid after death (and near misses: died on or after the day)
            person = rng.choice(payees)
            if person.pid in self.deaths:
                continue
            rows = [p for p in self.rows_of[person.pid] if p.year < 2024]
            if not rows:
                continue
            first = rows[0]
            gap = (1, 0, -3)[i % 3] if i < 9 else rng.choice((-40, -200, 0, 1))
            self.deaths[person.pid] = first.day - dt.timedelta(gap)
        for i in range(n):  # paid before the 80th birthday (near misses: on it)
            year = rng.choice(YEARS[:3])
            county = rng.randrange(len(COUNTIES))
            day = self.days[(year, county)]
            shift = (5, 0, -1, 400)[i % 4] if i < 8 else rng.choice((30, 120, 2000, 0))
            born = day.replace(year=day.year - MIN_AGE) + dt.timedelta(shift)
            person = self.people.new(county, born)
            for y in range(year, 2025):
                self.pay(person, y).day = self.days[(y, county)]
        for i in range(n):  # paid twice in a year (in another county's list, or the same)
            pay = rng.choice(self.pays)
            person = pay.line.person
            other = (person.county + 1) % len(COUNTIES) if i % 2 else -1
            self.pay(person, pay.year, other)

    # -- files
    def tables(self) -> tuple[list[Table], dict[str, str]]:
        rng, tables, fmt = self.rng, [], {}
        heads = (
            [
                ("seq", "序号"),
                ("county", "县市区"),
                ("township", "乡镇(街道)"),
                ("village", "村(社区)"),
                ("name", "姓名"),
                ("id", "公民身份号码"),
                ("born", "出生年月"),
                ("amount", "发放金额"),
                ("date", "发放日期"),
                ("bank", "银行卡号"),
                ("note", "备注"),
            ],
            [
                ("seq", "序号"),
                ("county", "县区"),
                ("township", "乡镇"),
                ("village", "村"),
                ("name", "享受人姓名"),
                ("id", "身份证号码"),
                ("amount", "补贴金额（元）"),
                ("date", "发放时间"),
                ("bank", "一卡通账号"),
            ],
        )
        for year in YEARS:
            if year == 2024:
                name, kind = "2024年高龄津贴发放名单.csv", "utf-8-sig"
                header = [(f, h) for f, h in heads[1] if f != "date"] + [("year", "年度")]
            elif self.xlsx and year < 2023:
                name, kind, header = f"{year}年高龄津贴发放花名册.xlsx", "xlsx", heads[0]
            else:
                name, kind = f"{year}年高龄津贴发放表.csv", "gbk" if year % 2 else "utf-8"
                header = heads[year % 2]
            fmt[name] = kind
            by_county: dict[int, Table] = {}
            for pay in [p for p in self.pays if p.year == year]:
                county = next(
                    i for i, c in enumerate(COUNTIES) if c.name == pay.line.values["county"]
                )
                if county not in by_county:
                    title = f"{COUNTIES[county].name}{year}年度高龄津贴发放花名册"
                    by_county[county] = Table(
                        name,
                        COUNTIES[county].name if kind == "xlsx" else "",
                        header,
                        title=title,
                        unit="单位：元",
                        total="amount",
                    )
                self.cells(pay)
                by_county[county].lines.append(pay.line)
            for c in sorted(by_county):
                table = by_county[c]
                rng.shuffle(table.lines)
                for i, line in enumerate(table.lines):
                    line.values["seq"] = str(i + 1)
                    line.file = name
                tables.append(table)
        return tables, fmt

    def cells(self, pay: _Pay) -> None:
        rng, line, p = self.rng, pay.line, pay.line.person
        amount = allowance(max(age_on(p.born, pay.day), 80))
        style = rng.random()
        line.values.update(
            township=p.twp,
            village=p.village,
            name=name_cell(rng, p.name),
            born=f"{p.born.year}.{p.born.month:02d}",
            amount=f"{amount}.00" if style < 0.6 else f"{amount}元" if style < 0.8 else str(amount),
            date=date_text(pay.day.toordinal(), rng.choice(_DATE_STYLES)) if pay.dated else "",
            year=f"{pay.year}年",
            bank=f"6230{(p.pid * 982451653 + 31415) % 10**15:015d}",
        )

    def death_lines(self) -> list[Line]:
        rng = self.rng
        people = [(self.people.all[pid], d) for pid, d in self.deaths.items()] + self.others
        rng.shuffle(people)
        return [
            Line(
                p,
                {
                    "name": p.name,
                    "died": date_text(d.toordinal(), rng.choice(_DATE_STYLES)),
                    "seq": str(i + 1),
                },
                ordinary_form(rng, p),
            )
            for i, (p, d) in enumerate(people)
        ]

    # -- the truth, from true identity
    def truth(self) -> list[tuple[str, Line]]:
        found: list[tuple[str, Line]] = []
        groups: dict[tuple[int, int], list[_Pay]] = {}
        for pay in self.pays:
            line, p = pay.line, pay.line.person
            if line.raw is not None:
                found.append(("invalid_id", line))
                if line.idf in UNLINKABLE:
                    continue
            groups.setdefault((p.pid, pay.year), []).append(pay)
            died = self.deaths.get(p.pid)
            if died is not None and (pay.day > died if pay.dated else pay.year > died.year):
                found.append(("deceased_payee", line))
            on = pay.day if pay.dated else dt.date(pay.year, 12, 31)
            if age_on(p.born, on) < MIN_AGE:
                found.append(("underage_allowance", line))
        for group in groups.values():
            if len(group) > 1:
                found.extend(("duplicate_payment", g.line) for g in group)
        return found

    def alone(self, line: Line) -> bool:
        """A row whose ID may be lost: the person's only row, not in the death register."""
        p = line.person
        return p.pid not in self.deaths and len(self.rows_of[p.pid]) == 1

    def linkable(self, line: Line) -> bool:
        p = line.person
        return len(self.rows_of[p.pid]) > 1


def generate_old_age(out: Path, *, payments: int, seed: int, xlsx: bool) -> Generated:
    """The old-age program's generator (``xuncha datagen --program old_age``)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    g = _OldAge(payments, seed, xlsx)
    g.build()
    tables, fmt = g.tables()
    lines = [line for t in tables for line in t.lines]
    xlsx_files = {f for f, k in fmt.items() if k == "xlsx"}
    Damager(g.rng, g.people).plant(lines, max(10, payments // 120), g.alone, g.linkable, xlsx_files)
    write_tables(tables, out, fmt)
    death_name = "死亡人员名单.xlsx" if xlsx else "死亡人员名单.csv"
    deaths = Table(
        death_name,
        "死亡人员" if xlsx else "",
        [("seq", "序号"), ("name", "死者姓名"), ("id", "身份证号码"), ("died", "死亡日期")],
        g.death_lines(),
        title="郴州市死亡人员信息（民政、公安、卫健）",
        signature=False,
    )
    write_tables([deaths], out, {death_name: "xlsx" if xlsx else "gbk"})
    truth = out / "truth.csv"
    counts = write_truth(truth, g.truth(), RULES)
    payment_files = sorted({out / t.file for t in tables})
    return Generated(
        out,
        {"payments": payment_files, "deaths": [out / death_name]},
        truth,
        {"min_age": MIN_AGE, "grace_days": 0},
        counts,
    )
