"""`xuncha docs`: documents written into a folder from the workbench's data, their
warnings and the missing-font notice printed; `--verify` passes a generated file and
fails a doctored one; bad input said in Chinese."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from web.test_document_kinds import DocWorld, documents_world
from xuncha.cli import main
from xuncha.commands import DOC_KINDS
from xuncha.documents.official.fonts import missing_fonts_message


@pytest.fixture
def dw(db: Any) -> DocWorld:
    return documents_world()


def test_kinds_offered_are_the_kinds_built() -> None:
    from xuncha.documents.kinds import KINDS

    assert list(DOC_KINDS) == list(KINDS)


def test_docs_writes_the_files_and_warnings(dw: DocWorld, tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "公文"
    code = main(["docs", "--round", str(dw.round.number), "--unit", dw.unit.code,
                 "--kind", "papers", "--out", str(out)])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 5 and all(f.endswith(".docx") for f in files)
    assert "已生成 5 个文件" in printed and all(f in printed for f in files)
    assert not list(out.glob(".docs-*"))  # no temporary file left
    code = main(["docs", "--round", str(dw.round.number), "--unit", "东江街道",
                 "--kind", "report", "--out", str(out)])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0 and "注意：1 个问题底稿未完成签字，未写入报告" in printed
    fonts = missing_fonts_message()  # this machine lacks the GB2312 fonts: named, as fallen back
    assert (f"字体：{fonts}" in printed) if fonts else ("字体：" not in printed)
    report = next(out.glob("*巡察报告.docx"))
    assert main(["docs", "--verify", str(report)]) == 0
    printed = capsys.readouterr().out
    assert "符合 GB/T 9704 版式检查" in printed and "✓" in printed and "✗" not in printed


def _doctored(data: bytes) -> bytes:
    """The same DOCX with its page made Letter size (215.9 × 279.4 mm)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "word/document.xml":
                assert b'w:w="11906"' in content
                content = content.replace(b'w:w="11906"', b'w:w="12240"').replace(
                    b'w:h="16838"', b'w:h="15840"'
                )
            dst.writestr(info, content)
    return out.getvalue()


def test_verify_fails_a_doctored_file(dw: DocWorld, tmp_path: Path, capsys: Any) -> None:
    assert main(["docs", "--round", str(dw.round.number), "--unit", dw.unit.code,
                 "--kind", "feedback", "--out", str(tmp_path)]) == 0  # fmt: skip
    good = next(tmp_path.glob("*反馈意见.docx"))
    bad = tmp_path / "改过的.docx"
    bad.write_bytes(_doctored(good.read_bytes()))
    not_docx = tmp_path / "不是.docx"
    not_docx.write_text("纯文本", encoding="utf-8")
    capsys.readouterr()
    assert main(["docs", "--verify", str(good), str(bad), str(not_docx)]) == 1
    printed = capsys.readouterr().out
    assert (
        f"{bad}：不符合" in printed
        and f"{good}：符合" in printed
        and f"{not_docx}：不符合" in printed
    )
    assert "✗" in printed and "共 3 个文件，1 个符合，2 个不符合。" in printed


def test_bad_input_is_said(dw: DocWorld, tmp_path: Path, capsys: Any) -> None:
    args = ["--kind", "report", "--out", str(tmp_path / "o")]
    assert main(["docs", "--round", "98", *args]) == 1
    assert "没有第98轮巡察" in capsys.readouterr().err
    assert main(["docs", "--round", str(dw.round.number), "--unit", "不存在的村", *args]) == 1
    assert "没有编码、编号或名称为「不存在的村」的被巡察单位" in capsys.readouterr().err
    other = main(["docs", "--round", str(dw.round.number), "--unit", dw.unit.code,
                  "--kind", "report", "--out", str(tmp_path / "o")])  # fmt: skip
    assert other == 0
    assert main(["docs", "--round", str(dw.round.number)]) == 2
    assert "缺少必需的选项：--kind、--out" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["docs", "--round", "1", "--kind", "memo", "--out", str(tmp_path)])
    assert exit_.value.code == 2 and "选项 --kind 的值" in capsys.readouterr().err


def test_nothing_to_render_writes_nothing(dw: DocWorld, tmp_path: Path, capsys: Any) -> None:
    from web.factories import UnitFactory
    from xuncha.planning.services import assignment_add

    empty = UnitFactory(name="某村")
    assignment_add(team=dw.team, unit=empty)
    out = tmp_path / "o"
    code = main(["docs", "--round", str(dw.round.number), "--unit", empty.code,
                 "--kind", "report", "--out", str(out)])  # fmt: skip
    assert code == 1
    assert (
        f"未生成：{dw.round.name}对某村没有已签字的问题，无法生成巡察报告。"
        in capsys.readouterr().err
    )
    assert not out.exists() or not any(out.iterdir())
