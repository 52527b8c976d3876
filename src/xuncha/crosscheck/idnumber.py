"""Resident ID numbers (居民身份证号码, GB 11643-1999) in pure Python.

This is the reference implementation: the engine validates millions of rows in SQL
(see :mod:`xuncha.crosscheck.normalize`), and the tests check that SQL against these
functions. The region code is deliberately *not* checked against a table of current
codes: codes change over time, and an old but valid ID keeps its old code (see
docs/decisions/0003-id-number-validation.md).
"""

from __future__ import annotations

import datetime as dt
import re

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_ID18 = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII only: \d also matches ٠١٢…
_ID15 = re.compile(r"^[0-9]{15}$")


def check_char(first17: str) -> str:
    """The MOD 11-2 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def birth_date(id18: str) -> dt.date | None:
    """Birth date from digits 7-14, or None when they are not a real date."""
    try:
        return dt.datetime.strptime(id18[6:14], "%Y%m%d").date()
    except ValueError:
        return None


def is_valid18(value: str) -> bool:
    """True for an 18-character number with a real, past birth date (1880 on) and a correct
    check digit."""
    if not _ID18.match(value):
        return False
    born = birth_date(value)
    if born is None or born.year < 1880 or born > dt.date.today():
        return False
    return check_char(value[:17]) == value[17]


def from_legacy15(value: str) -> str | None:
    """Convert a 15-digit legacy number (born 19xx) to 18 digits, or None if not one."""
    if not _ID15.match(value):
        return None
    first17 = value[:6] + "19" + value[6:]
    if birth_date(first17 + "0") is None:
        return None
    return first17 + check_char(first17)


def sex(id18: str) -> str:
    """'男' or '女' by the parity of digit 17."""
    return "男" if int(id18[16]) % 2 else "女"


def make_id(region: str, born: dt.date, seq: int) -> str:
    """Build a valid 18-digit number; ``seq`` is the 3-digit order code (parity = sex)."""
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def mask(value: str | None) -> str:
    """Mask for display: first 3 and last 4 characters kept (430***********1234)."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
