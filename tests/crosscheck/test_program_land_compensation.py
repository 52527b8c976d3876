"""The land-compensation payment check (征地补偿款发放): the SQL's due amount equals
landcomp.calculate, each rule's hit and near miss, unchecked parcels with their reason,
accuracy on generated data, and identical hits on Spark."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from xuncha.crosscheck.datagen.land_compensation import generate_land_compensation
from xuncha.crosscheck.engine import CheckConfig, run_check
from xuncha.crosscheck.errors import InputError
from xuncha.crosscheck.evaluate import evaluate
from xuncha.crosscheck.programs.land_compensation import PROGRAM
from xuncha.policy.landcomp import Coefficient, Due, Parcel, calculate, default_standards

PARCEL_HEAD = ["地块编号", "县市区", "区片", "地类", "是否永久基本农田", "是否恢复属性",
               "面积（亩）", "征收土地公告日期", "批准日期"]  # fmt: skip
PAY_HEAD = ["地块编号", "款项", "金额", "收款人", "发放日期"]
COEFS = "地类,系数,施行日期\n旱地,0.8,2024-01-01\n园地,0.9,2024-01-01\n林地,0.7,2024-01-01\n"


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _run(tmp_path: Path, parcels: list[list[str]], payments: list[list[str]], **kw):
    coefs = tmp_path / "地类系数表.csv"
    coefs.write_text(COEFS, encoding="utf-8")
    config = CheckConfig(
        inputs={"parcels": [_write(tmp_path / "地块.csv", [PARCEL_HEAD, *parcels])],
                "land_payments": [_write(tmp_path / "发放.csv", [PAY_HEAD, *payments])]},
        program="land_compensation", table_files={"coefficients": [coefs]}, **kw,
    )  # fmt: skip
    return run_check(config)


def _hits(result, rule: str) -> dict[int, str]:
    return {h["row"]: h["evidence"] for h in result.hits.to_pylist() if h["rule"] == rule}


def _standards():
    coefs = [Coefficient(k, Decimal(v), date(2024, 1, 1))
             for k, v in (("旱地", "0.8"), ("园地", "0.9"), ("林地", "0.7"))]  # fmt: skip
    return default_standards().merged(coefficients=coefs)


CASES = [  # county, zone, class, basic, restored, area
    ("长沙市区", "1区", "水田", False, False, "3.33"),
    ("株洲市区", "1区", "旱地", False, False, "2.17"),
    ("湘潭市区", "1区", "园地", False, False, "1.01"),
    ("衡阳市区", "1区", "林地", False, False, "7.77"),
    ("长沙市区", "1区", "其他农用地", False, False, "0.33"),
    ("株洲市区", "1区", "未利用地", False, False, "5.55"),
    ("湘潭市区", "1区", "旱地", True, False, "1.23"),  # 1.68 over 0.8
    ("衡阳市区", "1区", "未利用地", False, True, "4.44"),  # 0.8 over 0.5
    ("长沙市区", "1区", "水田", True, True, "0.07"),  # 1.68 over 1 and 0.8
]


def test_sql_due_equals_calculate_for_each_coefficient(tmp_path: Path):
    """Each parcel is paid 1.01 yuan less than calculate's due: every one an underpaid
    hit whose due in the evidence is calculate's to the fen."""
    std = _standards()
    parcels, payments, expected = [], [], {}
    for n, (county, zone, klass, basic, restored, area) in enumerate(CASES, start=1):
        p = Parcel(county, zone, klass, basic, restored, Decimal(area), date(2024, 3, 1), None)
        due = calculate(p, std)
        assert isinstance(due, Due)
        expected[n + 1] = due.amount
        parcels.append([f"DK{n}", county, zone, klass, "是" if basic else "否",
                        "是" if restored else "否", area + "亩", "2024年3月1日", ""])  # fmt: skip
        land = (due.amount * Decimal("0.4")).quantize(Decimal("0.01"))
        payments += [[f"DK{n}", "土地补偿费", str(land), "甲", "2024-05-01"],
                     [f"DK{n}", "安置补助费", str(due.amount - land - Decimal("1.01")), "乙",
                      "2024-05-01"]]  # fmt: skip
    result = _run(tmp_path, parcels, payments)
    hits = _hits(result, "land_underpaid")
    assert set(hits) == set(expected)
    for row, amount in expected.items():
        assert f"应发 {amount} 元" in hits[row] and "少发 1.01 元" in hits[row]
    assert not _hits(result, "land_unchecked")


def test_exactly_one_yuan_short_is_not_a_hit_and_split_tolerance(tmp_path: Path):
    std = _standards()
    due = calculate(Parcel("长沙市区", "1区", "水田", False, False, Decimal("2"),
                           date(2024, 2, 1), None), std)  # fmt: skip
    assert isinstance(due, Due) and due.amount == Decimal("249600.00")
    parcels = [["A1", "长沙市区", "1区", "水田", "否", "否", "2", "2024-02-01", ""],
               ["A2", "长沙市区", "1区", "水田", "否", "否", "2", "2024-02-01", ""]]  # fmt: skip
    payments = [["A1", "土地补偿费", "99840.00", "甲", "2024-03-01"],
                ["A1", "安置补助费", "149759.00", "甲", "2024-03-01"],  # 1.00 short; split 0.4 off
                ["A2", "土地补偿费", "80000", "乙", "2024-03-01"],  # 32% of the total
                ["A2", "安置补助费", "16.96万元", "乙", "2024-03-01"]]  # fmt: skip
    result = _run(tmp_path, parcels, payments)
    assert _hits(result, "land_underpaid") == {}
    split = _hits(result, "land_split")
    assert set(split) == {3} and "土地补偿费 80000.00 元" in split[3]


def test_transition_cases(tmp_path: Path):
    """Announced before 2024-01-01 keeps the old standard (none loaded: unchecked with
    the reason); approved before it but not announced takes the new one."""
    parcels = [["T1", "长沙市区", "1区", "水田", "否", "否", "1", "2023-12-20", "2023-11-01"],
               ["T2", "长沙市区", "1区", "水田", "否", "否", "1", "", "2023-11-01"]]  # fmt: skip
    payments = [["T1", "土地补偿费", "40000", "甲", "2024-02-01"],
                ["T1", "安置补助费", "60000", "甲", "2024-02-01"],
                ["T2", "土地补偿费", "40000", "乙", "2024-02-01"],
                ["T2", "安置补助费", "60000", "乙", "2024-02-01"]]  # fmt: skip
    result = _run(tmp_path, parcels, payments)
    unchecked = _hits(result, "land_unchecked")
    assert (
        set(unchecked) == {2} and "征收土地公告日期 2023-12-20 时没有施行中的标准" in unchecked[2]
    )
    under = _hits(result, "land_underpaid")
    assert (
        set(under) == {3}
        and "应发 124800.00 元" in under[3]
        and "最后发放日期 2024-02-01" in under[3]
    )


def test_duplicates_and_unknown_values_are_named(tmp_path: Path):
    parcels = [["U1", "岳阳市区", "1区", "水田", "否", "否", "1", "2024-02-01", ""],
               ["U2", "长沙市区", "3区", "水田", "否", "否", "1", "2024-02-01", ""],
               ["U3", "长沙市区", "1区", "设施农用地", "否", "否", "1", "2024-02-01", ""]]  # fmt: skip
    payments = [["U1", "土地补偿费", "100", "甲", "2024-03-01"],
                ["U1", "土地补偿费", "100", "甲", "2024-03-02"],
                ["U2", "安置补助费", "100", "乙", "2024-03-01"],
                ["X9", "安置补助费", "100", "丙", "2024-03-01"]]  # fmt: skip
    result = _run(tmp_path, parcels, payments)
    assert set(_hits(result, "land_duplicate_payment")) == {2, 3}
    unchecked = {h["file"] + str(h["row"]): h["evidence"] for h in result.hits.to_pylist()
                 if h["rule"] == "land_unchecked"}  # fmt: skip
    assert "县市区「岳阳市区」不在" in unchecked["地块.csv2"]
    assert "没有区片「3区」" in unchecked["地块.csv3"]
    assert "地类「设施农用地」不是" in unchecked["地块.csv4"]
    assert "「X9」不在征收地块清单中" in unchecked["发放.csv5"]
    assert not _hits(result, "land_underpaid")  # never passed nor judged


def test_a_wrong_coefficients_file_is_refused_naming_it(tmp_path: Path):
    bad = tmp_path / "系数.csv"
    bad.write_text("地类,系数,施行日期\n水田,0.9,2024-01-01\n", encoding="utf-8")
    config = CheckConfig(
        inputs={"parcels": [_write(tmp_path / "p.csv", [PARCEL_HEAD, ["A", "长沙市区", "1区",
                 "水田", "否", "否", "1", "2024-02-01", ""]])],
                "land_payments": [_write(tmp_path / "q.csv", [PAY_HEAD, ["A", "土地补偿费", "1",
                 "甲", "2024-03-01"]])]},
        program="land_compensation", table_files={"coefficients": [bad]},
    )  # fmt: skip
    with pytest.raises(InputError, match=r"系数\.csv"):
        run_check(config)


@pytest.mark.parametrize("seed, xlsx", [(101, True), (202, False)])
def test_accuracy_on_generated_data(tmp_path: Path, seed: int, xlsx: bool):
    data = generate_land_compensation(tmp_path, payments=1500, seed=seed, xlsx=xlsx)
    result = run_check(CheckConfig(inputs=data.files(), program="land_compensation",
                                   table_files=data.table_files()))  # fmt: skip
    scores = evaluate(result.hits, data.truth, program="land_compensation")
    for rule, score in scores.items():
        assert score.true_positives > 0, rule
        assert score.precision >= 0.99 and score.recall >= 0.99, score


def test_spark_gives_identical_hits(tmp_path: Path):
    pytest.importorskip("pyspark")
    from xuncha.crosscheck.spark import spark_session

    spark_session("local[2]", {"spark.driver.memory": "2g"})
    data = generate_land_compensation(tmp_path, payments=600, seed=303)
    kw = {"inputs": data.files(), "program": "land_compensation",
          "table_files": data.table_files()}  # fmt: skip
    duck = run_check(CheckConfig(**kw))
    spark = run_check(CheckConfig(**kw, engine="spark", spark_master="local[2]"))
    assert spark.hits.to_pylist() == duck.hits.to_pylist()
    assert {h["rule"] for h in duck.hits.to_pylist()} == {r.id for r in PROGRAM.rules}
