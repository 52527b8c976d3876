"""The death register and the public payroll: planted hits, near misses and everyone else.

A planted deceased payee dies *between* two of their payments, so exactly the later
rows are hits; a legitimately deceased payee dies after their last payment (a near
miss). Payroll stints are placed the same way around the payment dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from .model import HARMLESS, LEGACY15, LOWER_X, DeathEntry, Person, Row, Stint
from .names import homophone
from .places import COUNTIES, employer
from .world import World

FIRST_DEATH = dt.date(2015, 1, 1).toordinal()
LAST_DAY = dt.date(2024, 12, 31).toordinal()
_SOURCES = ("民政殡葬", "公安户籍", "卫健死亡医学证明")
_CATEGORIES = ("行政编制", "事业编制", "工勤人员", "编外聘用")
_WEIGHTS = [c.weight for c in COUNTIES]


def sorted_rows(world: World, pid: int) -> list[Row]:
    return sorted(world.rows_of[pid], key=lambda r: (r.bounds()[0], r.rid))


def _register_name(world: World, person: Person, share: float) -> str:
    """The name as the register has it: sometimes a homophone of the payment list's."""
    if not share:
        return person.name
    alias = homophone(person.name)
    if alias != person.name and world.rng.random() < share:
        world.regs.aliases[person.pid] = alias
        world.stats["homophone_in_register"] += 1
        return alias
    return person.name


def _register_idf(world: World, person: Person, legacy_share: float) -> int:
    """Registers are typed by other clerks: old people's 15-digit numbers survive there."""
    r = world.rng.random()
    if r < legacy_share and person.born_19xx:
        world.stats["legacy15_in_register"] += 1
        return LEGACY15
    if r > 0.97:
        form = world.rng.choice(HARMLESS)
        return 0 if form == LOWER_X and not person.id18.endswith("X") else form
    return 0


def _payee(
    world: World,
    payees: list[Person],
    born_from: int = 0,
    ok: Callable[[list[Row]], bool] | None = None,
) -> tuple[Person, list[Row]]:
    """A random payee in no register yet, with one row a year (and ``ok`` if given)."""
    for attempt in range(2000):
        p = world.rng.choice(payees)
        if world.regs.has(p.pid) or int(p.id18[6:10]) < born_from:
            continue
        rows = sorted_rows(world, p.pid)
        if not rows or len({r.year for r in rows}) != len(rows):
            continue
        if ok is None or ok(rows) or attempt >= 1000:
            return p, rows
    raise RuntimeError("no payee left to plant on")


def _in_kind(world: World, rows: list[Row], kind: str) -> bool:
    return any(world.specs[r.spec].kind == kind for r in rows)


def _last_in(world: World, kind: str, last: int) -> Callable[[list[Row]], bool]:
    """Whether one of the last ``last`` rows is in a file of this kind."""
    return lambda rows: _in_kind(world, rows[-last:], kind)


def _ends(before_2024: bool) -> Callable[[list[Row]], bool]:
    return lambda rows: (rows[-1].year < 2024) == before_2024


def _add_death(world: World, person: Person, date: int, planted: bool) -> None:
    world.regs.add_death(
        DeathEntry(
            pid=person.pid,
            name=_register_name(world, person, 0.3 if planted else 0.0),
            idf=_register_idf(world, person, 0.2 if planted else 0.03),
            date=date,
            source=world.rng.choice(_SOURCES),
        )
    )


def plant_deceased(world: World, payees: list[Person], n: int, kinds: Sequence[str]) -> None:
    """Payees who died and were paid 1-3 more times after their death.

    The i-th one has a paid-after-death row in a file of kind ``kinds[i % len(kinds)]``.
    """
    rng = world.rng
    done = 0
    for _ in range(50 * n):
        if done >= n:
            return
        hits = rng.choice((1, 1, 1, 2, 2, 3))
        kind = kinds[done % len(kinds)]
        person, rows = _payee(world, payees, ok=_last_in(world, kind, hits))
        hits = min(len(rows), hits)
        j = len(rows) - hits
        lo = rows[j - 1].bounds()[1] + 1 if j else FIRST_DEATH
        hi = rows[j].bounds()[0] - 1
        if lo > hi:
            continue
        _add_death(world, person, rng.randint(max(lo, hi - 3 * 365), hi), True)
        world.stats["deceased_paid_after_death"] += 1
        done += 1


def plant_legit_deaths(world: World, payees: list[Person], n: int) -> None:
    """Payees who died after their last payment (near misses: paid before the death).

    Most were then taken off the list (their last payment is before 2024).
    """
    rng = world.rng
    for i in range(n):
        person, rows = _payee(world, payees, ok=_ends(before_2024=i % 3 != 0))
        last = rows[-1].bounds()[1]
        if last >= LAST_DAY:
            continue
        date = rng.randint(last + 1, min(last + 400, LAST_DAY))
        _add_death(world, person, date, True)
        if rows[-1].date and dt.date.fromordinal(date).year == rows[-1].year:
            world.stats["near_paid_before_death_same_year"] += 1
        world.stats["near_died_after_last_payment"] += 1


def _add_stint(
    world: World, person: Person, start: int, end: int | None, planted: bool = True
) -> None:
    rng = world.rng
    world.regs.add_stint(
        Stint(
            pid=person.pid,
            name=_register_name(world, person, 0.3 if planted else 0.0),
            idf=_register_idf(world, person, 0.1 if planted else 0.01),
            employer=employer(rng, person.county),
            category=rng.choice(_CATEGORIES),
            start=start,
            end=end,
        )
    )


def plant_payroll(world: World, payees: list[Person], n: int, kinds: Sequence[str]) -> None:
    """Payees on the public payroll while paid: 1-3 of their payments fall in the stint.

    The i-th one is employed at a payment in a file of kind ``kinds[i % len(kinds)]``.
    """
    rng = world.rng
    done = 0
    for _ in range(50 * n):
        if done >= n:
            return
        kind = kinds[done % len(kinds)]
        person, rows = _payee(world, payees, 1958, _last_in(world, kind, 99))
        a = rng.choice([i for i, r in enumerate(rows) if world.specs[r.spec].kind == kind])
        b = min(len(rows) - 1, a + rng.choice((0, 0, 1, 2)))
        lo = rows[a - 1].bounds()[1] + 1 if a else dt.date(1990, 1, 1).toordinal()
        hi = rows[a].bounds()[0]
        end: int | None = None
        if b + 1 < len(rows):
            end_lo, end_hi = rows[b].bounds()[1], rows[b + 1].bounds()[0] - 1
            if end_lo > end_hi or lo > hi:
                continue
            end = rng.randint(end_lo, end_hi)
        elif rng.random() < 0.3 and rows[b].bounds()[1] < LAST_DAY:
            end = rng.randint(rows[b].bounds()[1], LAST_DAY)
        if lo > hi:
            continue
        _add_stint(world, person, rng.randint(max(lo, hi - 6 * 365), hi), end)
        world.stats["payroll_paid_while_employed"] += 1
        done += 1


def plant_payroll_near(world: World, payees: list[Person], n: int) -> None:
    """Payees employed only before their first or after their last payment."""
    rng = world.rng
    for i in range(n):
        person, rows = _payee(world, payees, born_from=1958)
        if i % 2:
            start = rows[-1].bounds()[0] + 1
            if start > LAST_DAY:
                continue
            _add_stint(world, person, rng.randint(start, min(start + 700, LAST_DAY)), None)
            world.stats["near_employed_after_last_payment"] += 1
        else:
            end = rows[0].bounds()[0] - rng.randint(1, 1500)
            _add_stint(world, person, end - rng.randint(200, 4000), end)
            world.stats["near_left_before_first_payment"] += 1


def plant_namesakes(world: World, payees: list[Person], n: int) -> None:
    """Other people with a payee's name in the registers: never a hit (different ID)."""
    rng = world.rng
    for i in range(n):
        payee, rows = _payee(world, payees)
        other = world.new_person(payee.county, (1925, 1990), name=payee.name)
        if i % 2 == 0:
            date = rng.randint(FIRST_DEATH, max(FIRST_DEATH, rows[-1].bounds()[0] - 1))
            _add_death(world, other, date, False)
            world.stats["near_namesake_in_death_register"] += 1
        else:
            start = rows[0].bounds()[0] - rng.randint(30, 3000)
            _add_stint(world, other, start, None, planted=False)
            world.stats["near_namesake_on_payroll"] += 1


def fill_deaths(world: World, target: int) -> None:
    """Everyone else who died in Chenzhou 2015-2024 (not reservoir migrants)."""
    rnd = world.rng.random
    need = target - len(world.regs.deaths)
    for county in _counties(world, need):
        person = world.new_person(county, (1920, 1970))
        _add_death(world, person, FIRST_DEATH + int(rnd() * (LAST_DAY - FIRST_DEATH)), False)


def fill_payroll(world: World, target: int) -> None:
    """Everyone else on the public payroll."""
    rnd = world.rng.random
    need = target - len(world.regs.stints)
    for county in _counties(world, need):
        person = world.new_person(county, (1962, 2001))
        born_year = int(person.id18[6:10])
        start = dt.date(max(born_year + 19, 1985), 1, 1).toordinal() + int(rnd() * 3650)
        start = min(start, LAST_DAY - 30)
        end = None if rnd() < 0.8 else start + 30 + int(rnd() * (LAST_DAY - start - 30))
        _add_stint(world, person, start, end, planted=False)


def _counties(world: World, n: int) -> list[int]:
    """Counties for n people, in proportion to where people live."""
    if n <= 0:
        return []
    return world.rng.choices(range(len(COUNTIES)), _WEIGHTS, k=n)
