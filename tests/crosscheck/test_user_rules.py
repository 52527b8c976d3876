"""Rules users write (自定义比对模型): compiled from TOML, refused with the line named,
hostile text kept as data, run beside the program's rules, the same hits on Spark."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pytest

from helpers import write_csv
from xuncha.cli import main
from xuncha.crosscheck import InputError, check
from xuncha.crosscheck.engine import CheckConfig, run_check
from xuncha.crosscheck.idnumber import make_id
from xuncha.crosscheck.userrules import compile_rule

DOC = Path(__file__).resolve().parents[2] / "docs" / "user-rules.md"
EXAMPLES = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
AFTER_DEATH, YEAR_TOTAL = EXAMPLES

A = make_id("431003", dt.date(1940, 1, 2), 123)
B = make_id("431003", dt.date(1950, 1, 2), 124)
C = make_id("431021", dt.date(1960, 3, 4), 125)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, list[Path]]:
    payments = write_csv(
        tmp_path / "2021年发放表.csv",
        [
            "姓名,身份证号码,发放金额,发放日期",
            f"张三,{A},600,2021-03-01",  # row 2: 90 days after death, over 100
            f"张三,{A},600,2020-12-15",  # row 3: 14 days after death only
            f"李四,{B},600,2021-01-01",  # rows 4, 5: 1,100 in 2021
            f"李四,{B},500,2021-05-01",
            f"张三,{A},80,2021-04-01",  # row 6: after death but 80 (not over 100)
            f"王五,{C},600,2021-06-01",  # row 7: namesake of the dead 王五 (other ID)
            f"张三,{A},0,2021-05-01",  # row 8: 0 is no payment
        ],
    )
    deaths = write_csv(
        tmp_path / "死亡人员名单.csv",
        [
            "姓名,身份证号码,死亡日期",
            f"張 三,{A},2020-12-01",
            f"王五,{make_id('431081', dt.date(1930, 1, 1), 7)},2021-01-01",
        ],
    )
    return {"payments": [payments], "deaths": [deaths]}


def rows(result, rule: str) -> list[int]:
    return [h["row"] for h in result.hits.to_pylist() if h["rule"] == rule]


def hits(result, rule: str) -> list[dict]:
    return [h for h in result.hits.to_pylist() if h["rule"] == rule]


def rule_text(**changes: str) -> str:
    """The first example with some lines replaced (key → its new line)."""
    lines = AFTER_DEATH.splitlines()
    for key, line in changes.items():
        index = next(i for i, text in enumerate(lines) if text.startswith(f"{key} ="))
        lines[index] = line
    return "\n".join(lines) + "\n"


def refused(text: str) -> str:
    with pytest.raises(InputError) as err:
        compile_rule(text, "规则.toml")
    return str(err.value)


# ------------------------------------------------------------------ the documented examples


def test_the_documented_examples_run_beside_the_programs_rules(files, tmp_path: Path):
    out = tmp_path / "结果"
    result = check(files, user_rules=EXAMPLES, out=out)  # in the child process: pickled config
    assert rows(result, "user_paid_30_days_after_death") == [2]
    (hit,) = hits(result, "user_paid_30_days_after_death")
    assert hit["rule_title"] == "死亡30天后仍领取"
    assert hit["match_tier"] == "exact"
    assert hit["register_row"] == 2 and hit["register_date"] == dt.date(2020, 12, 1)
    assert hit["evidence"] == (
        "死亡人员名单 死亡人员名单.csv 第2行：死亡日期 2020-12-01；"
        "发放日期 2021-03-01，金额 600.00 元"
    )
    assert rows(result, "user_year_total_over_1000") == [4, 5]
    groups = {h["group_id"] for h in hits(result, "user_year_total_over_1000")}
    assert groups == {"U1"}
    assert hits(result, "user_year_total_over_1000")[0]["evidence"] == (
        "同一人 2021 年共发放 2 次，合计 1100.00 元；本行金额 600.00 元"
    )
    assert rows(result, "deceased_payee") == [2, 3, 6]  # the program's rules still run
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    recorded = {r["id"]: r for r in manifest["config"]["user_rules"]}
    assert recorded["user_paid_30_days_after_death"]["text"] == AFTER_DEATH
    assert (
        recorded["user_paid_30_days_after_death"]["sha256"]
        == hashlib.sha256(AFTER_DEATH.encode()).hexdigest()
    )
    ran = {r["id"]: r for r in manifest["rules"]}
    assert ran["user_year_total_over_1000"]["hits"] == 2
    assert ran["user_year_total_over_1000"]["user_rule"] is True


def test_only_the_chosen_program_rules_and_the_user_rules_run(files):
    result = check(files, rules=["invalid_id"], user_rules=[YEAR_TOTAL], isolate=False)
    assert result.rules_run == ["invalid_id", "user_year_total_over_1000"]


def test_join_on_the_normalised_name_matches_namesakes_without_a_tier(files):
    text = rule_text(
        id='id = "user_name_after_death"', join='join = "name"', evidence='evidence = "同名"'
    )
    result = check(files, user_rules=[text], isolate=False)
    # 张三 (traditional 張 三 in the register) and 王五, whose ID differs: the name alone
    by_row = {h["row"]: h for h in hits(result, "user_name_after_death")}
    assert sorted(by_row) == [2, 7]
    assert by_row[7]["match_tier"] is None and by_row[7]["register_row"] == 3


def test_a_date_value_and_a_negative_offset(files):
    text = AFTER_DEATH.replace(
        'right = "deaths.death_date"\ndays = 30', "value = 2021-02-01\ndays = -1"
    )
    text = text.replace('id = "user_paid_30_days_after_death"', 'id = "user_after_jan"')
    result = check(files, user_rules=[text], isolate=False)
    assert rows(result, "user_after_jan") == [2]  # 2021-03-01 > 2021-01-31, over 100


def test_a_rule_reading_only_the_payments_has_no_register_row(files):
    text = """id = "user_big"
title = "大额"
meaning = "单笔超过 550 元"
basis = "本地规定"
program = "reservoir"
inputs = ["payments"]
evidence = "第 {payments.row_no} 行 {payments.amount} 元"
[[when]]
left = "payments.amount"
op = ">="
value = "600"
"""
    result = check(files, user_rules=[text], isolate=False)
    assert rows(result, "user_big") == [2, 3, 4, 7]
    assert {h["register_row"] for h in hits(result, "user_big")} == {None}
    assert hits(result, "user_big")[0]["evidence"] == "第 2 行 600.00 元"


# ------------------------------------------------------------------ hostile text stays data


def test_quotes_and_sql_in_the_evidence_are_text(files):
    evil = "x'); DROP TABLE linked; -- {{注}} \\' || '"
    text = rule_text(
        evidence=f"evidence = {json.dumps(evil + '{deaths.death_date}', ensure_ascii=False)}"
    )
    rule = compile_rule(text)
    assert "DROP" not in rule.sql() and "DROP" not in rule.sql(dialect=_spark_dialect())
    result = check(files, user_rules=[text], isolate=False)
    (hit,) = hits(result, "user_paid_30_days_after_death")
    assert hit["evidence"] == "x'); DROP TABLE linked; -- {注} \\' || '2020-12-01"


def _spark_dialect():
    from xuncha.crosscheck.dialect import SparkDialect

    return SparkDialect()


def test_a_column_name_with_sql_in_it_is_refused_with_its_line():
    message = refused(rule_text(evidence='evidence = "{deaths.death_date) OR 1=1 --}"'))
    assert "规则.toml" in message and "第 9 行" in message and "没有列" in message
    text = AFTER_DEATH.replace(
        'left = "payments.pay_date"', 'left = "payments.pay_date; DROP TABLE x"'
    )
    message = refused(text)
    assert "第 12 行" in message and "没有列「pay_date; DROP TABLE x」" in message


def test_a_condition_value_with_a_quote_is_refused_as_not_a_number():
    text = AFTER_DEATH.replace("value = 100", "value = \"100' OR '1'='1\"")
    message = refused(text)
    assert "第 20 行" in message and "应是一个数" in message and "100' OR '1'='1" in message


def test_a_date_value_that_is_no_date_is_refused():
    text = AFTER_DEATH.replace('right = "deaths.death_date"', 'value = "2021-02-30\'"')
    message = refused(text)
    assert "第 14 行" in message and "2024-01-01 这样的日期" in message


def test_an_unknown_input_is_refused_with_its_line():
    message = refused(rule_text(inputs='inputs = ["payments", "vehicles"]'))
    assert "第 7 行" in message and "没有名单「vehicles」" in message


def test_an_input_not_declared_in_inputs_is_refused():
    text = AFTER_DEATH.replace('right = "deaths.death_date"', 'right = "payroll.start_date"')
    message = refused(text)
    assert "第 14 行" in message and "名单「payroll」不在 inputs 中" in message


def test_a_date_compared_with_an_amount_is_refused():
    text = AFTER_DEATH.replace(
        'right = "deaths.death_date"\ndays = 30', 'right = "payments.amount"'
    )
    message = refused(text)
    assert "第 14 行" in message and "类型不符" in message


def test_days_on_an_amount_is_refused():
    text = AFTER_DEATH.replace("value = 100", "value = 100\ndays = 3")
    message = refused(text)
    assert "第 21 行" in message and "只能用于日期" in message


def test_an_unknown_key_is_refused_with_its_line():
    message = refused(AFTER_DEATH.replace('op = ">"\nvalue', 'op = ">"\nsql = "1=1"\nvalue'))
    assert "第 20 行" in message and "未知的键「sql」" in message
    message = refused('import = "os"\n' + AFTER_DEATH)
    assert "第 1 行" in message and "未知的键「import」" in message


def test_an_unknown_operator_is_refused():
    message = refused(AFTER_DEATH.replace('op = ">"\nvalue', 'op = "LIKE"\nvalue'))
    assert "第 19 行" in message and "LIKE" in message


def test_ids_and_titles_that_could_reach_the_sql_are_refused():
    assert "不合要求" in refused(rule_text(id='id = "user_x\'; --"'))
    assert "user_" in refused(rule_text(id='id = "deceased_payee"'))  # never a shipped id
    assert "单引号" in refused(rule_text(title='title = "x\' END"'))


def test_broken_toml_names_its_line():
    message = refused(AFTER_DEATH.replace('op = ">"\nvalue = 100', 'op = ">"\nvalue = 1 00'))
    assert "第 20 行" in message and "不是有效的 TOML" in message


def test_grouping_needs_a_having_condition():
    message = refused(YEAR_TOTAL.split("[[having]]")[0])
    assert "第 7 行" in message and "[[having]]" in message


def test_a_rule_for_another_program_is_refused_before_any_work(files):
    land = """id = "user_land_big"
title = "大额征地款"
meaning = "单笔超过 100 万元"
basis = "本地规定"
program = "land_compensation"
inputs = ["land_payments"]
evidence = "{land_payments.amount} 元"
[[when]]
left = "land_payments.amount"
op = ">"
value = 1000000
"""
    assert compile_rule(land).inputs == ("land_payments",)
    with pytest.raises(InputError, match="不能用于「大中型水库移民"):
        CheckConfig(inputs=files, program="reservoir", user_rules=(land,))
    message = refused(rule_text(program='program = "land_compensation"'))
    assert "第 7 行" in message and "没有名单「payments」" in message


def test_the_cli_names_the_file_and_line(files, tmp_path: Path, capsys):
    bad = tmp_path / "坏规则.toml"
    bad.write_text(AFTER_DEATH.replace("deaths.death_date", "deaths.death_day"), encoding="utf-8")
    args = [
        "check",
        "--payments",
        *map(str, files["payments"]),
        "--deaths",
        *map(str, files["deaths"]),
    ]
    assert main([*args, "--user-rule", str(bad), "--out", str(tmp_path / "o")]) != 0
    err = capsys.readouterr().err
    assert "坏规则.toml" in err and "第 14 行" in err and "death_day" in err
    good = tmp_path / "好规则.toml"
    good.write_text(AFTER_DEATH, encoding="utf-8")
    assert main([*args, "--user-rule", str(good), "--out", str(tmp_path / "o")]) == 0
    assert "死亡30天后仍领取" in capsys.readouterr().out


# ------------------------------------------------------------------ both engines


@pytest.mark.slow
def test_user_rules_give_identical_hits_on_spark(files, tmp_path: Path):
    pytest.importorskip("pyspark")
    from xuncha.crosscheck.datagen import DatagenConfig, generate

    data = generate(tmp_path / "data", DatagenConfig(payments=1500, seed=31, xlsx=False))
    by_name = rule_text(id='id = "user_by_name"', join='join = "name"')
    texts = (*EXAMPLES, by_name)
    kwargs = {"inputs": {"payments": data.payments, "deaths": data.deaths}, "user_rules": texts,
              "rules": ("invalid_id",)}  # fmt: skip
    duck = run_check(CheckConfig(**kwargs))
    spark = run_check(CheckConfig(**kwargs, engine="spark", spark_master="local[2]"))
    assert spark.hits.to_pylist() == duck.hits.to_pylist()
    found = {h["rule"] for h in duck.hits.to_pylist()}
    assert {"user_paid_30_days_after_death", "user_year_total_over_1000", "user_by_name"} <= found


def test_deep_nesting_is_refused_not_a_crash(files):
    message = refused("x = " + "[" * 30000)
    assert "嵌套过深" in message
    with pytest.raises(InputError, match=r"第 1 个自定义规则.*嵌套过深"):
        check(files, user_rules=["x = " + "{a=" * 20000], isolate=False)
