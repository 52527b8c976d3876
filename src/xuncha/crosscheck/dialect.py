"""Everything that differs between SQL engines, in one place.

Rules and normalisation are written once against this small vocabulary. DuckDB is the
embedded engine; :class:`SparkDialect` implements the same methods for Spark SQL. Text is
compared by *character*: DuckDB's ``levenshtein`` counts bytes, which on Chinese text
(3 bytes a character in UTF-8) gives distances three times too large, so it is not used.
"""

from __future__ import annotations


def lit(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


class DuckDBDialect:
    name = "duckdb"
    big_int = "HUGEINT"  # holds an 18-digit ID number times ten

    def param(self, name: str) -> str:
        """The marker of a bound parameter: a value sent beside the query, never in it."""
        return f"${name}"

    def create_table(self, name: str, sql: str) -> str:
        """The statement that makes table ``name`` from ``sql`` (for printing the SQL a
        run executes; the DuckDB session runs it as it is, Spark's its equivalent)."""
        return f"CREATE OR REPLACE TABLE {name} AS\n{sql}"

    def spread(self, values: list[str]) -> str:
        """One row per value, in a SELECT list (like ``unnest``)."""
        return f"unnest([{', '.join(values)}])"

    def regexp_replace_all(self, expr: str, pattern: str, replacement: str) -> str:
        return f"regexp_replace({expr}, {lit(pattern)}, {lit(replacement)}, 'g')"

    def regexp_extract(self, expr: str, pattern: str, group: int) -> str:
        return f"regexp_extract({expr}, {lit(pattern)}, {group})"

    def matches(self, expr: str, pattern: str) -> str:
        """True when ``pattern`` matches anywhere (anchor it with ^…$ for the whole)."""
        return f"regexp_matches({expr}, {lit(pattern)})"

    def translate(self, expr: str, source: str, target: str) -> str:
        """Character-for-character replacement (both engines count characters)."""
        return f"translate({expr}, {lit(source)}, {lit(target)})"

    def int_div(self, a: str, b: str) -> str:
        return f"({a} // {b})"

    def full_match(self, expr: str, pattern: str) -> str:
        return f"regexp_full_match({expr}, {lit(pattern)})"

    def char_at(self, expr: str, pos: int) -> str:
        """The character at 1-based ``pos``."""
        return f"substr({expr}, {pos}, 1)"

    def make_date(self, year: str, month: str, day: str) -> str:
        """A date, or NULL when the parts are not a real date (2021-02-30).

        ``try_strptime`` never raises; ``TRY(make_date(…))`` would, and DuckDB then
        re-evaluates the whole vector row by row — 17× slower on 2 million rows.
        """
        return f"CAST(try_strptime({year} || '-' || {month} || '-' || {day}, '%Y-%m-%d') AS DATE)"

    def parse_date(self, expr: str, formats: tuple[str, ...]) -> str:
        """A date from text in the first of ``formats`` that fits, or NULL."""
        listed = ", ".join(lit(f) for f in formats)
        return f"CAST(try_strptime({expr}, [{listed}]) AS DATE)"

    def parse_yyyymmdd(self, digits: str) -> str:
        """A date from 8 digits (20210305), or NULL."""
        return f"CAST(try_strptime({digits}, '%Y%m%d') AS DATE)"

    def add_days(self, date: str, days: str) -> str:
        return f"CAST({date} + to_days(CAST({days} AS INTEGER)) AS DATE)"

    def days_between(self, start: str, end: str) -> str:
        return f"date_diff('day', {start}, {end})"

    def to_decimal(self, expr: str) -> str:
        return f"TRY_CAST({expr} AS DECIMAL(18, 2))"

    def to_double(self, expr: str) -> str:
        return f"TRY_CAST({expr} AS DOUBLE)"

    def mismatches(self, a: str, b: str, length: int) -> str:
        """How many of the first ``length`` characters differ (a and b that long)."""
        terms = [
            f"CASE WHEN substr({a}, {i}, 1) <> substr({b}, {i}, 1) THEN 1 ELSE 0 END"
            for i in range(1, length + 1)
        ]
        return "(" + " + ".join(terms) + ")"

    def is_transposition(self, a: str, b: str, length: int) -> str:
        """True when b is a with two adjacent characters swapped, within ``length``."""
        cases = []
        for i in range(1, length):
            rest = length - i - 1
            cases.append(
                f"(left({a}, {i - 1}) = left({b}, {i - 1})"
                f" AND substr({a}, {i}, 1) = substr({b}, {i + 1}, 1)"
                f" AND substr({a}, {i + 1}, 1) = substr({b}, {i}, 1)"
                f" AND substr({a}, {i + 2}, {rest}) = substr({b}, {i + 2}, {rest}))"
            )
        return "(" + " OR ".join(cases) + ")"

    def exact_as_double(self, v: str) -> str:
        """True when an 18-digit number (a BIGINT column) is a value a double holds
        exactly (a multiple of the double's spacing at that magnitude: 16 below 2^57 …
        128 below 2^60): it survives the round trip through a double unchanged."""
        return f"(CAST(CAST({v} AS DOUBLE) AS BIGINT) = {v})"

    def char_length(self, expr: str) -> str:
        return f"length({expr})"


class SparkDialect(DuckDBDialect):
    """Spark SQL (3.4 or later, ANSI mode off). Only what the linking and the rules use
    differs; normalisation runs on DuckDB for both engines."""

    name = "spark"
    big_int = "DECIMAL(38, 0)"

    def param(self, name: str) -> str:
        return f":{name}"  # spark.sql(query, args={name: value})

    def create_table(self, name: str, sql: str) -> str:
        # The session checkpoints the DataFrame and registers it as this temporary view.
        return f"CREATE OR REPLACE TEMPORARY VIEW {name} AS\n{sql}"

    def spread(self, values: list[str]) -> str:
        return f"explode(array({', '.join(values)}))"

    def int_div(self, a: str, b: str) -> str:
        return f"({a} div {b})"

    def make_date(self, year: str, month: str, day: str) -> str:
        return f"try_to_date(concat_ws('-', {year}, {month}, {day}), 'y-M-d')"

    def add_days(self, date: str, days: str) -> str:
        return f"date_add({date}, CAST({days} AS INT))"

    def days_between(self, start: str, end: str) -> str:
        return f"datediff({end}, {start})"


DIALECTS: dict[str, DuckDBDialect] = {"duckdb": DuckDBDialect(), "spark": SparkDialect()}
"""Each engine's dialect, by the engine name ``check(engine=…)`` takes."""
