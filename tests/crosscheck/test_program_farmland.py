"""The farmland-protection subsidy program (耕地地力保护补贴): each rule on hand-made
lists (hit and near miss: an area exactly at the margin, one parcel listed twice in the
register, a parcel number written with spaces and full-width digits), a custom margin,
accuracy on generated data the tests did not tune to, and identical hits on Spark."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from helpers import write_csv
from xuncha.crosscheck.datagen.farmland import generate_farmland
from xuncha.crosscheck.engine import CheckConfig, CheckResult, run_check
from xuncha.crosscheck.evaluate import evaluate
from xuncha.crosscheck.idnumber import make_id
from xuncha.crosscheck.programs import program_of

WANG = make_id("431081", dt.date(1960, 3, 4), 123)
LI = make_id("431003", dt.date(1971, 8, 9), 234)
ZHAO = make_id("431021", dt.date(1955, 1, 2), 345)
LAND_A, LAND_B, LAND_C = "4310810010020100001", "4310810010020100002", "4310030030040200007"

CONTRACTS = [
    "承包方代表姓名,承包方代表证件号码,承包地块编码,确权面积（亩）",
    f"王大,{WANG},{LAND_A},1.20亩",
    f"王大,{WANG},{LAND_B},0.80",
    f"王大,{WANG},{LAND_B},0.80",  # the same parcel listed twice: counted once
    f"李二,{LI},{LAND_C},2.35",
]


def _run(tmp_path: Path, lines: list[str], **kw) -> CheckResult:
    files = {
        "farmland_payments": [write_csv(tmp_path / "2023年耕地地力保护补贴发放清册.csv", lines)],
        "contracts": [write_csv(tmp_path / "确权登记.csv", CONTRACTS, encoding="gb18030")],
    }
    return run_check(CheckConfig(inputs=files, program="farmland", **kw))


def _rows(result: CheckResult, rule: str) -> list[int]:
    return [h["row"] for h in result.hits.to_pylist() if h["rule"] == rule]


HEAD = "户主姓名,身份证号码,地块编号,补贴面积（亩）,补贴金额,发放日期"


def test_area_over_contract_beyond_the_margin_only(tmp_path: Path):
    result = _run(tmp_path, [
        HEAD,
        f"王大,{WANG},{LAND_A},1.21亩,125.00,2023-06-01",  # 2, 3: 2.01 against 2.00: at the margin
        f"王大,{WANG},{LAND_B},0.80亩,83.00,2023-06-01",
        f"王大,{WANG},{LAND_A},1.22亩,125.00,2022-06-01",  # 4, 5: 2.02 in 2022: over
        f"王大,{WANG},{LAND_B},0.80,83.00,2022-06-01",
        f"李二,{LI},{LAND_C},2.35,240.00,2023-06-01",  # 6: exactly the contract
        f"赵三,{ZHAO},4310210000000000001,5.00,500.00,2023-06-01",  # 7: not in the register
    ])  # fmt: skip
    assert _rows(result, "area_over_contract") == [4, 5]
    hit = next(h for h in result.hits.to_pylist() if h["rule"] == "area_over_contract")
    assert hit["evidence"] == (
        "确权登记 确权登记.csv 第2行 等共 2 块承包地，确权面积合计 2.00 亩；2022 年补贴面积合计 "
        "2.02 亩，超出 0.02 亩（容差 0.01 亩）；同组编号 A1"
    )
    assert (hit["register_file"], hit["register_row"]) == ("确权登记.csv", 2)


def test_the_margin_is_a_parameter(tmp_path: Path):
    lines = [HEAD, f"李二,{LI},{LAND_C},2.45,240.00,2023-06-01"]  # 0.10 over
    assert _rows(_run(tmp_path, lines), "area_over_contract") == [2]
    wide = _run(tmp_path, lines, params={"area_margin": Decimal("0.10")})
    assert _rows(wide, "area_over_contract") == []
    assert _rows(_run(tmp_path, lines, params={"area_margin": "0.09"}), "area_over_contract") == [2]


def test_the_same_parcel_twice_in_a_year_to_one_or_two_people(tmp_path: Path):
    spaced = f"{LAND_A[:6]} {LAND_A[6:]}".translate(str.maketrans("0123", "０１２３"))
    result = _run(tmp_path, [
        HEAD,
        f"王大,{WANG},{LAND_A},1.20,125.00,2023-06-01",  # 2, 3: written two ways
        f"王大,{WANG},{spaced},1.20,125.00,2023-11-01",
        f"王大,{WANG},{LAND_A},1.20,125.00,2022-06-01",  # 4: another year: fine
        f"李二,{LI},{LAND_C},2.35,240.00,2023-06-01",  # 5, 6: to another person too
        f"赵三,,{LAND_C},2.35,240.00,2023-06-01",
        f"王大,{WANG},{LAND_B},0.80,83.00,2023-06-01",  # 7, 8: paid, then reversed
        f"王大,{WANG},{LAND_B},0.80,-83.00,2023-07-01",
        f"李二,{LI},,2.35,240.00,2023-06-01",  # 9: no parcel number: not in this rule
    ])  # fmt: skip
    assert _rows(result, "land_subsidised_twice") == [2, 3, 5, 6]
    evidence = [
        h["evidence"] for h in result.hits.to_pylist() if h["rule"] == "land_subsidised_twice"
    ]
    assert evidence[0].startswith(f"地块 {LAND_A} 在 2023 年被补贴 2 次（都发给同一人）")
    assert "其中有身份证号码无法识别的行" in evidence[2]
    assert _rows(result, "farmland_invalid_id") == [6]  # the empty ID, on its own rule


def test_a_list_without_the_register_runs_the_rules_it_can(tmp_path: Path):
    lines = [HEAD, f"李二,{LI},{LAND_C},2.35,240.00,2023-06-01",
             f"李二,{LI},{LAND_C},2.35,240.00,2023-06-02"]  # fmt: skip
    files = {"farmland_payments": [write_csv(tmp_path / "清册.csv", lines)]}
    result = run_check(CheckConfig(inputs=files, program="farmland"))
    assert "area_over_contract" in result.rules_skipped
    assert _rows(result, "land_subsidised_twice") == [2, 3]


def _truth_rules(path: Path) -> set[str]:
    with path.open(encoding="utf-8") as fh:
        return {r["rule"] for r in csv.DictReader(fh)}


@pytest.mark.parametrize("seed, xlsx", [(707, True), (808, False)])
def test_precision_and_recall_on_untuned_seeds(tmp_path: Path, seed: int, xlsx: bool):
    data = generate_farmland(tmp_path, payments=3000, seed=seed, xlsx=xlsx)
    assert _truth_rules(data.truth) == set(program_of("farmland").rule_ids)
    result = run_check(CheckConfig(inputs=data.files(), program="farmland", params=data.params))
    for score in evaluate(result.hits, data.truth, program="farmland").values():
        assert score.precision >= 0.99 and score.recall >= 0.99, score


def test_identical_hits_on_spark(tmp_path: Path):
    pytest.importorskip("pyspark")
    from xuncha.crosscheck.spark import spark_session

    spark_session("local[2]", {"spark.driver.memory": "2g"})
    data = generate_farmland(tmp_path, payments=1500, seed=909, xlsx=False)
    config = {"inputs": data.files(), "program": "farmland"}
    duck = run_check(CheckConfig(**config))
    spark = run_check(CheckConfig(**config, engine="spark", spark_master="local[2]"))
    assert spark.hits.to_pylist() == duck.hits.to_pylist()
    assert (spark.rules_run, spark.data_problems) == (duck.rules_run, duck.data_problems)
    assert {h["rule"] for h in duck.hits.to_pylist()} == set(program_of("farmland").rule_ids)
