"""The resettled people and their ordinary, correct payments (one 600-yuan row a year).

People are made county by county, township by township, so each sheet comes out in
the order a clerk would list it. Some people join late or leave early; a few share a
name with a neighbour in the same village.
"""

from __future__ import annotations

import random

from .model import (
    APOSTROPHE,
    FULLWIDTH,
    HARMLESS,
    LEGACY15,
    LOWER_X,
    NAME_FULLSPACE,
    NAME_PADDED,
    NAME_PLAIN,
    NAME_SPACE,
    NAME_TRAD,
    YEARS,
    Person,
    Row,
)
from .names import has_traditional
from .places import COUNTIES, TOWNSHIPS_OF
from .world import World


def draw_span(rng: random.Random) -> tuple[int, int]:
    """First and last year paid: most people every year, some join late or leave."""
    start = YEARS[0] if rng.random() < 0.85 else rng.randint(YEARS[1], YEARS[-2])
    end = YEARS[-1] if rng.random() < 0.75 else rng.randint(start, YEARS[-1])
    return start, end


def split(total: int, weights: list[int]) -> list[int]:
    """Whole shares of ``total`` in proportion to ``weights`` (largest remainder)."""
    scale = sum(weights)
    exact = [total * w / scale for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: counts[i] - exact[i])
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def build_payees(world: World, target_rows: int) -> list[Person]:
    """Enough payees, each with a span of years, for about ``target_rows`` rows."""
    rng = world.rng
    spans: list[tuple[int, int]] = []
    total = 0
    while total < target_rows:
        span = draw_span(rng)
        spans.append(span)
        total += span[1] - span[0] + 1
    counts = split(len(spans), [c.weight for c in COUNTIES])
    payees: list[Person] = []
    for county, n in enumerate(counts):
        payees.extend(_county_people(world, county, n))
    for person, span in zip(payees, spans, strict=True):
        for year in range(span[0], span[1] + 1):
            _ordinary_row(world, person, year)
    return payees


def _county_people(world: World, county: int, n: int) -> list[Person]:
    rng = world.rng
    places = []
    for _ in range(n):
        twp = rng.choice(TOWNSHIPS_OF[county])
        vils = world.village_list(twp)
        places.append((twp, rng.randrange(len(vils))))
    places.sort()
    people: list[Person] = []
    for twp, v in places:
        village = world.villages_of[twp][v]
        prev = people[-1] if people else None
        namesake = prev and prev.village == village and rng.random() < 0.03
        name = prev.name if namesake and prev else None
        person = world.new_person(county, (1932, 2005), twp=twp, village=village, name=name)
        if namesake:
            world.stats["namesake_in_village"] += 1
        people.append(person)
    return people


def _ordinary_row(world: World, person: Person, year: int) -> Row:
    """A correct payment; 3% of 2024 ones were missed and paid in the 补发 list instead."""
    rng = world.rng
    supplement = year == YEARS[-1] and rng.random() < 0.03
    row = world.new_row(person, year, supplement=supplement)
    if supplement:
        row.note = "补发"
    if rng.random() >= 0.94:
        row.idf = id_form(rng, person)
    if world.specs[row.spec].traditional:
        row.nmf = name_form(rng, person, True)
    elif rng.random() >= 0.96:
        row.nmf = spaced_form(rng, person)
    return row


def id_form(rng: random.Random, person: Person) -> int:
    """For the 6% of rows not written clean: a harmless variant or a legacy number."""
    if rng.random() < 0.5 and person.born_19xx:
        return LEGACY15
    form = HARMLESS[int(rng.random() * len(HARMLESS))]
    if form == LOWER_X and not person.id18.endswith("X"):
        return FULLWIDTH if rng.random() < 0.5 else APOSTROPHE
    return form


def name_form(rng: random.Random, person: Person, trad_file: bool) -> int:
    """Padding spaces are common; traditional forms only in one clerk's files."""
    if trad_file and has_traditional(person.name) and rng.random() < 0.2:
        return NAME_TRAD
    return spaced_form(rng, person) if rng.random() >= 0.96 else NAME_PLAIN


def spaced_form(rng: random.Random, person: Person) -> int:
    """A space inside a two-character name (half- or full-width), or around the name."""
    r = rng.random()
    if len(person.name) == 2 and r < 0.5:
        return NAME_SPACE if r < 0.25 else NAME_FULLSPACE
    return NAME_PADDED
