"""Row-level hits: duplicate payments, amounts over the standard, and damaged IDs.

Damage is planted only where the engine can still tell who was paid, so that the
ground truth (computed from true identity) is also what a correct engine finds:

* number-cell damage (15 significant digits kept): the person's normalised name plus
  the first 14 digits must be unique among everyone in the data set, and the damaged
  number must fail the check digit (1 in 11 would pass and look like another ID);
* scientific notation (4.30102E+17): name plus the first 5 digits unique;
* a typo (one digit substituted, two adjacent digits swapped): among people of the
  same name, only the true person's ID is one such edit away;
* an empty or 17-digit ID leaves nothing to link on: such a row is the person's only
  payment that year and the person is in neither register, so it is a hit of
  ``invalid_id`` only, however an engine treats it.

Each person has at most one damaged row, and never one whose register entry uses a
homophone of their name.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import partial

from ..idnumber import is_valid18
from .model import (
    CLEAN,
    EMPTY,
    HARMLESS,
    ID_FORM_NAMES,
    LEGACY15,
    NUMCELL,
    SCI,
    SHORT,
    TEXT000,
    TYPO_SUB,
    TYPO_SWAP,
    Person,
    Row,
    sci,
    text000,
)
from .places import TOWNSHIPS_OF
from .population import name_form
from .world import World

DAMAGE_CYCLE = (
    TYPO_SUB,
    NUMCELL,
    TEXT000,
    EMPTY,
    SCI,
    TYPO_SWAP,
    SHORT,
    TYPO_SUB,
    NUMCELL,
    TEXT000,
    EMPTY,
    TYPO_SWAP,
)
"""Every kind early, so even a small set shows each one."""

_MAX_NAMESAKES = 300  # skip very common names (checking them would be slow)


def year_rows(world: World, row: Row) -> list[Row]:
    return [r for r in world.rows_of[row.pid] if r.year == row.year]


def pick_row(
    world: World, rows: list[Row], ok: Callable[[Row], bool], tries: int = 400
) -> Row | None:
    for _ in range(tries):
        row = world.rng.choice(rows)
        if ok(row):
            return row
    return None


def _single(world: World, row: Row) -> bool:
    """The person's only row that year, at the standard amount."""
    return row.amount == 600 and len(year_rows(world, row)) == 1


def _insert_randomly(world: World, row: Row) -> None:
    """Move a just-added row from the end of its sheet to a random place in it."""
    sheet = world.sheets[(row.spec, row.county)]
    sheet.pop()
    sheet.insert(world.rng.randrange(len(sheet) + 1), row)


def _extra_row(world: World, orig: Row, where: str) -> Row:
    """Another payment to the same person in the same year."""
    rng = world.rng
    person = world.persons[orig.pid]
    if where == "supplement":
        row = world.new_row(person, orig.year, supplement=True)
        row.note = "补发"
    elif where == "moved":
        county = _other_county(world, orig)
        row = world.new_row(person, orig.year, county=county)
        row.twp = rng.choice(TOWNSHIPS_OF[county])
        row.village = rng.choice(world.village_list(row.twp))
        _insert_randomly(world, row)
    else:
        row = world.new_row(person, orig.year, county=orig.county)
        row.twp, row.village = orig.twp, orig.village
        _insert_randomly(world, row)
    row.idf = rng.choice((CLEAN, CLEAN, *HARMLESS[:2], LEGACY15 if person.born_19xx else CLEAN))
    row.nmf = name_form(rng, person, world.specs[row.spec].traditional)
    return row


def _other_county(world: World, orig: Row) -> int:
    """A county paid from a different file that year if there is one, else any other."""
    others = [c for (y, c, s), spec in world.route.items() if y == orig.year and not s]
    others = [c for c in others if c != orig.county]
    elsewhere = [c for c in others if world.route[(orig.year, c, False)] != orig.spec]
    return world.rng.choice(elsewhere or others)


def plant_duplicates(world: World, kinds: dict[str, list[Row]], n: int) -> None:
    """Paid twice (or three times, or in two halves) in one calendar year."""
    rng = world.rng
    names = list(kinds)
    for i in range(n):
        orig = pick_row(world, kinds[names[i % len(names)]], lambda r: _single(world, r))
        if orig is None:
            continue
        modes = ("same", "elsewhere", "split", "triple")
        mode = modes[i] if i < len(modes) else rng.choices(modes, (50, 30, 15, 5))[0]
        if mode == "elsewhere":
            where = "supplement" if orig.year == 2024 and orig.note != "补发" else "moved"
            _extra_row(world, orig, where)
        elif mode == "split":
            extra = _extra_row(world, orig, "same")
            orig.amount = extra.amount = 300
            orig.note, extra.note = "上半年", "下半年"
        else:
            for _ in range(2 if mode == "triple" else 1):
                _extra_row(world, orig, "same")
        world.stats[f"duplicate_{mode}"] += 1


def plant_over(world: World, kinds: dict[str, list[Row]], n: int) -> None:
    """A single payment above the standard (often two years' money paid at once)."""
    names = list(kinds)
    for i in range(n):
        row = pick_row(world, kinds[names[i % len(names)]], lambda r: _single(world, r))
        if row is None:
            continue
        row.amount = 1200 if i < len(names) else world.rng.choice((800, 900, 1200, 1800))
        if row.amount >= 1200:
            row.note = "含补发"
        world.stats["over_single_row"] += 1


class Damager:
    """Plants damaged IDs where identity stays recoverable (see the module docstring)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.rng: random.Random = world.rng
        self.by_name: dict[str, list[Person]] = {}
        for p in world.persons:
            self.by_name.setdefault(p.name, []).append(p)
        for pid, alias in world.regs.aliases.items():
            self.by_name.setdefault(alias, []).append(world.persons[pid])

    def plant(self, kinds: dict[str, list[Row]], n: int) -> None:
        for i in range(n):
            form = DAMAGE_CYCLE[i % len(DAMAGE_CYCLE)]
            if form == NUMCELL and "xlsx" not in kinds:
                form = TEXT000  # the CSV form of the same damage
            pool = self._pool(kinds, form, i)
            if pool:
                row = pick_row(self.world, pool, partial(self._damage, form=form))
                if row is not None:
                    self.world.stats[f"damaged_{ID_FORM_NAMES[form]}"] += 1

    def _pool(self, kinds: dict[str, list[Row]], form: int, i: int) -> list[Row]:
        if form == NUMCELL:
            return kinds["xlsx"]
        if form in (TEXT000, SCI):
            csv = [k for k in ("gbk", "utf8") if k in kinds]
            return kinds[csv[i % len(csv)]]
        names = list(kinds)
        return kinds[names[i % len(names)]]

    def _damage(self, row: Row, form: int) -> bool:
        """Damage the row's ID if the person can take it; False to try another row."""
        world = self.world
        person = world.persons[row.pid]
        if row.pid in world.damaged or row.pid in world.regs.aliases or row.idf == LEGACY15:
            return False
        if form in (EMPTY, SHORT):
            raw = self._unlinkable(row, person, form)
        else:
            if len(world.rows_of[row.pid]) < 2:
                return False
            raw = self._linkable(person, form)
        if raw is None:
            return False
        row.idf, row.raw = form, raw
        world.damaged.add(row.pid)
        world.raws.add(raw)
        return True

    def _unlinkable(self, row: Row, person: Person, form: int) -> str | None:
        if self.world.regs.has(row.pid) or not _single(self.world, row):
            return None
        if form == EMPTY:
            return ""
        cut = self.rng.randrange(18)
        return person.id18[:cut] + person.id18[cut + 1 :]

    def _linkable(self, person: Person, form: int) -> str | None:
        same = self.by_name[person.name]
        if len(same) > _MAX_NAMESAKES:
            return None
        if form in (NUMCELL, TEXT000):
            raw = text000(person.id18)
            if is_valid18(raw):  # 1 in 11 pass the check digit: they would be another ID
                return None
            unique = sum(p.id18[:14] == person.id18[:14] for p in same) == 1
            return raw if unique else None
        if form == SCI:
            unique = sum(p.id18[:5] == person.id18[:5] for p in same) == 1
            return sci(person.id18) if unique else None
        typo = _typo(self.rng, person.id18, form)
        if typo is None or typo in self.world.raws or is_valid18(typo):
            return None
        near = [p.pid for p in same if one_edit(p.id18, typo)]
        return typo if near == [person.pid] else None


def _typo(rng: random.Random, id18: str, form: int) -> str | None:
    if form == TYPO_SUB:
        pos = rng.randrange(18)
        choices = "0123456789X" if pos == 17 else "0123456789"
        new = rng.choice([c for c in choices if c != id18[pos]])
        return id18[:pos] + new + id18[pos + 1 :]
    pos = rng.randrange(16)
    a, b = id18[pos], id18[pos + 1]
    if a == b:
        return None
    return id18[:pos] + b + a + id18[pos + 2 :]


def one_edit(a: str, b: str) -> bool:
    """True when b is a with one character substituted or two adjacent ones swapped."""
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) == 1:
        return True
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]]
        and a[diff[1]] == b[diff[0]]
    )
