"""The old-age allowance program (高龄津贴和养老金): the underage rule on hand-made lists
(hit and near miss at the 80th birthday, a row without a date, an invalid ID never
aged), a custom minimum age, the shared rules it reuses, accuracy on generated data the
tests did not tune to, and identical hits on Spark."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from helpers import write_csv
from xuncha.crosscheck.datagen.old_age import generate_old_age
from xuncha.crosscheck.engine import CheckConfig, CheckResult, run_check
from xuncha.crosscheck.evaluate import evaluate
from xuncha.crosscheck.idnumber import make_id
from xuncha.crosscheck.programs import program_of
from xuncha.crosscheck.rules import RULES_BY_ID

OLD = make_id("431081", dt.date(1940, 5, 10), 123)  # 80 on 2020-05-10
YOUNG = make_id("431003", dt.date(1943, 5, 11), 234)  # 79 on 2023-05-10, 80 the next day
LEAP = make_id("431021", dt.date(1944, 2, 29), 345)  # 80 on 2024-02-29
DEAD = make_id("431022", dt.date(1935, 1, 1), 456)


def _run(tmp_path: Path, lines: list[str], deaths: list[str] | None = None, **kw) -> CheckResult:
    files = {"payments": [write_csv(tmp_path / "2022年高龄津贴发放表.csv", lines)]}
    if deaths:
        files["deaths"] = [write_csv(tmp_path / "死亡人员名单.csv", deaths)]
    return run_check(CheckConfig(inputs=files, program="old_age", **kw))


def _rows(result: CheckResult, rule: str) -> list[int]:
    return [h["row"] for h in result.hits.to_pylist() if h["rule"] == rule]


def test_the_program_reuses_the_shared_rules_and_declares_min_age():
    spec = program_of("old_age")
    assert spec.rule_ids == ("deceased_payee", "duplicate_payment", "underage_allowance",
                             "invalid_id")  # fmt: skip
    for rule_id in ("deceased_payee", "duplicate_payment", "invalid_id"):
        assert spec.rule(rule_id) is RULES_BY_ID[rule_id]
    (min_age,) = spec.rule("underage_allowance").params
    assert (min_age.name, min_age.type, min_age.default, min_age.unit) == (
        "min_age",
        "years",
        80,
        "岁",
    )


def test_underage_is_by_the_birthday_on_the_payment_day(tmp_path: Path):
    result = _run(tmp_path, [
        "姓名,身份证号码,发放金额,发放日期",
        f"王老,{OLD},600,2020-05-10",  # 2: 80 that very day: not underage
        f"李小,{YOUNG},600,2023-05-10",  # 3: the day before the 80th birthday: underage
        f"李小,{YOUNG},600,2023-05-11",  # 4: 80 on the day: not
        f"闰年,{LEAP},600,2024-02-28",  # 5: born on 29 February, the day before: underage
        f"闰年,{LEAP},600,2024-02-29",  # 6: on the birthday: not
        f"无效,{YOUNG[:17]}0,600,2022-01-01",  # 7: an ID that is not valid: never aged
    ])  # fmt: skip
    assert _rows(result, "underage_allowance") == [3, 5]
    hit = next(h for h in result.hits.to_pylist() if h["rule"] == "underage_allowance")
    assert hit["evidence"] == (
        "身份证号码所示出生日期 1943-05-11；发放日期 2023-05-10 时年满 79 周岁，不到 80 周岁"
    )
    assert _rows(result, "invalid_id") == [7]


def test_a_row_without_a_date_is_judged_at_the_end_of_its_year(tmp_path: Path):
    result = _run(tmp_path, [
        "姓名,身份证号码,发放金额,年度",
        f"李小,{YOUNG},600,2022",  # 80 on 2023-05-11: below 80 all of 2022
        f"李小,{YOUNG},600,2023",  # 80 during 2023: not flagged without a date
    ])  # fmt: skip
    assert _rows(result, "underage_allowance") == [2]
    assert "发放年度 2022 年到年末年满 79 周岁" in result.hits.column("evidence")[0].as_py()


def test_min_age_is_a_parameter(tmp_path: Path):
    lines = ["姓名,身份证号码,发放金额,发放日期", f"王老,{OLD},600,2020-05-10"]
    assert _rows(_run(tmp_path, lines, params={"min_age": 81}), "underage_allowance") == [2]
    assert _rows(_run(tmp_path, lines, params={"min_age": 60}), "underage_allowance") == []


def test_paid_after_death_and_twice_in_a_year(tmp_path: Path):
    result = _run(tmp_path, [
        "姓名,身份证号码,发放金额,发放日期",
        f"赵死,{DEAD},600,2022-03-01",  # 2: died the day before
        f"王老,{OLD},600,2022-03-01",  # 3, 4: twice in 2022
        f"王老,{OLD},600,2022-09-01",
    ], deaths=["姓名,身份证号码,死亡日期", f"赵死,{DEAD},2022-02-28"])  # fmt: skip
    assert _rows(result, "deceased_payee") == [2]
    assert _rows(result, "duplicate_payment") == [3, 4]


def _truth_rules(path: Path) -> set[str]:
    with path.open(encoding="utf-8") as fh:
        return {r["rule"] for r in csv.DictReader(fh)}


@pytest.mark.parametrize("seed, xlsx", [(404, True), (505, False)])
def test_precision_and_recall_on_untuned_seeds(tmp_path: Path, seed: int, xlsx: bool):
    data = generate_old_age(tmp_path, payments=3000, seed=seed, xlsx=xlsx)
    assert _truth_rules(data.truth) == set(program_of("old_age").rule_ids)  # every rule planted
    result = run_check(CheckConfig(inputs=data.files(), program="old_age", params=data.params))
    for score in evaluate(result.hits, data.truth, program="old_age").values():
        assert score.precision >= 0.99 and score.recall >= 0.99, score


def test_identical_hits_on_spark(tmp_path: Path):
    pytest.importorskip("pyspark")
    from xuncha.crosscheck.spark import spark_session

    spark_session("local[2]", {"spark.driver.memory": "2g"})
    data = generate_old_age(tmp_path, payments=1500, seed=606, xlsx=False)
    config = {"inputs": data.files(), "program": "old_age"}
    duck = run_check(CheckConfig(**config))
    spark = run_check(CheckConfig(**config, engine="spark", spark_master="local[2]"))
    assert spark.hits.to_pylist() == duck.hits.to_pylist()
    assert (spark.rules_run, spark.data_problems) == (duck.rules_run, duck.data_problems)
    assert {h["rule"] for h in duck.hits.to_pylist()} == set(program_of("old_age").rule_ids)
