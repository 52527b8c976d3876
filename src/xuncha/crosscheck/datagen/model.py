"""The generator's own records: people, payment rows and register entries.

A payment row keeps its person's *true* identity (``pid``) whatever is written in the
ID cell, so the ground truth is computed from identity, while the files show the forms
(``idf``) a clerk or a spreadsheet produced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

STANDARD = 600
"""Yuan per person per year (水库移民后期扶持直补, since 2006; the data cover 2019-2024)."""

YEARS = tuple(range(2019, 2025))

# ID forms: how the number is written in a cell.
CLEAN, SPACED, FULLWIDTH, LOWER_X, APOSTROPHE, PADDED, LEGACY15 = range(7)
NUMCELL, TEXT000, SCI, TYPO_SUB, TYPO_SWAP, EMPTY, SHORT = range(7, 14)
ID_FORM_NAMES = (
    "clean",
    "spaced",
    "fullwidth",
    "lower_x",
    "apostrophe",
    "padded",
    "legacy15",
    "numcell",
    "text000",
    "sci",
    "typo_sub",
    "typo_swap",
    "empty",
    "short",
)
HARMLESS = (SPACED, FULLWIDTH, LOWER_X, APOSTROPHE, PADDED)
INVALID = frozenset(range(NUMCELL, SHORT + 1))
UNLINKABLE = frozenset((EMPTY, SHORT))
"""Damage that leaves nothing to link on: such rows stand alone (see plant.py)."""

# Name forms.
NAME_PLAIN, NAME_SPACE, NAME_FULLSPACE, NAME_PADDED, NAME_TRAD = range(5)


@dataclass(slots=True)
class Person:
    pid: int
    id18: str
    name: str  # simplified, no spaces: the normalised form
    male: bool
    county: int
    twp: int  # global township index (places.TOWNSHIPS)
    village: str

    @property
    def born_19xx(self) -> bool:
        """Only people born 1900-1999 can have a legacy 15-digit number."""
        return self.id18[6:8] == "19"


@dataclass(slots=True)
class Row:
    """One payment row, before it is written."""

    rid: int
    pid: int
    year: int
    date: int  # proleptic ordinal; 0 = the file has no date column
    amount: int  # yuan
    spec: int  # index of the FileSpec it is written to
    county: int  # the sheet's county (a moved person is paid in another county)
    idf: int = CLEAN
    nmf: int = NAME_PLAIN
    raw: str | None = None  # the damaged ID as written, for the invalid forms
    twp: int = -1  # township override for a moved person
    village: str = ""
    note: str = ""

    def bounds(self) -> tuple[int, int]:
        """The earliest and latest day the payment can have been made."""
        if self.date:
            return self.date, self.date
        return dt.date(self.year, 1, 1).toordinal(), dt.date(self.year, 12, 31).toordinal()


@dataclass(slots=True)
class DeathEntry:
    pid: int
    name: str  # as written (may be a homophone of the person's name)
    idf: int
    date: int  # ordinal of the date of death
    source: str
    file: str = ""  # where the register has it, set when the register is laid out
    sheet: str = ""
    row: int = 0


@dataclass(slots=True)
class Stint:
    pid: int
    name: str
    idf: int
    employer: str
    category: str
    start: int  # ordinal
    end: int | None  # ordinal; None = still employed
    file: str = ""
    sheet: str = ""
    row: int = 0


@dataclass
class Registers:
    deaths: list[DeathEntry] = field(default_factory=list)
    stints: list[Stint] = field(default_factory=list)
    death_of: dict[int, DeathEntry] = field(default_factory=dict)
    stints_of: dict[int, list[Stint]] = field(default_factory=dict)
    aliases: dict[int, str] = field(default_factory=dict)  # pid -> homophone name used

    def add_death(self, entry: DeathEntry) -> None:
        self.deaths.append(entry)
        self.death_of[entry.pid] = entry

    def add_stint(self, stint: Stint) -> None:
        self.stints.append(stint)
        self.stints_of.setdefault(stint.pid, []).append(stint)

    def has(self, pid: int) -> bool:
        return pid in self.death_of or pid in self.stints_of


_FULL = str.maketrans("0123456789", "０１２３４５６７８９")


def render_id(id18: str, form: int, rid: int) -> str:
    """The ID as written for a valid form (the invalid forms carry their own text)."""
    if form == CLEAN:
        return id18
    if form == SPACED:
        sep = "\t" if rid % 4 == 0 else " "
        return f"{id18[:6]}{sep}{id18[6:14]}{sep}{id18[14:]}"
    if form == FULLWIDTH:
        return id18.translate(_FULL)
    if form == LOWER_X:
        return id18.lower()
    if form == APOSTROPHE:
        return "'" + id18
    if form == PADDED:
        return f" {id18} " if rid % 2 else id18 + "  "
    if form == LEGACY15:
        return id18[:6] + id18[8:17]
    raise ValueError(form)


def numcell_value(id18: str) -> float:
    """What a number cell keeps: 15 significant digits, the last three lost."""
    return float(int(id18[:15] + "000"))


def text000(id18: str) -> str:
    """A number cell exported as text: 15 significant digits and then 000."""
    return id18[:15] + "000"


def sci(id18: str) -> str:
    """A number cell exported in Excel's General format: 4.30102E+17."""
    return f"{int(id18[:17]) * 10:.5E}"
