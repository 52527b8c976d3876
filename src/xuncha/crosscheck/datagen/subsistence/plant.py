"""Payees, and the hits and near misses of each rule planted among them."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from ...idnumber import is_valid18
from ..model import (
    CLEAN,
    NUMCELL,
    SCI,
    SHORT,
    TEXT000,
    TYPO_SUB,
    TYPO_SWAP,
    sci,
    text000,
)
from ..places import COUNTIES, employer
from ..plant import _typo
from .model import DAMAGE, DAY, HOLDERS, NOT_HOLDERS, VEHICLE_LIMIT, YEARS, Data, Entry, Pay


def plant_payees(data: Data, payments: int) -> None:
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


def plant_registers(data: Data, n: int) -> None:
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


def plant_damage(data: Data, n: int) -> None:
    """Damaged IDs on rows of people in no register, paid once that year, whose name
    no one else has: a damaged ID is linked through the name, and two namesakes with
    damaged IDs could be linked to one person (a duplicate the truth does not have)."""
    rng = data.rng
    in_regs = data.registered
    names = Counter(p.name for p in data.people)
    done: set[int] = set()
    for i in range(n):
        form = DAMAGE[i % len(DAMAGE)]
        for _ in range(1000):
            row = data.rows[int(rng.random() * len(data.rows))]
            if row.pid in in_regs or row.pid in done or row.idf != CLEAN:
                continue
            if names[data.people[row.pid].name] > 1:
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
