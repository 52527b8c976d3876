"""Messy data with ground truth for the farmland-protection subsidy (耕地地力保护补贴).

Chenzhou's subsidy lists for 2022-2024, village by village: a row per contracted parcel
(地块编号, 补贴面积 in 亩, often written "2.35亩"), except the 2023 list, which has one
row per household with its total area and no parcel number; a 2024 补发 list; and the
contract register (土地承包经营权确权登记: a row per parcel with its 确权面积).
Planted: areas subsidised beyond the contracted area (an area overstated, a parcel
that is not in the register), the same parcel subsidised twice in a year (to the same
person in the 补发 list, or to a neighbour too), damaged ID numbers; near misses (an
area 0.01 亩 over, the margin; parcels left out, so less than contracted).
``truth.csv`` names each row every rule must flag, from true identity.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from .old_age import (
    UNLINKABLE,
    Damager,
    Generated,
    Line,
    People,
    Person,
    Table,
    name_cell,
    ordinary_form,
    write_tables,
    write_truth,
)
from .places import COUNTIES
from .render import date_text

YEARS = (2022, 2023, 2024)
HOUSEHOLD_YEAR = 2023  # that year's list has a row per household, no parcel numbers
MARGIN = 1  # 0.01 亩, in hundredths
RATES = {2022: 105.18, 2023: 103.65, 2024: 101.92}  # 元/亩 in the generated lists
RULES = ("area_over_contract", "land_subsidised_twice", "farmland_invalid_id")
_FULL = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass(eq=False, slots=True)
class Parcel:
    land_id: str
    area: int  # hundredths of a 亩
    holder: Person


@dataclass(eq=False, slots=True)
class _Sub:
    """A subsidy row: whose, which parcel (None: a household row), which year, area."""

    line: Line
    year: int
    parcel: Parcel | None
    area: int
    extra: bool = False  # a parcel that is not in the register


@dataclass
class _Farmland:
    payments: int
    seed: int
    xlsx: bool
    rng: random.Random = field(init=False)
    people: People = field(init=False)
    parcels_of: dict[int, list[Parcel]] = field(default_factory=dict)
    register: list[Parcel] = field(default_factory=list)  # a parcel listed twice: twice
    subs: list[_Sub] = field(default_factory=list)
    days: dict[tuple[int, int], dt.date] = field(default_factory=dict)
    next_land: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.people = People(self.rng)
        self.days = {
            (y, c): dt.date(y, self.rng.randint(5, 11), self.rng.randint(1, 28))
            for y in YEARS
            for c in range(len(COUNTIES))
        }

    def land_id(self, person: Person) -> str:
        self.next_land += 1
        # 发包方 (county, township, village, group) and the parcel's number: 19 digits
        return f"{COUNTIES[person.county].code}{self.next_land:013d}"

    def build(self) -> None:
        rng = self.rng
        while len(self.subs) < self.payments:
            county = rng.randrange(len(COUNTIES))
            born = dt.date(1945, 1, 1) + dt.timedelta(rng.randrange(365 * 50))
            person = self.people.new(county, born)
            parcels = [
                Parcel(self.land_id(person), rng.randint(20, 400), person)
                for _ in range(rng.choice((1, 1, 2, 2, 2, 3, 3, 4)))
            ]
            self.parcels_of[person.pid] = parcels
            self.register.extend(parcels)
            if rng.random() < 0.04:
                continue  # contracted, but claims nothing
            for year in YEARS:
                kept = [p for p in parcels if rng.random() >= 0.04]
                if year == HOUSEHOLD_YEAR:
                    if kept:
                        self.sub(person, year, None, sum(p.area for p in kept))
                else:
                    for p in kept:
                        self.sub(person, year, p, p.area)
        for p in rng.sample(self.register, max(2, len(self.register) // 400)):
            self.register.append(p)  # listed twice in the register
        self.plant()

    def sub(self, person: Person, year: int, parcel: Parcel | None, area: int) -> _Sub:
        line = Line(
            person, {"county": COUNTIES[person.county].name}, ordinary_form(self.rng, person)
        )
        s = _Sub(line, year, parcel, area)
        self.subs.append(s)
        return s

    def plant(self) -> None:
        rng, n = self.rng, max(4, self.payments // 250)
        subs = list(self.subs)
        for i in range(n):  # areas over the contract (and near misses at the margin)
            s = rng.choice(subs)
            mode = i % 4
            if mode == 3:  # a parcel no register has (开荒 or another village's)
                area = rng.randint(30, 300)
                extra = self.sub(s.line.person, s.year, None, area)
                if s.year != HOUSEHOLD_YEAR:
                    extra.parcel = Parcel(self.land_id(s.line.person), area, s.line.person)
                extra.extra = True
            else:
                s.area += (MARGIN, rng.randint(10, 250), rng.choice((50, 100, 200)))[mode]
        parcels = [x for x in subs if x.parcel is not None]
        for i in range(n):  # the same parcel twice in a year
            s = rng.choice(parcels)
            if i % 3 == 2:  # a neighbour claims it too
                p = s.line.person
                other = self.people.new(
                    p.county, dt.date(1960, 1, 1) + dt.timedelta(i * 37 % 14600)
                )
                self.parcels_of[other.pid] = [Parcel(self.land_id(other), 120, other)]
                self.register.extend(self.parcels_of[other.pid])
                self.sub(other, s.year, self.parcels_of[other.pid][0], 120)
                self.sub(other, s.year, s.parcel, s.area)
            else:  # paid again in the 补发 list (or twice in the same one)
                again = self.sub(s.line.person, s.year, s.parcel, s.area)
                again.line.values["note"] = "补发" if i % 3 == 0 else ""
                again.line.values["late"] = "1" if i % 3 == 0 and s.year == 2024 else ""

    # -- files
    def tables(self) -> tuple[list[Table], dict[str, str]]:
        head = [
            ("seq", "序号"),
            ("county", "县市区"),
            ("township", "乡镇"),
            ("village", "村"),
            ("name", "户主姓名"),
            ("id", "身份证号码"),
            ("land", "地块编号"),
            ("area", "补贴面积（亩）"),
            ("amount", "补贴金额（元）"),
            ("date", "发放日期"),
            ("bank", "社保卡号"),
            ("note", "备注"),
        ]
        csv_head = [
            ("seq", "序号"),
            ("county", "县区"),
            ("township", "乡镇(街道)"),
            ("village", "村(社区)"),
            ("name", "姓名"),
            ("id", "公民身份号码"),
            ("land", "承包地块编码"),
            ("area", "计税面积"),
            ("amount", "补贴金额"),
            ("date", "拨付日期"),
            ("bank", "一卡通账号"),
        ]
        files = {
            2022: ("2022年耕地地力保护补贴发放清册.xlsx", "xlsx")
            if self.xlsx
            else ("2022年耕地地力保护补贴发放清册.csv", "gbk"),
            2023: ("2023年耕地地力保护补贴发放清册.csv", "gbk"),
            2024: ("2024年耕地地力保护补贴发放清册.csv", "utf-8"),
        }
        late = ("2024年耕地地力保护补贴补发清册.csv", "utf-8-sig")
        fmt = {name: kind for name, kind in (*files.values(), late)}
        tables: dict[tuple[str, int], Table] = {}
        for s in self.subs:
            name, kind = late if s.line.values.get("late") else files[s.year]
            header = head if kind == "xlsx" else csv_head
            if s.year == HOUSEHOLD_YEAR:
                header = [h for h in head if h[0] != "land"]
            county = s.line.person.county
            key = (name, county if kind == "xlsx" else 0)
            if key not in tables:
                title = f"{COUNTIES[county].name if kind == 'xlsx' else '郴州市'}{s.year}年耕地地力保护补贴发放清册"
                tables[key] = Table(
                    name,
                    COUNTIES[county].name if kind == "xlsx" else "",
                    header,
                    title=title,
                    unit="单位：亩、元",
                    total="amount",
                )
            self.cells(s)
            tables[key].lines.append(s.line)
        out = [tables[k] for k in sorted(tables)]
        for t in out:
            t.lines.sort(key=lambda ln: (ln.values["township"], ln.values["village"]))
            for i, ln in enumerate(t.lines):
                ln.values["seq"], ln.file = str(i + 1), t.file
        return out, fmt

    def cells(self, s: _Sub) -> None:
        rng, p = self.rng, s.line.person
        day = self.days[(s.year, p.county)] + dt.timedelta(20 if s.line.values.get("late") else 0)
        area = f"{s.area // 100}.{s.area % 100:02d}"
        r = rng.random()
        amount = round(s.area / 100 * RATES[s.year], 2)
        s.line.values.update(
            township=p.twp,
            village=p.village,
            name=name_cell(rng, p.name),
            land=_land_text(rng, s.parcel.land_id) if s.parcel else "",
            area=area + "亩" if r < 0.4 else area + "0" if r < 0.5 else area,
            amount=f"{amount:.2f}",
            date=date_text(day.toordinal(), rng.choice(("iso", "slash", "cn"))),
            bank=f"6230{(p.pid * 982451653 + 27) % 10**15:015d}",
        )

    def register_table(self) -> Table:
        name = "土地承包经营权确权登记.xlsx" if self.xlsx else "土地承包经营权确权登记.csv"
        header = [
            ("seq", "序号"),
            ("county", "县市区"),
            ("name", "承包方代表姓名"),
            ("id", "承包方代表证件号码"),
            ("land", "承包地块编码"),
            ("area", "确权面积（亩）"),
        ]
        lines = []
        for i, parcel in enumerate(self.register):
            p = parcel.holder
            area = f"{parcel.area // 100}.{parcel.area % 100:02d}"
            lines.append(
                Line(
                    p,
                    {
                        "seq": str(i + 1),
                        "county": COUNTIES[p.county].name,
                        "name": p.name,
                        "land": parcel.land_id,
                        "area": area + ("亩" if i % 5 == 0 else ""),
                    },
                )
            )
        return Table(
            name,
            "确权登记" if self.xlsx else "",
            header,
            lines,
            title="郴州市农村土地承包经营权确权登记数据（承包地块）",
            signature=False,
        )

    # -- the truth, from true identity
    def truth(self) -> list[tuple[str, Line]]:
        found: list[tuple[str, Line]] = []
        people: dict[tuple[int, int], list[_Sub]] = {}
        lands: dict[tuple[str, int], list[_Sub]] = {}
        for s in self.subs:
            if s.line.raw is not None:
                found.append(("farmland_invalid_id", s.line))
            if s.parcel is not None:
                lands.setdefault((s.parcel.land_id, s.year), []).append(s)
            if s.line.idf not in UNLINKABLE:
                people.setdefault((s.line.person.pid, s.year), []).append(s)
        for (pid, _), group in people.items():
            contracted = sum(p.area for p in self.parcels_of.get(pid, ()))
            if pid in self.parcels_of and sum(s.area for s in group) > contracted + MARGIN:
                found.extend(("area_over_contract", s.line) for s in group)
        for group in lands.values():
            if len(group) > 1:
                found.extend(("land_subsidised_twice", s.line) for s in group)
        return found


def _land_text(rng: random.Random, land_id: str) -> str:
    r = rng.random()
    if r < 0.05:
        return f"{land_id[:6]} {land_id[6:14]} {land_id[14:]}"
    if r < 0.08:
        return land_id.translate(_FULL)
    return land_id


def generate_farmland(out: Path, *, payments: int, seed: int, xlsx: bool) -> Generated:
    """The farmland program's generator (``xuncha datagen --program farmland``)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    g = _Farmland(payments, seed, xlsx)
    g.build()
    tables, fmt = g.tables()
    lines = [ln for t in tables for ln in t.lines]
    xlsx_files = {f for f, k in fmt.items() if k == "xlsx"}
    Damager(g.rng, g.people).plant(
        lines, max(10, payments // 120), lambda ln: True, lambda ln: True, xlsx_files
    )
    write_tables(tables, out, fmt)
    register = g.register_table()
    write_tables([register], out, {register.file: "xlsx" if xlsx else "gbk"})
    truth = out / "truth.csv"
    counts = write_truth(truth, g.truth(), RULES)
    files = sorted({out / t.file for t in tables})
    return Generated(
        out,
        {"farmland_payments": files, "contracts": [out / register.file]},
        truth,
        {"area_margin": "0.01"},
        counts,
    )
