"""The SQL normalisation, held to the pure-Python reference and to the messy forms
DESIGN.md lists."""

import datetime as dt
from decimal import Decimal

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xuncha.crosscheck import idnumber
from xuncha.crosscheck.dialect import DuckDBDialect
from xuncha.crosscheck.ingest import create_raw_table
from xuncha.crosscheck.normalize import (
    amount_sql,
    date_sql,
    extra_values,
    name_sql,
    normalize_table,
    simplify_names,
)

D = DuckDBDialect()


def normalise_ids(values: list[str | None]) -> list[tuple]:
    con = duckdb.connect()
    create_raw_table(con)
    con.executemany(
        "INSERT INTO raw (rid, src, dataset, file, sheet, row_no, kind, name, id_number) "
        "VALUES (?, 1, 'payments', 'f', '', ?, 'data', '某', ?)",
        [[i, i, v] for i, v in enumerate(values)],
    )
    normalize_table(con, D)
    return con.execute("SELECT id_status, id18, id_value FROM norm ORDER BY row_no").fetchall()


def scalar(sql: str, value: object) -> object:
    row = duckdb.connect().execute(f"SELECT {sql} FROM (SELECT CAST(? AS VARCHAR) AS v)", [value])
    return row.fetchall()[0][0]


_ID_LIKE = st.one_of(
    st.text(alphabet="0123456789X", min_size=18, max_size=18),
    st.builds(
        idnumber.make_id,
        st.from_regex(r"[1-8][0-9]{5}", fullmatch=True),
        st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)),
        st.integers(0, 999),
    ),
)


@settings(max_examples=10, deadline=None)
@given(st.lists(_ID_LIKE, min_size=100, max_size=100))
def test_sql_validity_matches_python_reference(values: list[str]) -> None:
    rows = normalise_ids(list(values))
    wrong = [
        (value, status, id18)
        for value, (status, id18, _) in zip(values, rows, strict=True)
        if ((status, id18) == ("valid", value)) != idnumber.is_valid18(value)
    ]
    assert wrong == []


def test_harmless_variants_are_valid(ids: dict[str, str]) -> None:
    x = ids["wang"]
    full = x.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    variants = [f" {x[:6]} {x[6:14]}\t{x[14:]} ", full, "'" + x, f"{x[:6]}\u3000{x[6:]}"]
    assert normalise_ids(variants) == [("valid", x, None)] * len(variants)


def test_lower_case_x() -> None:
    number = next(
        n
        for seq in range(1000)
        if (n := idnumber.make_id("430102", dt.date(1990, 1, 1), seq)).endswith("X")
    )
    assert normalise_ids([number.lower()]) == [("valid", number, None)]


def test_legacy_15_digit_converts() -> None:
    assert normalise_ids(["430102900101123"]) == [("legacy", "430102199001011238", None)]


def test_number_cell_damage_detected(ids: dict[str, str]) -> None:
    x = ids["zhang"]
    as_excel_csv = x[:15] + "000"
    as_float_text = str(int(float(x)))  # a double printed in full: float noise at the end
    sci = f"{x[0]}.{x[1:6]}E+17"
    rows = normalise_ids([as_excel_csv, as_float_text, sci])
    assert [r[0] for r in rows] == ["damaged"] * 3
    assert abs(rows[0][2] - int(x)) < 1000 and abs(rows[1][2] - int(x)) < 100
    assert abs(rows[2][2] - int(x)) < 10**12


def test_checksum_passing_by_chance_is_suspect_not_damaged() -> None:
    number = next(
        n for seq in range(0, 1000, 10)
        if (n := idnumber.make_id("430102", dt.date(1990, 1, 1), seq)).endswith("000")
    )  # fmt: skip
    con = duckdb.connect()
    create_raw_table(con)
    con.execute(
        "INSERT INTO raw (rid, src, dataset, file, sheet, row_no, kind, name, id_number) "
        "VALUES (1, 1, 'payments', 'f', '', 1, 'data', '某', ?)",
        [number],
    )
    normalize_table(con, D)
    assert con.execute("SELECT id_status, id_suspect FROM norm").fetchall() == [("valid", True)]


@pytest.mark.parametrize(
    "born",
    ["20000229", "19000229", "19990229", "19960229", "18800101", "18791231", "19990431",
     "19991231", "19991301", "19990100", "29990101"],
)  # fmt: skip
def test_birth_dates_decided_by_arithmetic_as_by_the_calendar(born: str) -> None:
    first17 = f"430102{born}123"
    number = first17 + idnumber.check_char(first17)
    status = normalise_ids([number])[0][0]
    assert (status == "valid") == idnumber.is_valid18(number)


@pytest.mark.parametrize(
    "value",
    ["43010219900101123", "4301021990010112345", "43010219901301123X", "abc", "430102199001011239"],
)
def test_invalid_numbers(value: str) -> None:
    assert normalise_ids([value])[0][0] == "invalid"


def test_missing() -> None:
    assert normalise_ids([None, "  "])[0][0] == "missing"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-03-05", dt.date(2021, 3, 5)),
        ("2021-03-05 00:00:00", dt.date(2021, 3, 5)),
        ("2021/3/5", dt.date(2021, 3, 5)),
        ("2021年3月5日", dt.date(2021, 3, 5)),
        ("20210305", dt.date(2021, 3, 5)),
        ("2021.3.5", dt.date(2021, 3, 5)),
        ("44260", dt.date(2021, 3, 5)),  # Excel serial
        ("44260.0", dt.date(2021, 3, 5)),
        ("２０２１年３月５日", dt.date(2021, 3, 5)),
        ("2021年3月", dt.date(2021, 3, 1)),
        ("2021-02-30", None),
        ("不详", None),
    ],
)
def test_dates(text: str, expected: dt.date | None) -> None:
    assert scalar(date_sql(D, "v"), text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("600", "600"), ("600.00", "600"), ("600元", "600"), ("￥600", "600"), ("¥1,200.50", "1200.50"),
     ("６００", "600"), ("六百", None), ("12.48万元", "124800"), ("1.2万", "12000"), ("1.234567万元", "12345.67"),
     ("3万5", None)],
)  # fmt: skip
def test_amounts(text: str, expected: str | None) -> None:
    got = scalar(amount_sql(D, "v"), text)
    assert got == (Decimal(expected) if expected else None)


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [("area", "2.35亩", Decimal("2.35")), ("area", "２.５ 亩", Decimal("2.5")), ("area", "两亩", None),
     ("flag", "是", True), ("flag", " 否 ", False), ("flag", "√", True), ("flag", "不详", None),
     ("code", " ａb-0１ ", "AB-01"), ("code", "  ", None), ("text", " 水田 ", "水田")],
)  # fmt: skip
def test_the_kinds_of_the_added_roles(kind: str, text: str, expected: object) -> None:
    assert scalar(extra_values(D, kind, "v"), text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("张 三", "张三"), ("张\u3000三", "张三"), ("陳國華", "陈国华"), ("張三（已故）", "张三"),
     ("买买提•艾力", "买买提·艾力"), (" ", None)],
)  # fmt: skip
def test_names(text: str, expected: str | None) -> None:
    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE t AS SELECT {name_sql(D, 'v')} AS n FROM (SELECT CAST(? AS VARCHAR) AS v)",
        [text],
    )
    simplify_names(con, "t", "n")
    assert con.execute("SELECT n FROM t").fetchall() == [(expected,)]
