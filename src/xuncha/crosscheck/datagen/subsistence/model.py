"""The generator's records: people, payment rows and register rows, and its constants."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from ..model import (
    CLEAN,
    EMPTY,
    NUMCELL,
    SCI,
    SHORT,
    TEXT000,
    TYPO_SUB,
    TYPO_SWAP,
)
from ..names import random_name
from ..places import COUNTIES, TOWNSHIPS_OF
from ..world import fast_id

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
