"""Shared test helpers: build small, deliberately messy input files."""

from __future__ import annotations

import datetime as dt

import pytest

from xuncha.crosscheck.idnumber import make_id


@pytest.fixture
def ids() -> dict[str, str]:
    """A few valid ID numbers with known owners."""
    return {
        "zhang": make_id("431003", dt.date(1950, 1, 2), 123),
        "li": make_id("431003", dt.date(1960, 5, 6), 456),
        "wang": make_id("431081", dt.date(1970, 7, 8), 789),
        "zhao": make_id("431081", dt.date(1971, 7, 8), 781),
        "old": make_id("432822", dt.date(1941, 3, 9), 335),  # a code no longer current
    }
