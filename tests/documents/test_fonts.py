"""missing_fonts(): the fonts documents name that this machine lacks, and their stand-ins."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from xuncha.documents.official.fonts import NAMED_FONTS, missing_fonts, missing_fonts_message

pytestmark = pytest.mark.skipif(shutil.which("fc-list") is None, reason="no fontconfig here")


def _families() -> set[str]:
    out = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=True)
    return {name.strip() for line in out.stdout.splitlines() for name in line.split(",")}


def test_reports_exactly_the_named_fonts_not_installed() -> None:
    installed = _families()
    missing = missing_fonts()
    assert [name for name, _ in missing] == [n for n in NAMED_FONTS if n not in installed]
    for _name, substitute in missing:
        assert substitute in installed  # fc-match names a font that is really here


def test_message_names_the_font_and_its_stand_in() -> None:
    missing = missing_fonts()
    if not missing:
        assert missing_fonts_message() == ""
        return
    name, substitute = missing[0]
    assert missing_fonts_message().startswith(f"本机缺少{name}，PDF 用 {substitute} 代替")


def test_without_fontconfig_every_font_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert missing_fonts() == [(name, "未知") for name in NAMED_FONTS]


def test_each_style_stands_in_with_a_font_of_its_own_style() -> None:
    """With the free fonts make docs-deps installs, the substitutes keep the standard's
    styles apart: 仿宋 and 宋体 in a Song (Ming) face, 楷体 in a Kai face, 黑体 in a Hei one
    (without fonts.conf, fontconfig drew all five in the default sans)."""
    needed = {"AR PL UMing CN", "AR PL UKai CN", "WenQuanYi Zen Hei"}
    if not needed <= _families():
        pytest.skip("the free Chinese fonts of make docs-deps are not installed")
    stand_in = dict(missing_fonts())
    assert stand_in.get("仿宋_GB2312", "仿宋_GB2312") in {"仿宋_GB2312", "AR PL UMing CN"}
    assert stand_in.get("楷体_GB2312", "楷体_GB2312") in {"楷体_GB2312", "AR PL UKai CN"}
    assert stand_in.get("黑体", "黑体") in {"黑体", "WenQuanYi Zen Hei"}
    assert len({stand_in.get(n, n) for n in ("仿宋_GB2312", "楷体_GB2312", "黑体")}) == 3
