"""verify(): the shipped render passes; each broken parameter fails, naming what is wrong."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from xuncha.documents.official.verify import verify


def _edit(data: bytes, change: Callable[[Any], None]) -> bytes:
    doc = Document(io.BytesIO(data))
    change(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _failed(data: bytes) -> dict[str, str]:
    return {c.name: c.detail for c in verify(data).checks if not c.passed}


def test_shipped_render_passes_every_check(rendered: bytes) -> None:
    result = verify(rendered)
    assert result.ok, result.report()
    names = {c.name for c in result.checks}
    assert {"纸张", "页边距", "正文字体", "每页行数", "每行字数", "页码", "版头", "版记"} <= names
    detail = {c.name: c.detail for c in result.checks}
    assert "每页 22 行" in detail["每页行数"]
    assert "每行 28 字" in detail["每行字数"]
    assert "〔2026〕3号" in detail["版头"]


def test_wrong_left_margin_fails_naming_it(rendered: bytes) -> None:
    def change(doc: Any) -> None:
        doc.sections[0].left_margin = Mm(30)

    failed = _failed(_edit(rendered, change))
    assert "左边距 30.0 mm，应为 28 mm" in failed["页边距"]
    assert "版心" in failed  # the text block is no longer 156 mm wide
    assert "每行字数" in failed  # nor 28 characters


def test_wrong_body_size_fails(rendered: bytes) -> None:
    def change(doc: Any) -> None:
        doc.styles["Normal"].font.size = Pt(15)

    failed = _failed(_edit(rendered, change))
    assert failed["正文字号"] == "15 磅，应为 16 磅（3号）"


def test_missing_east_asia_font_fails(rendered: bytes) -> None:
    def change(doc: Any) -> None:
        for fonts in doc.styles.element.iter(qn("w:rFonts")):
            fonts.attrib.pop(qn("w:eastAsia"), None)

    failed = _failed(_edit(rendered, change))
    assert failed["正文字体"] == "中文字体（w:eastAsia）未设置，应为 仿宋_GB2312"


def test_page_numbers_both_on_the_right_fail(rendered: bytes) -> None:
    def change(doc: Any) -> None:
        doc.sections[0].even_page_footer.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT

    failed = _failed(_edit(rendered, change))
    assert failed["页码"] == "双页页码居右，应居左"


def test_no_even_and_odd_setting_fails(rendered: bytes) -> None:
    def change(doc: Any) -> None:
        doc.settings.odd_and_even_pages_header_footer = False

    failed = _failed(_edit(rendered, change))
    assert "奇偶页不同" in failed
    assert "双页没有页脚" in failed["页码"]


def test_a_15_point_run_fails_naming_its_paragraph(rendered: bytes) -> None:
    def change(doc: Any) -> None:
        paragraph = next(p for p in doc.paragraphs if p.text.startswith("（一）"))
        paragraph.runs[0].font.size = Pt(15)

    failed = _failed(_edit(rendered, change))
    assert "段「（一）贯彻落实党中央决策部署不到位」字号 15 磅" in failed["直接格式"]


def test_a_run_in_another_font_fails(rendered: bytes) -> None:
    def change(doc: Any) -> None:
        paragraph = next(p for p in doc.paragraphs if p.text.startswith("根据"))
        run = paragraph.runs[0]
        run.font.name = "Arial"
        run._r.rPr.rFonts.set(qn("w:eastAsia"), "微软雅黑")

    failed = _failed(_edit(rendered, change))
    assert "字体 微软雅黑" in failed["直接格式"]


def test_black_masthead_and_bad_number_fail(rendered: bytes) -> None:
    def change(doc: Any) -> None:
        for p in doc.paragraphs:
            if p.style.name == "发文机关标志":
                p.runs[0].font.color.rgb = None
                p.runs[0].font.color.theme_color = None
                p.runs[0]._r.get_or_add_rPr().get_or_add_color().set(qn("w:val"), "000000")
            if p.style.name == "发文字号":
                p.runs[0].text = "市巡一[2026]3号"

    failed = _failed(_edit(rendered, change))
    assert "不是红色" in failed["版头"]
    assert "「市巡一[2026]3号」应形如「〔2026〕3号」" in failed["版头"]


def test_text_after_the_banji_fails(rendered: bytes) -> None:
    def change(doc: Any) -> None:
        doc.add_paragraph("补充说明")

    failed = _failed(_edit(rendered, change))
    assert failed["版记"] == "版记之后还有内容「补充说明」，版记应在文末"


def test_a_plain_word_document_fails_many_checks() -> None:
    out = io.BytesIO()
    Document().save(out)
    failed = _failed(out.getvalue())
    assert "页边距" in failed and "正文字号" in failed and "公文标题" in failed


@pytest.mark.parametrize("data", [b"", b"not a docx", b"PK\x03\x04broken"])
def test_not_a_docx_fails_one_check(data: bytes) -> None:
    result = verify(data)
    assert not result.ok
    assert result.checks[0].name == "文件"
    assert "不是可以打开的 DOCX 文件" in result.checks[0].detail


def test_page_number_in_another_size_fails(rendered: bytes) -> None:
    def change(doc: Any) -> None:
        for run in doc.sections[0].footer.paragraphs[0].runs:
            run.font.size = Pt(10.5)

    failed = _failed(_edit(rendered, change))
    assert failed["页码"] == "单页页码字号 10.5 磅，应为 14 磅（4号）"
