"""The SQL check character (the telescoped weighted sum of normalize.check_sum_sql)
against the pure-Python reference, on every digit in every place."""

import random

import duckdb

from xuncha.crosscheck import idnumber
from xuncha.crosscheck.dialect import DuckDBDialect
from xuncha.crosscheck.normalize import check_char_sql


def test_sql_check_char_matches_python_reference() -> None:
    rng = random.Random(17)
    numbers = [rng.randrange(10**17) for _ in range(20000)]
    # Each place holding each digit, the extremes, and numbers with leading zeros.
    numbers += [d * 10**k for k in range(17) for d in range(10)] + [10**17 - 1, 0, 1]
    con = duckdb.connect()
    con.execute("CREATE TABLE n AS SELECT unnest(?::BIGINT[]) AS n", [numbers])
    got = con.execute(
        f"SELECT n, {check_char_sql(DuckDBDialect(), 'n')} FROM n ORDER BY rowid"
    ).fetchall()
    wrong = [n for n, c in got if c != idnumber.check_char(f"{n:017d}")]
    assert len(got) == len(numbers) and wrong == []
