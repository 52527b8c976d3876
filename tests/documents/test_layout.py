"""The GB/T 9704 constants and the layout's own document (without the template)."""

from __future__ import annotations

import io

from docx import Document

from xuncha.documents.official import layout as L
from xuncha.documents.official.verify import verify


def test_grid_constants_fit_22_lines_of_28_characters() -> None:
    assert (L.RIGHT_MM, L.BOTTOM_MM) == (26, 35)
    assert L.LINE_PITCH_TWIPS * 22 <= L.BLOCK_HEIGHT_TWIPS < L.LINE_PITCH_TWIPS * 23
    assert L.CHAR_PITCH_TWIPS * 28 <= L.BLOCK_WIDTH_TWIPS < L.CHAR_PITCH_TWIPS * 29
    assert L.CHAR_PITCH_TWIPS == 16 * 20 + L.CHAR_SPACING_TWIPS


def test_document_built_with_the_layout_helpers_passes() -> None:
    doc = L.new_document()
    L.add_masthead(doc, "中共某某市委第一巡察组", "市巡一〔2026〕3号")
    L.add_paragraph(doc, "关于巡察整改情况的报告", L.TITLE)
    L.add_heading(doc, 1, "一、总体情况")
    L.add_paragraph(doc, "正文内容。")
    L.add_table(doc, ["序号", "问题"], [["1", "问题一"]], caption="整改台账", size=L.SIZE_SMALL_4)
    L.add_paragraph(doc, "2026年12月4日", L.DATE)
    L.add_banji(doc, "", "某某办公室", "2026年12月4日印发")
    data = L.to_bytes(doc)
    result = verify(data)
    assert result.ok, result.report()
    cell = Document(io.BytesIO(data)).tables[0].rows[1].cells[1].paragraphs[0]
    assert (cell.style.name, cell.style.font.size.pt) == ("表格文字（小四）", 12)


def test_font_table_names_fallbacks() -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    doc = L.new_document()
    xml = doc.part.part_related_by(RT.FONT_TABLE).blob.decode()
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in xml
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/>' in xml
