"""Programs are data (issue 20): the declarations hold together, and the CLI, the engine
and the parameters are built from them."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from helpers import write_csv
from xuncha.cli import main
from xuncha.crosscheck import CheckConfig, InputError, ParamError, check
from xuncha.crosscheck.params import Param
from xuncha.crosscheck.programs import PROGRAMS, all_inputs, all_params, all_rules, program_of
from xuncha.crosscheck.roles import ROLES

HEAD = "序号,姓名,身份证号码,发放金额,发放日期"

ROOT = Path(__file__).resolve().parents[2]


def test_the_reservoir_program_is_the_default_and_first() -> None:
    assert next(iter(PROGRAMS)) == "reservoir"
    assert CheckConfig(inputs={}).program == "reservoir"
    assert program_of("reservoir").rule_ids == (
        "deceased_payee", "payroll_payee", "duplicate_payment", "over_standard", "invalid_id")  # fmt: skip


def test_one_name_means_one_thing_across_programs() -> None:
    """A rule id names one rule (a hit says which rule), an input id one kind of data
    (the web's data kinds), a parameter name one parameter (one CLI option)."""
    rules = [r for p in PROGRAMS.values() for r in p.rules]
    for rule in rules:
        assert all_rules()[rule.id] is rule, rule.id
    inputs = [i for p in PROGRAMS.values() for i in p.inputs]
    for spec in inputs:
        assert all_inputs()[spec.id] is spec, spec.id
    params = [q for p in PROGRAMS.values() for q in p.params]
    for param in params:
        assert all_params()[param.name] == param, param.name


@pytest.mark.parametrize("program", list(PROGRAMS.values()), ids=list(PROGRAMS))
def test_each_declaration_is_whole(program) -> None:
    assert program.inputs[0].required  # the payment list: nothing to check without it
    for rule in program.rules:
        assert set(rule.inputs) <= set(program.labels), rule.id
        for param in rule.params:
            assert param.label and param.unit and param.basis, (rule.id, param.name)
            assert param.check(param.default) == param.default
    for spec in program.inputs:
        assert set(spec.roles) <= set(ROLES), spec.id
        assert set(spec.keys) | set(spec.needs) <= set(spec.roles), spec.id
    assert (ROOT / program.guide).is_file(), program.guide
    assert program.datagen, "every shipped program generates data for demos and tests"


def test_xuncha_programs_lists_each_declaration(capsys) -> None:
    assert main(["programs"]) == 0
    out = capsys.readouterr().out
    for program in PROGRAMS.values():
        assert f"{program.id}  {program.title}" in out
        for spec in program.inputs:
            assert f"{spec.flag}：{spec.label}" in out
    assert main(["programs", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [p["id"] for p in listed] == list(PROGRAMS)
    reservoir = listed[0]
    over = next(r for r in reservoir["rules"] if r["id"] == "over_standard")
    assert over["params"]["standard"] == {
        "label": "发放标准", "type": "amount", "default": "600", "unit": "元/人/年",
        "basis": over["params"]["standard"]["basis"]}  # fmt: skip
    assert "国发〔2006〕17号" in over["params"]["standard"]["basis"]


def test_a_run_takes_only_what_its_program_declares(tmp_path: Path) -> None:
    payments = write_csv(tmp_path / "p.csv", [HEAD, "1,张三,1,600,2021-03-05"])
    with pytest.raises(InputError, match=r"没有参数 vehicle_limit.*standard（发放标准）"):
        check({"payments": [payments]}, params={"vehicle_limit": 1})
    with pytest.raises(InputError, match="不读取 parcels"):
        check({"payments": [payments], "parcels": [payments]})
    with pytest.raises(InputError, match="没有规则 no_such_rule"):
        check({"payments": [payments]}, rules=["no_such_rule"])
    with pytest.raises(InputError, match=r"没有比对模型「nope」.*reservoir"):
        check({"payments": [payments]}, program="nope")


def test_a_rule_gets_only_its_own_parameters() -> None:
    config = CheckConfig(inputs={}, params={"standard": Decimal("800"), "grace_days": 5})
    assert config.params_for("over_standard") == {"standard": Decimal("800")}
    assert config.params_for("deceased_payee") == {"grace_days": 5}
    assert config.params_for("invalid_id") == {}


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("years", "80", 80),
        ("years", "151", "最多 150 岁"),
        ("margin", "0", Decimal("0")),
        ("margin", "-0.5", "不能为负数"),
        ("margin", "1.005", "最多两位小数"),
        ("amount", "0", "应大于 0"),
        ("days", "3.5", "应是整数"),
    ],
)
def test_a_parameter_is_read_as_its_type(kind: str, value: str, expected: object) -> None:
    param = Param("p", "某参数", kind, 0, "岁" if kind == "years" else "元", "依据")
    if isinstance(expected, str):
        with pytest.raises(ParamError, match=expected):
            param.check(value)
    else:
        assert param.check(value) == expected


def test_the_cli_asks_for_what_the_program_requires(tmp_path: Path, capsys) -> None:
    deaths = write_csv(tmp_path / "d.csv", ["姓名,身份证号码,死亡日期", "张三,1,2021-01-01"])
    code = main(["check", "--deaths", str(deaths), "--out", str(tmp_path / "o")])
    assert code == 2
    assert "比对模型「大中型水库移民后期扶持直补资金」缺少必需的选项：--payments" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "o").exists()


def test_a_parameter_from_the_cli_reaches_the_rule(tmp_path: Path) -> None:
    payments = write_csv(
        tmp_path / "p.csv", [HEAD, "1,张三,110101195001021234,700,2021-03-05"]
    )  # a valid number is not needed: over_standard judges an unattributed row alone
    out = tmp_path / "o"
    assert main(["check", "--payments", str(payments), "--standard", "650", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["config"]["params"] == {"grace_days": 0, "standard": "650"}
    over = next(r for r in manifest["rules"] if r["id"] == "over_standard")
    assert over["parameters"] == {"standard": "650"} and over["hits"] == 1
