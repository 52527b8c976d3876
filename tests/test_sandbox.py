"""The child-process runner: results and domain errors come back, crashes and limits
become a Chinese sentence naming the file, and the parent lives on."""

from __future__ import annotations

import operator
import os
import time
from pathlib import Path

import pytest

from xuncha import sandbox
from xuncha.crosscheck import InputError, load_mapping

SMALL = sandbox.Limits(memory=512 * 1024**2, seconds=20)


def test_result_comes_back() -> None:
    assert sandbox.run(operator.add, 2, 3, file="a.xlsx", limits=SMALL) == 5


def test_a_domain_error_is_raised_again_with_its_fields(tmp_path: Path) -> None:
    bad = tmp_path / "映射.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        sandbox.run(load_mapping, bad, file=bad.name, limits=SMALL)
    assert caught.value.file == "映射.json"
    assert str(caught.value).startswith("文件「映射.json」：映射文件无法读取")


def test_a_child_past_its_memory_limit_is_a_chinese_error_not_a_dead_parent() -> None:
    with pytest.raises(sandbox.FileCrashed) as caught:
        sandbox.run(bytearray, 4 * 1024**3, file="大表.xlsx", limits=SMALL)
    assert caught.value.reason == "memory"
    assert "文件「大表.xlsx」" in str(caught.value) and "内存超过上限（0.5 GB）" in str(
        caught.value
    )
    assert sandbox.run(operator.mul, 6, 7, file="b", limits=SMALL) == 42  # still here


def test_an_abort_in_the_child_is_reported_not_inherited() -> None:
    with pytest.raises(sandbox.FileCrashed) as caught:
        sandbox.run(os.abort, file="崩溃.xlsx", limits=SMALL)
    assert "文件「崩溃.xlsx」" in str(caught.value)


def test_a_child_past_its_time_is_killed() -> None:
    quick = sandbox.Limits(memory=512 * 1024**2, seconds=1)
    with pytest.raises(sandbox.FileCrashed) as caught:
        sandbox.run(time.sleep, 30, file="慢.csv", limits=quick)
    assert caught.value.reason == "time"
    assert "用时超过上限（1 秒）" in str(caught.value)


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XUNCHA_SANDBOX_PARSE_MEMORY_MB", "300")
    monkeypatch.setenv("XUNCHA_SANDBOX_PARSE_SECONDS", "7")
    assert sandbox.limits("parse") == sandbox.Limits(memory=300 * 1024**2, seconds=7.0)
    assert sandbox.limits("check").memory == sandbox.DEFAULTS["check"][0]
    monkeypatch.setenv("XUNCHA_SANDBOX_PARSE_SECONDS", "nan")
    with pytest.raises(ValueError, match="环境变量 XUNCHA_SANDBOX_PARSE_SECONDS 应是正数"):
        sandbox.limits("parse")


def test_a_check_run_in_its_child_relays_progress_and_returns_the_result(tmp_path: Path) -> None:
    from xuncha.crosscheck import CheckConfig
    from xuncha.crosscheck.isolated import run_check_isolated

    pay = tmp_path / "发放.csv"
    pay.write_text(
        "姓名,身份证号码,金额,发放日期\n张三,43010219900101123X,600,2021-03-05\n", "utf-8"
    )
    told: list[tuple[float, str]] = []
    result = run_check_isolated(
        CheckConfig(inputs={"payments": [pay]}), tmp_path, progress=lambda s, w: told.append((s, w))
    )
    assert [s.file for s in result.sources] == ["发放.csv"] and result.sources[0].error is None
    assert "已读取「发放.csv」" in [w for _, w in told]
    assert [s for s, _ in told] == sorted(s for s, _ in told)  # in the order the child told them
