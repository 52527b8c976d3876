"""xuncha risk-model-check: a valid file is summarised, a wrong one refused naming the key."""

from __future__ import annotations

import argparse

from xuncha.commands import COMMANDS
from xuncha.risk.spec import shipped_model_text
from xuncha.runtime import EXIT_NOTHING_CHECKED, EXIT_OK, EXIT_USAGE


def test_model_check(tmp_path, capsys):
    check = next(c for c in COMMANDS if c.name == "risk-model-check").run
    good = tmp_path / "模型.toml"
    good.write_text(shipped_model_text(), encoding="utf-8")
    assert check(argparse.Namespace(file=good)) == EXIT_OK
    assert "有效：6 个指标" in capsys.readouterr().out
    bad = tmp_path / "错误.toml"
    bad.write_text(shipped_model_text().replace("high = 65", "high = 30"), encoding="utf-8")
    assert check(argparse.Namespace(file=bad)) == EXIT_NOTHING_CHECKED
    assert "错误.toml：等级分界应满足 0 < watch < high ≤ 100" in capsys.readouterr().err
    assert check(argparse.Namespace(file=tmp_path / "无.toml")) == EXIT_USAGE
