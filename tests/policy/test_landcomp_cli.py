"""The landcomp command's runner: the due amount, the standard, the coefficient and the
two parts printed; exit 3 with the reason when unchecked; tables given as files."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from xuncha.policy.cli import EXIT_UNCHECKED, calc_args, calc_run


def run(*argv: str) -> int:
    p = argparse.ArgumentParser()
    calc_args(p)
    return calc_run(p.parse_args(list(argv)))


BASE = ("--county", "长沙市区", "--zone", "一区", "--area", "1")


def test_paddy_in_changsha(capsys: Any) -> None:
    assert run(*BASE, "--land-class", "水田") == 0
    out = capsys.readouterr().out
    assert "应补偿：124,800.00 元" in out
    assert "土地补偿费（40%）：49,920.00 元" in out and "安置补助费（60%）：74,880.00 元" in out
    assert "适用标准：湖南省征地补偿标准（2024-01-01 施行）" in out
    assert "适用系数：1——地类「水田」×1" in out


def test_unchecked_exits_3_with_the_reason(capsys: Any) -> None:
    assert run(*BASE, "--land-class", "旱地") == EXIT_UNCHECKED == 3
    assert "无法核算：地类「旱地」没有系数" in capsys.readouterr().err
    assert run(*BASE, "--land-class", "水田", "--announced", "2023年12月31日") == 3
    assert "征收土地公告日期 2023-12-31 时没有施行中的标准" in capsys.readouterr().err


def test_tables_from_files_and_json(tmp_path: Path, capsys: Any) -> None:
    coefs = tmp_path / "系数.csv"
    coefs.write_text("地类,系数,施行日期\n旱地,0.9,2024-01-01\n", encoding="gbk")
    old = tmp_path / "旧标准.csv"
    old.write_text(
        "县市区,区片,区片综合地价（元/亩）,施行日期\n长沙市区,1区,99000,2021-01-01\n",
        encoding="utf-8",
    )
    code = run(*BASE, "--land-class", "旱地", "--basic-farmland", "--coefficients", str(coefs),
               "--zone-prices", str(old), "--announced", "2024-03-01", "--json")  # fmt: skip
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["amount"] == "209664.00" and data["coefficient"] == "1.68"
    assert data["coefficient_reason"] == "永久基本农田 ×1.68（高于地类「旱地」×0.9）"
    assert (
        run(*BASE, "--land-class", "水田", "--zone-prices", str(old), "--announced", "2023-12-31")
        == 0
    )
    assert "应补偿：99,000.00 元" in capsys.readouterr().out


def test_a_lower_city_table_is_refused(tmp_path: Path, capsys: Any) -> None:
    low = tmp_path / "长沙.csv"
    low.write_text(
        "县市区,区片,区片综合地价（元/亩）,施行日期\n长沙市区,1区,120000,2024-01-01\n",
        encoding="utf-8",
    )
    assert run(*BASE, "--land-class", "水田", "--zone-prices", str(low)) == 1
    err = capsys.readouterr().err
    assert (
        "长沙.csv 第2行：长沙市区 1区 的区片综合地价 120000 元/亩低于" in err and "不得低于" in err
    )


def test_bad_arguments_are_usage_errors(capsys: Any) -> None:
    with pytest.raises(SystemExit) as stop:
        run(*BASE[:4], "--area", "零", "--land-class", "水田")
    assert stop.value.code == 2 and "不是大于 0 的面积" in capsys.readouterr().err
