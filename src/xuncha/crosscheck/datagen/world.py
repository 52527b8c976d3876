"""The generator's state: everyone, every payment row and the two registers.

Persons are made here (payees and register-only people alike) so that every ID is
unique and every ID is a valid GB 11643 number; damage is applied to rows later.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from ..idnumber import CHECK_CHARS, WEIGHTS
from .layout import FileSpec, routes
from .model import Person, Registers, Row
from .names import random_name
from .places import COUNTIES, TOWNSHIPS, TOWNSHIPS_OF, villages


@cache
def _jan1(year: int) -> int:
    return dt.date(year, 1, 1).toordinal()


@cache
def _ymd(ordinal: int) -> str:
    return f"{dt.date.fromordinal(ordinal):%Y%m%d}"


@cache
def _weighted(digits: str, offset: int) -> int:
    return sum(int(c) * w for c, w in zip(digits, WEIGHTS[offset:], strict=False))


def fast_id(region: str, ymd: str, seq: int) -> str:
    """Same result as idnumber.make_id, with the weighted sums of its parts cached
    (a million people are made for the large benchmark)."""
    tail = f"{seq:03d}"
    total = _weighted(region, 0) + _weighted(ymd, 6) + _weighted(tail, 14)
    return f"{region}{ymd}{tail}{CHECK_CHARS[total % 11]}"


# A few people were born elsewhere in Hunan (宁乡, 邵东, 祁阳, 衡南) and moved in.
_INCOMERS = ("430124", "430521", "431121", "430422")


@dataclass
class World:
    rng: random.Random
    specs: list[FileSpec]
    persons: list[Person] = field(default_factory=list)
    rows_of: list[list[Row]] = field(default_factory=list)  # by pid
    sheets: dict[tuple[int, int], list[Row]] = field(default_factory=dict)  # (spec, county)
    regs: Registers = field(default_factory=Registers)
    used_ids: set[str] = field(default_factory=set)
    villages_of: dict[int, list[str]] = field(default_factory=dict)  # by township
    pay_dates: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    stats: Counter[str] = field(default_factory=Counter)
    damaged: set[int] = field(default_factory=set)  # pids with a damaged ID somewhere
    raws: set[str] = field(default_factory=set)  # damaged IDs already written
    next_rid: int = 0

    def __post_init__(self) -> None:
        self.route = routes(self.specs)

    def village_list(self, twp: int) -> list[str]:
        if twp not in self.villages_of:
            self.villages_of[twp] = villages(self.rng, self.rng.randint(4, 12))
        return self.villages_of[twp]

    def new_id(self, county: int, born: int, male: bool) -> str:
        """A fresh valid number; older people often keep a pre-1995 region code."""
        rnd = self.rng.random
        c = COUNTIES[county]
        ymd = _ymd(born)
        r = rnd()
        if r < 0.02:
            region = _INCOMERS[int(r * 200) % len(_INCOMERS)]
        elif r < 0.3 and ymd < "1985":
            region = c.old_code
        else:
            region = c.code
        while True:
            id18 = fast_id(region, ymd, int(rnd() * 500) * 2 + male)
            if id18 not in self.used_ids:
                self.used_ids.add(id18)
                return id18

    def new_person(
        self,
        county: int,
        born_years: tuple[int, int],
        *,
        twp: int | None = None,
        village: str | None = None,
        name: str | None = None,
    ) -> Person:
        rnd = self.rng.random
        male = rnd() < 0.5
        first, last = born_years
        born = _jan1(first + int(rnd() * (last - first + 1))) + int(rnd() * 365)
        if twp is None:
            options = TOWNSHIPS_OF[county]
            twp = options[int(rnd() * len(options))]
        if village is None:
            vils = self.village_list(twp)
            village = vils[int(rnd() * len(vils))]
        person = Person(
            len(self.persons),
            self.new_id(county, born, male),
            name or random_name(self.rng, male),
            male,
            county,
            twp,
            village,
        )
        self.persons.append(person)
        self.rows_of.append([])
        return person

    def new_row(
        self, person: Person, year: int, *, supplement: bool = False, county: int = -1
    ) -> Row:
        """A 600-yuan row on the county's usual payment date, appended to its sheet.

        ``county`` differs from the person's own for someone paid where they moved to.
        """
        county = person.county if county < 0 else county
        spec = self.route[(year, county, supplement)]
        row = Row(
            rid=self.next_rid,
            pid=person.pid,
            year=year,
            date=self.payment_date(spec, county, supplement),
            amount=600,
            spec=spec,
            county=county,
        )
        self.next_rid += 1
        self.rows_of[person.pid].append(row)
        self.sheets.setdefault((row.spec, row.county), []).append(row)
        return row

    def payment_date(self, spec: int, county: int, supplement: bool) -> int:
        """Most of a county's list is paid on one day; late additions a few weeks later."""
        fs = self.specs[spec]
        if not fs.has_date:
            return 0
        key = (spec, county)
        if key not in self.pay_dates:
            rng = self.rng
            first_month = 9 if supplement else 3
            base = dt.date(fs.year, rng.randint(first_month, 11), rng.randint(1, 28))
            later = base + dt.timedelta(rng.randint(10, 30))
            self.pay_dates[key] = (base.toordinal(), later.toordinal())
        base_ord, later_ord = self.pay_dates[key]
        return base_ord if self.rng.random() < 0.85 else later_ord

    def township_name(self, twp: int) -> str:
        return TOWNSHIPS[twp][1]
