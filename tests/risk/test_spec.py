"""The model definition: the shipped one reads and round-trips; a wrong one is refused
with a Chinese message naming the key."""

from __future__ import annotations

import pytest

from xuncha.risk.spec import (
    Spec,
    SpecError,
    parse_spec,
    shipped_catalogue,
    shipped_model_text,
    spec_to_toml,
)

TEXT = shipped_model_text()


def test_shipped_model_round_trips():
    spec = parse_spec(TEXT)
    assert spec.kinds == ("village", "community")
    assert abs(sum(i.weight for i in spec.indicators) - 1) < 1e-9
    assert Spec.from_json(spec.to_json()) == spec
    catalogue = {i["code"] for i in shipped_catalogue()}
    assert set(spec.codes) <= catalogue and len(catalogue) >= 13


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('code = "petition_count"', 'code = "petitions_x"', "「petitions_x」不在指标目录中"),
        ("weight = 0.25", "weight = 0.3", "权重（weight）之和应为 1，实际为 1.05"),
        ("watch = 40", "watch = 70", "0 < watch < high"),
        ('at_least = "watch"', 'at_least = "severe"', "第 1 个 [[must]].at_least 的等级「severe」未知"),
        ('op = ">="\nvalue = 4', 'op = "=>"\nvalue = 4', "比较符「=>」未知"),
        ('normalise = "fixed"\nlo = 1\nhi = 4', 'normalise = "fixed"\nlo = 4\nhi = 1',
         "lo（4）应小于 hi（1）"),
        ('normalise = "fixed"\nlo = 1\nhi = 4', 'normalise = "zscore"', "标准化方法「zscore」未知"),
        ('missing = "zero"', 'missing = "drop"', "缺失值处理「drop」未知"),
        ("[thresholds]", "[threshold]", "未知的键：threshold"),
        ('indicator = "land_compensation"', 'indicator = "findings_past"', "不是本模型的指标"),
        ('kinds = ["village", "community"]', 'kinds = ["village", "hamlet"]', "单位类型「hamlet」未知"),
        ("weight = 0.20\nnormalise", "weight = -0.2\nnormalise", "weight 应大于 0"),
    ],
)  # fmt: skip
def test_refusals_name_the_key(old, new, message):
    assert old in TEXT
    with pytest.raises(SpecError) as err:
        parse_spec(TEXT.replace(old, new, 1))
    assert message in str(err.value)


def test_toml_syntax_error_names_the_line():
    with pytest.raises(SpecError, match="line 3"):
        parse_spec('name = "x"\nkinds = ["village"]\n[thresholds\n')


def test_direction_from_catalogue_or_spec():
    def with_rate(weight: str, petitions: str = "0.25") -> str:
        table = (
            f'[[indicators]]\ncode = "rectification_rate"\nweight = {weight}\nnormalise = "rank"\n'
        )
        text = TEXT.replace("weight = 0.25", f"weight = {petitions}", 1)
        return text.replace("\n[[must]]\n", f"\n{table}\n[[must]]\n", 1)

    with pytest.raises(SpecError, match="weight 应大于 0"):
        parse_spec(with_rate("0"))
    spec = parse_spec(with_rate("0.1", petitions="0.15"))
    assert spec.indicators[-1].code == "rectification_rate"
    assert spec.indicators[-1].direction == "lower"  # from the catalogue
    spec = parse_spec(with_rate("0.1", petitions="0.15").replace(
        'normalise = "rank"', 'normalise = "rank"\ndirection = "higher"'))  # fmt: skip
    assert spec.indicators[-1].direction == "higher"


def test_spec_to_toml_reads_back():
    spec = parse_spec(TEXT)
    assert parse_spec(spec_to_toml(spec)) == spec
    odd = Spec.from_json(spec.to_json() | {"name": '带"引号"的模型'})
    assert parse_spec(spec_to_toml(odd)).name == '带"引号"的模型'
