"""Conformance: every rule on DuckDB and on Spark (local mode) over the same generated
messy data gives identical hits — same rows, same order, same evidence text, same match
tiers, same register rows — including names compared by character and IDs linked
through damaged digits."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from helpers import write_csv
from xuncha.crosscheck import RULES, check
from xuncha.crosscheck.datagen import DatagenConfig, generate
from xuncha.crosscheck.engine import CheckConfig, run_check
from xuncha.crosscheck.idnumber import make_id
from xuncha.crosscheck.spark import spark_session

pytest.importorskip(
    "pyspark", reason="make install installs the spark extra"
)  # never skipped in CI


@pytest.fixture(scope="module", autouse=True)
def spark():
    """One local Spark for the module (two cores, as CI has)."""
    session = spark_session("local[2]", {"spark.driver.memory": "2g"})
    yield session


def _both(**kwargs) -> tuple:
    inputs = {k: kwargs.pop(k) for k in ("payments", "deaths", "payroll") if k in kwargs}
    kwargs["inputs"] = inputs
    duck = run_check(CheckConfig(**kwargs))
    spark = run_check(CheckConfig(**kwargs, engine="spark", spark_master="local[2]"))
    return duck, spark


def _same(duck, spark) -> None:
    assert spark.engine == "spark" and duck.engine == "duckdb"
    assert spark.hits.schema == duck.hits.schema
    assert spark.hits.to_pylist() == duck.hits.to_pylist()
    assert (spark.rules_run, spark.rules_skipped, spark.data_problems) == (
        duck.rules_run, duck.rules_skipped, duck.data_problems)  # fmt: skip


@pytest.mark.parametrize("seed, xlsx", [(11, True), (12, False)])
def test_every_rule_gives_identical_hits_on_generated_data(tmp_path: Path, seed: int, xlsx: bool):
    data = generate(tmp_path, DatagenConfig(payments=2500, seed=seed, xlsx=xlsx))
    duck, spark = _both(payments=data.payments, deaths=data.deaths, payroll=data.payroll)
    _same(duck, spark)
    assert {r.id for r in RULES} == {h["rule"] for h in duck.hits.to_pylist()}  # every rule hit
    tiers = {h["match_tier"] for h in duck.hits.to_pylist()}
    assert {"damaged_id", "typo_id"} <= tiers  # the fuzzy links were exercised on both


def test_rule_parameters_reach_spark(tmp_path: Path):
    data = generate(tmp_path, DatagenConfig(payments=1500, seed=13, xlsx=False))
    duck, spark = _both(payments=data.payments, deaths=data.deaths, payroll=data.payroll,
                        params={"standard": Decimal("900"), "grace_days": 30},
                        rules=("deceased_payee", "over_standard"))  # fmt: skip
    _same(duck, spark)
    assert set(duck.rules_run) == {"deceased_payee", "over_standard"}


def test_chinese_names_by_character_and_damaged_ids(tmp_path: Path):
    """Traditional and simplified, spaces inside names, a legacy 15-digit number, an ID
    a number cell cut to 15 digits and one with two digits swapped: linked (or not) the
    same way on both engines."""
    zhang = make_id("431003", dt.date(1940, 1, 2), 123)
    chen = make_id("431081", dt.date(1945, 6, 7), 456)
    lv = make_id("431021", dt.date(1950, 3, 4), 789)
    legacy = make_id("431003", dt.date(1938, 5, 6), 321)
    cut = chen[:15] + "000"  # a number cell kept 15 significant digits
    swapped = lv[:10] + lv[11] + lv[10] + lv[12:]
    deaths = write_csv(tmp_path / "死亡人员名单.csv", [
        "姓名,身份证号码,死亡日期",
        f"張 三,{zhang},2020-01-01", f"陳 實,{chen},2019-05-01", f"呂明,{lv},2018-03-03",
        f"李四,{legacy},2017-01-01",
    ])  # fmt: skip
    payments = write_csv(tmp_path / "2021年发放表.csv", [
        "姓名,身份证号码,发放金额,发放日期",
        f"张三,{zhang},600,2021-03-05", f"陈实,{cut},600,2021-03-05",
        f"吕 明,{swapped},600,2021-03-05", f"李四,{legacy[:6]}{legacy[8:17]},600,2021-03-05",
        f"张三,{zhang},600,2021-09-05", f"王五,{zhang},600,2021-03-05",
    ], encoding="gb18030")  # fmt: skip
    duck, spark = _both(payments=[payments], deaths=[deaths])
    _same(duck, spark)
    dead = {
        h["name"]: h["match_tier"] for h in duck.hits.to_pylist() if h["rule"] == "deceased_payee"
    }
    assert dead["陈实"] == "damaged_id" and dead["吕 明"] == "typo_id" and dead["李四"] == "legacy"


def test_cli_runs_on_spark_and_says_so_in_the_manifest(tmp_path: Path):
    data = generate(tmp_path / "data", DatagenConfig(payments=800, seed=14, xlsx=False))
    result = check({"payments": data.payments, "deaths": data.deaths, "payroll": data.payroll}, out=tmp_path / "out", engine="spark", spark_master="local[2]", spark_stage=tmp_path / "stage")  # fmt: skip
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"]["name"] == "spark" and manifest["config"]["engine"] == "spark"
    assert result.hits.num_rows > 0
    assert not any((tmp_path / "stage").iterdir())  # the staged Parquet is removed


def test_an_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="未知引擎"):
        run_check(CheckConfig(inputs={}, engine="hadoop"))
