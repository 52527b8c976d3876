"""An over-standard payment whose payee cannot be told (no ID number, or one damaged
beyond a unique match) is reported under its own reason, 无法归属到人, in every output:
the hits (match tier ``unattributed``), hits.csv, the workbook (rule sheet and summary),
the manifest and the CLI's summary. Never silently passed, never added to another row."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from helpers import write_csv
from xuncha.cli import main
from xuncha.crosscheck import check
from xuncha.crosscheck.idnumber import make_id

KNOWN = make_id("431003", dt.date(1950, 1, 2), 123)
LINES = [
    "序号,姓名,身份证号码,发放金额,发放日期",
    f"1,张三,{KNOWN},600,2021-03-05",  # a known person at the standard: no hit
    "2,李四,,1200,2021-03-05",  # no ID, over the standard on its own: hit
    "3,王五,,600,2021-03-05",  # no ID, twice 600 under one name: judged row by row
    "4,王五,,600,2021-04-05",
    "5,赵六,4.31003E+17,900,2021-05-05",  # scientific notation, no unique match: hit
    "6,钱七,,600,2021-05-05",  # no ID at the standard: no hit
]


@pytest.fixture
def payments(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "2021年发放表.csv", LINES)


def over(hits) -> list[tuple[int, str | None]]:
    return [(h["row"], h["match_tier"]) for h in hits.to_pylist() if h["rule"] == "over_standard"]


def test_unattributed_rows_over_the_standard_are_hits_with_their_reason(payments) -> None:
    result = check({"payments": [payments]})
    assert over(result.hits) == [(3, "unattributed"), (6, "unattributed")]
    evidence = {h["row"]: h["evidence"] for h in result.hits.to_pylist()
                if h["rule"] == "over_standard"}  # fmt: skip
    assert evidence[3].startswith("无法归属到人：身份证号码为空")
    assert "1200.00 元" in evidence[3] and "超出 600.00 元" in evidence[3]
    assert evidence[6].startswith("无法归属到人：以科学计数法保存")


def test_the_standard_parameter_reaches_the_unattributed_rows(payments) -> None:
    assert over(check({"payments": [payments]}, params={"standard": 1000}).hits) == [
        (3, "unattributed")
    ]
    assert over(check({"payments": [payments]}, params={"standard": 1200}).hits) == []


def test_a_known_persons_total_is_still_the_person_year(tmp_path: Path) -> None:
    # The same person twice in a year: the usual over-standard group, not unattributed.
    lines = [LINES[0], f"1,张三,{KNOWN},600,2021-03-05", f"2,张三,{KNOWN},600,2021-09-05",
             "3,李四,,1200,2021-03-05"]  # fmt: skip
    hits = check({"payments": [write_csv(tmp_path / "a.csv", lines)]}).hits
    assert over(hits) == [(2, "exact"), (3, "exact"), (4, "unattributed")]


def test_every_output_names_the_reason(payments, tmp_path: Path, capsys) -> None:
    out = tmp_path / "结果"
    code = main(["check", "--payments", str(payments), "--out", str(out)])
    assert code == 0
    assert "超标准发放" in (printed := capsys.readouterr().out)
    assert "（其中无法归属到人 2 条）" in printed

    with (out / "hits.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["rule"] == "over_standard"]
    assert [(r["row"], r["match_tier"]) for r in rows] == [
        ("3", "unattributed"),
        ("6", "unattributed"),
    ]
    assert all(r["evidence"].startswith("无法归属到人") for r in rows)

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    rule = next(r for r in manifest["rules"] if r["id"] == "over_standard")
    assert rule["unattributed"] == {"reason": "无法归属到人", "hits": 2, "amount": "2100.00"}
    assert "unattributed" not in next(r for r in manifest["rules"] if r["id"] == "invalid_id")

    wb = openpyxl.load_workbook(out / "疑点核查表.xlsx")
    sheet = wb["超标准发放"]
    header = [c.value for c in sheet[3]]
    tiers = [row[header.index("匹配方式")] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert tiers == ["无法归属到人", "无法归属到人"]
    summary = [[c.value for c in row] for row in wb["汇总"].iter_rows()]
    at = next(i for i, r in enumerate(summary) if r[0] == "超标准发放")
    assert summary[at][1] == 2 and summary[at + 1][:4] == ["　其中：无法归属到人", 2, None, 2100]


def test_spark_finds_the_same_unattributed_hits(payments) -> None:
    pytest.importorskip("pyspark", reason="make install installs the spark extra")
    from xuncha.crosscheck.engine import CheckConfig, run_check
    from xuncha.crosscheck.spark import spark_session

    spark_session("local[2]", {"spark.driver.memory": "2g"})
    duck = run_check(CheckConfig(inputs={"payments": [payments]}))
    spark = run_check(
        CheckConfig(inputs={"payments": [payments]}, engine="spark", spark_master="local[2]")
    )
    assert over(spark.hits) == over(duck.hits) == [(3, "unattributed"), (6, "unattributed")]
    assert spark.hits.to_pylist() == duck.hits.to_pylist()
