"""Loading zone-price and coefficient tables: header synonyms, units in cells, text
dates, GBK CSV and xlsx read in the sandbox; every bad row named with its file, row and
value, and the whole table refused."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from bombs import bomb_xlsx, far_cell_xlsx
from xuncha.policy.tables import (
    TableError,
    load_coefficients,
    load_zone_prices,
    parse_coefficient,
    parse_date,
    parse_price,
)

D = Decimal


def xlsx(rows: list[list[object]], *, date_cells: bool = False) -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet("区片价")
    fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                ws.write_datetime(r, c, value, fmt)
            elif value is not None:
                ws.write(r, c, value)
    wb.close()
    return out.getvalue()


def test_gbk_csv_with_title_synonyms_units_and_a_merged_county() -> None:
    text = ("长沙市征地区片综合地价表\n"
            "序号,县（市、区）,片区,综合地价（万元/亩）,生效日期,备注\n"
            "1,长沙市区,一区,12.98,2024年1月1日,\n"
            "2,,二区,\"120,000元/亩\",2024/1/1,原为11.5万\n"
            "合计,,,,,\n"
            "制表人：张三,,,,,\n")  # fmt: skip
    rows = load_zone_prices(text.encode("gbk"), name="长沙.csv")
    assert [(z.county, z.zone, z.price, z.effective, z.where) for z in rows] == [
        ("长沙市区", "1区", D("129800.00"), dt.date(2024, 1, 1), "长沙.csv 第3行"),
        ("长沙市区", "2区", D("120000.00"), dt.date(2024, 1, 1), "长沙.csv 第4行"),
    ]


def test_xlsx_with_numbers_and_date_cells() -> None:
    data = xlsx([["县市区", "区片", "区片综合地价（元/亩）", "施行日期"],
                 ["株洲市区", "1区", 121000, dt.datetime(2024, 1, 1)],
                 ["株洲市区", "2区", 110500.5, "2024.1.1"]])  # fmt: skip
    rows = load_zone_prices(data, name="株洲.xlsx")
    assert [(z.zone, z.price, z.effective) for z in rows] == [
        ("1区", D("121000.00"), dt.date(2024, 1, 1)),
        ("2区", D("110500.50"), dt.date(2024, 1, 1)),
    ]


def test_coefficients_table() -> None:
    text = "地类,系数,施行日期\n旱地,0.9倍,2024-01-01\n园地,75%,20240101\n林地,0.6,2024-01-01\n"
    coefs = load_coefficients(text.encode("utf-8-sig"), name="系数.csv")
    assert [(c.land_class, c.coefficient) for c in coefs] == [
        ("旱地", D("0.9")),
        ("园地", D("0.75")),
        ("林地", D("0.6")),
    ]


def test_wrong_columns_are_refused_naming_what_is_needed() -> None:
    with pytest.raises(
        TableError,
        match=re.escape(
            "「价.csv」前 10 行中找不到表头：需要“县市区、区片、区片综合地价（元/亩）、施行日期”"
        ),
    ):
        load_zone_prices("县市区,区片,金额\n长沙市区,1区,124800\n".encode(), name="价.csv")


def test_every_bad_row_is_named_and_nothing_is_loaded() -> None:
    text = ("县市区,区片,区片综合地价（元/亩）,施行日期\n"
            "长沙市区,1区,124800,2024-01-01\n"
            "长沙市区,2区,十二万,2024-01-01\n"
            "长沙市区,3区,100000,2024年13月1日\n"
            ",4区,100000,2024-01-01\n"
            "长沙市区,一区,130000,2024-01-01\n")  # fmt: skip
    with pytest.raises(TableError) as err:
        load_zone_prices(text.encode(), name="价.csv")
    msg = str(err.value)
    assert msg.startswith("「价.csv」未导入（整表未写入任何数据）")
    assert "第 3 行：区片综合地价「十二万」不是大于 0 的金额" in msg
    assert "第 4 行：施行日期「2024年13月1日」不是日期" in msg
    assert "第 6 行：长沙市区 一区（2024-01-01 施行）与第 2 行重复" in msg
    # row 5's blank county takes the one above (a merged cell), so it is not an error
    assert "第 5 行" not in msg


def test_bad_coefficients() -> None:
    text = (
        "地类,系数,施行日期\n其他农用地,0.9,2024-01-01\n旱地,-1,2024-01-01\n草地,0.5,2024-01-01\n"
    )
    with pytest.raises(TableError) as err:
        load_coefficients(text.encode(), name="系数.csv")
    msg = str(err.value)
    assert "第 2 行：其他农用地按旱地标准执行" in msg
    assert "第 3 行：系数「-1」不是大于 0、不超过 10 的数" in msg
    assert "第 4 行：地类「草地」不是" in msg


def test_undecodable_and_empty_files() -> None:
    with pytest.raises(TableError, match="空文件"):
        load_zone_prices(b"", name="空.csv")
    with pytest.raises(TableError, match=re.escape("「坏.xlsx」无法读取")):
        load_zone_prices(b"PK\x03\x04" + b"\x00" * 100, name="坏.xlsx")


@pytest.mark.parametrize(("text", "value"), [
    ("124800", "124800.00"), ("124,800.00", "124800.00"), ("124800元/亩", "124800.00"),
    ("12.48万元", "124800.00"), ("￥124800", "124800.00"), ("１２４８００", "124800.00"),
    ("0", None), ("abc", None), ("1.234", None), ("-5", None)])  # fmt: skip
def test_prices(text: str, value: str | None) -> None:
    assert parse_price(text) == (D(value) if value else None)


@pytest.mark.parametrize(("text", "value"), [
    ("2024-01-01", dt.date(2024, 1, 1)), ("2024/1/1", dt.date(2024, 1, 1)),
    ("2024.1.1", dt.date(2024, 1, 1)), ("2024年1月1日", dt.date(2024, 1, 1)),
    ("20240101", dt.date(2024, 1, 1)), ("2024-01-01 00:00:00", dt.date(2024, 1, 1)),
    ("45292", dt.date(2024, 1, 1)), ("2024-02-30", None), ("明年", None)])  # fmt: skip
def test_dates(text: str, value: dt.date | None) -> None:
    assert parse_date(text) == value


def test_coefficient_cells() -> None:
    assert parse_coefficient("1.68") == D("1.68") and parse_coefficient("80%") == D("0.8")
    assert parse_coefficient("11") is None and parse_coefficient("0") is None


@pytest.mark.parametrize(
    ("make", "expected"),
    [(far_cell_xlsx, "使用范围异常大"), (lambda p: bomb_xlsx(p, megabytes=64), "疑似压缩炸弹")],
)
def test_a_hostile_workbook_is_refused_naming_the_file(
    tmp_path: Path, make: Any, expected: str
) -> None:
    data = make(tmp_path / "恶意.xlsx").read_bytes()
    with pytest.raises(TableError) as err:
        load_zone_prices(data, name="恶意.xlsx")
    assert str(err.value).startswith("「恶意.xlsx」") and expected in str(err.value)
