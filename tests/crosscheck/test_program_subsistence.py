"""The 低保/特困 program (``subsistence``): its two register rules on hand-made files
(hits and the near misses at each boundary), a custom vehicle-value limit, accuracy on
generated data of seeds nobody tuned on, and the same hits on Spark."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from helpers import write_csv
from xuncha.crosscheck.engine import CheckConfig, run_check
from xuncha.crosscheck.evaluate import evaluate
from xuncha.crosscheck.idnumber import make_id
from xuncha.crosscheck.programs import program_of

PROGRAM = "subsistence"


def _id(n: int) -> str:
    return make_id("431002", dt.date(1960, 1, 1) + dt.timedelta(days=37 * n), 100 + n)


NAMES = "甲乙丙丁戊己庚辛壬癸子丑寅卯"
PEOPLE = {c: (f"张{c}", _id(i)) for i, c in enumerate(NAMES)}


def _payments(tmp_path: Path, who: str) -> Path:
    lines = ["郴州市2023年度城乡低保资金发放花名册,,,", "姓名,身份证号码,发放金额,发放日期"]
    lines += [f"{PEOPLE[c][0]},{PEOPLE[c][1]},5280元,2023-06-15" for c in who]
    return write_csv(tmp_path / "2023年低保发放.csv", lines, encoding="gbk")


def _year_only(tmp_path: Path, who: str) -> Path:
    lines = ["年度,姓名,身份证号码,发放金额"]
    lines += [f"2023,{PEOPLE[c][0]},{PEOPLE[c][1]},4800" for c in who]
    return write_csv(tmp_path / "特困供养年度发放.csv", lines)


def _run(tmp_path: Path, inputs: dict[str, list[Path]], **kwargs: object) -> list[dict]:
    result = run_check(CheckConfig(inputs=inputs, program=PROGRAM, **kwargs))  # type: ignore[arg-type]
    return result.hits.to_pylist()


def _flagged(hits: list[dict], rule: str) -> dict[str, str]:
    return {h["name"]: h["evidence"] for h in hits if h["rule"] == rule}


# 甲 over the limit; 乙 exactly at it; 丙 cancelled the day before the payment; 丁
# cancelled on the payment day; 戊 registered the day after; 己 on the payment day,
# its value in 万元; 庚 and 辛 paid in a year-only list (庚's car held all year, 辛's
# registered in March of it).
VEHICLES = [
    ("甲", "湘L12345", "80000", "2020-01-01", ""),
    ("乙", "湘L22222", "50000", "2019-05-01", ""),
    ("丙", "湘L33333", "90000", "2018-01-01", "2023-06-14"),
    ("丁", "湘L44444", "90000元", "2018-01-01", "2023/6/15"),
    ("戊", "湘L55555", "120000", "2023-06-16", ""),
    ("己", "湘L66666", "8.5万元", "2023年6月15日", ""),
    ("庚", "湘LA0001", "150000", "2022-05-01", ""),
    ("辛", "湘LA0002", "150000", "2023-03-01", ""),
]


def _vehicles(tmp_path: Path) -> Path:
    lines = ["所有人姓名,身份证明号码,号牌号码,车辆价格,初次登记日期,注销日期"]
    lines += [f"{PEOPLE[c][0]},{PEOPLE[c][1]},{p},{v},{r},{x}" for c, p, v, r, x in VEHICLES]
    return write_csv(tmp_path / "机动车登记信息.csv", lines, encoding="gbk")


def test_vehicle_owner_hits_and_near_misses(tmp_path: Path):
    inputs = {"payments": [_payments(tmp_path, "甲乙丙丁戊己"), _year_only(tmp_path, "庚辛")],
              "vehicles": [_vehicles(tmp_path)]}  # fmt: skip
    found = _flagged(_run(tmp_path, inputs), "vehicle_owner")
    assert set(found) == {"张甲", "张丁", "张己", "张庚"}
    assert found["张甲"] == (
        "机动车登记信息 机动车登记信息.csv 第2行：号牌 湘L12345，车辆价值 80000.00 元，"
        "超过限额 50000 元，登记日期 2020-01-01，未注销；发放日期 2023-06-15 时仍登记在其名下"
    )
    assert "注销日期 2023-06-15" in found["张丁"] and "85000.00 元" in found["张己"]
    assert "发放年度 2023 年（全年）" in found["张庚"]


def test_vehicle_value_limit_is_a_parameter(tmp_path: Path):
    inputs = {"payments": [_payments(tmp_path, "甲丁己")], "vehicles": [_vehicles(tmp_path)]}
    hits = _run(tmp_path, inputs, params={"vehicle_value_limit": Decimal("85000")})
    found = _flagged(hits, "vehicle_owner")
    assert set(found) == {"张丁"}  # 90,000 is over 85,000; 85,000 itself is not
    assert "超过限额 85000 元" in found["张丁"]


# 壬 legal representative; 癸 a shareholder of an entity registered the day after the
# payment; 子 a supervisor (neither); 丑 a shareholder of one cancelled the day before;
# 寅 a shareholder of one cancelled on the payment day; 卯 no position given.
COMPANIES = [
    ("壬", "北湖区鑫源商贸有限公司", "法定代表人", "2020-01-01", ""),
    ("癸", "北湖区宏达建材有限公司", "股东", "2023-06-16", ""),
    ("子", "北湖区顺通物流有限公司", "监事", "2015-01-01", ""),
    ("丑", "北湖区好运来餐饮店", "股东", "2015-01-01", "2023-06-14"),
    ("寅", "北湖区绿野农业开发有限公司", "自然人股东", "2015-01-01", "2023-06-15"),
    ("卯", "北湖区农丰种养专业合作社", "", "2016-08-08", ""),
]


def test_company_holder_hits_and_near_misses(tmp_path: Path):
    lines = ["企业名称,姓名,证件号码,人员身份,成立日期,注销日期"]
    lines += [f"{n},{PEOPLE[c][0]},{PEOPLE[c][1]},{p},{r},{x}" for c, n, p, r, x in COMPANIES]
    companies = write_csv(tmp_path / "市场主体登记信息.csv", lines)
    inputs = {"payments": [_payments(tmp_path, "壬癸子丑寅卯")], "companies": [companies]}
    found = _flagged(_run(tmp_path, inputs), "company_holder")
    assert set(found) == {"张壬", "张寅", "张卯"}
    assert found["张壬"] == (
        "市场主体登记信息 市场主体登记信息.csv 第2行：北湖区鑫源商贸有限公司，法定代表人，"
        "登记日期 2020-01-01，未注销；发放日期 2023-06-15 时仍在册"
    )
    assert "法定代表人或股东" in found["张卯"] and "自然人股东" in found["张寅"]


def test_the_register_rules_are_skipped_without_their_registers(tmp_path: Path):
    result = run_check(
        CheckConfig(inputs={"payments": [_payments(tmp_path, "甲")]}, program=PROGRAM)
    )
    assert {"vehicle_owner", "company_holder"} <= set(result.rules_skipped)
    assert "over_standard" not in program_of(PROGRAM).rule_ids  # 低保 amounts vary by family


@pytest.mark.parametrize("seed, xlsx", [(4021, True), (9113, False)])
def test_accuracy_on_generated_data(tmp_path: Path, seed: int, xlsx: bool):
    data = program_of(PROGRAM).generate(tmp_path, payments=3000, seed=seed, xlsx=xlsx)
    result = run_check(CheckConfig(inputs=data.files(), program=PROGRAM, params=data.params))
    scores = evaluate(result.hits, data.truth, program=PROGRAM)
    assert set(scores) == set(program_of(PROGRAM).rule_ids)
    for rule, score in scores.items():
        assert score.true_positives + score.false_negatives >= 5, rule  # the rule is exercised
        assert score.precision >= 0.99 and score.recall >= 0.99, (rule, score)


def test_same_hits_on_spark(tmp_path: Path):
    pytest.importorskip("pyspark", reason="make install installs the spark extra")
    from xuncha.crosscheck.spark import spark_session

    spark_session("local[2]", {"spark.driver.memory": "2g"})
    data = program_of(PROGRAM).generate(tmp_path, payments=1500, seed=5150, xlsx=False)
    config = {"inputs": data.files(), "program": PROGRAM, "params": data.params}
    duck = run_check(CheckConfig(**config))  # type: ignore[arg-type]
    spark = run_check(CheckConfig(**config, engine="spark", spark_master="local[2]"))  # type: ignore[arg-type]
    assert spark.engine == "spark" and duck.engine == "duckdb"
    assert spark.hits.schema == duck.hits.schema
    assert spark.hits.to_pylist() == duck.hits.to_pylist()
    assert (spark.rules_run, spark.rules_skipped) == (duck.rules_run, duck.rules_skipped)
    assert {"vehicle_owner", "company_holder"} <= {h["rule"] for h in duck.hits.to_pylist()}
