"""The cells of one payment row, shared by the CSV and the xlsx writers."""

from __future__ import annotations

import datetime as dt

from .layout import FileSpec
from .model import Person, Row
from .places import COUNTIES, TOWNSHIPS
from .render import bank_account, id_text, name_text
from .world import World

SIGNERS = ("张某某", "李某", "王某某", "刘某", "陈某某", "曾某", "谭某某", "黄某")


FIELDS = ("seq", "county", "township", "village", "name", "id", "bank", "amount", "date", "note")
"""Every field a payment file may have; row_values returns them in this order."""

_COUNTY_NAMES = tuple(c.name for c in COUNTIES)
_TOWNSHIP_NAMES = tuple(t for _, t in TOWNSHIPS)


def row_values(world: World, row: Row, seq: int, amount: str, date: str) -> tuple[str, ...]:
    """The text of every field of a payment row (amount and date already formatted)."""
    person: Person = world.persons[row.pid]
    twp = row.twp if row.twp >= 0 else person.twp
    return (
        str(seq),
        _COUNTY_NAMES[row.county],
        _TOWNSHIP_NAMES[twp],
        row.village or person.village,
        name_text(person.name, row.nmf) if row.nmf else person.name,
        id_text(row, person) if row.idf or row.raw is not None else person.id18,
        bank_account(row.pid),
        amount,
        date,
        row.note,
    )


def text_cells(world: World, row: Row, seq: int) -> dict[str, str]:
    """The text fields of a payment row by name (amount and date left empty)."""
    return dict(zip(FIELDS, row_values(world, row, seq, "", ""), strict=True))


def title(spec: FileSpec, county: str = "郴州市") -> str:
    """The title a clerk puts above the list; it names the year, as the file name does."""
    if spec.supplement:
        return f"郴州市{spec.year}年水库移民直补资金补发明细"
    return f"{county}{spec.year}年度大中型水库移民后期扶持直补资金发放花名册"


def unit_line(county: str) -> str:
    return f"填报单位：{county}移民事务中心　　单位：元"


def signature(world: World, spec_index: int, county: int) -> str:
    """制表人 line; dated a little before the county's payment day, in the same year."""
    rng = world.rng
    spec = world.specs[spec_index]
    pay = world.pay_dates.get((spec_index, county))
    made = dt.date.fromordinal(pay[0]) - dt.timedelta(rng.randint(3, 20)) if pay else None
    when = f"{made.year}年{made.month}月{made.day}日" if made else f"{spec.year}年6月30日"
    a, b = rng.sample(SIGNERS, 2)
    return f"制表人：{a}　　审核人：{b}　　制表日期：{when}"
