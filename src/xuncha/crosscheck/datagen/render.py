"""How a value is written in a cell: names, IDs, dates and amounts in their many forms.

Text forms are cached per (style, value): a payment list has few distinct dates and
amounts, and the 2,000,000-row benchmark must not pay for formatting each one again.
"""

from __future__ import annotations

import datetime as dt
import random
from functools import lru_cache

from .model import (
    NAME_FULLSPACE,
    NAME_PADDED,
    NAME_SPACE,
    NAME_TRAD,
    NUMCELL,
    Person,
    Row,
    render_id,
)
from .names import traditional

EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()


def name_text(name: str, form: int) -> str:
    if form == NAME_SPACE:
        return f"{name[0]} {name[1:]}"
    if form == NAME_FULLSPACE:
        return f"{name[0]}\u3000{name[1:]}"
    if form == NAME_PADDED:
        return f" {name} "
    if form == NAME_TRAD:
        return traditional(name)
    return name


def id_text(row: Row, person: Person) -> str:
    """The ID as text; a number-cell ID in a CSV is its digits (as Excel exports it)."""
    if row.raw is not None:
        return row.raw
    return render_id(person.id18, row.idf, row.rid)


def id_value(row: Row, person: Person) -> str | float:
    """The ID as a cell value: a float for number-cell damage, else text."""
    if row.idf == NUMCELL:
        return float(int(person.id18[:15] + "000"))
    return id_text(row, person)


@lru_cache(maxsize=4096)
def date_text(ordinal: int, style: str) -> str:
    """A date as typed: 2021/3/5, 2021年3月5日, 20210305, 2021.3.5 or 2021-03-05."""
    d = dt.date.fromordinal(ordinal)
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    if style == "compact":
        return f"{d:%Y%m%d}"
    if style == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    return d.isoformat()


def excel_serial(ordinal: int) -> int:
    return ordinal - EXCEL_EPOCH


@lru_cache(maxsize=1024)
def amount_text(amount: int, style: str) -> str:
    """An amount as typed: 600, 600.00, 1,200.00, 600元 or ￥600."""
    if style == "dec":
        return f"{amount:,.2f}"
    if style == "yuan":
        return f"{amount}元"
    if style == "rmb":
        return f"￥{amount:,}"
    return str(amount)


class Picker:
    """Draws a style by weight with one random number (no per-row list building)."""

    def __init__(self, rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> None:
        self.rng = rng
        self.table = [style for style, w in weighted for _ in range(w)]

    def __call__(self) -> str:
        table = self.table
        return table[int(self.rng.random() * len(table))]


def bank_account(pid: int) -> str:
    """A stable 19-digit card number per person (郴州农商银行 cards start 6230)."""
    return f"6230{(pid * 982_451_653_129 + 3_141_592_653) % 10**15:015d}"
