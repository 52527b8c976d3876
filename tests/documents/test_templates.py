"""The shipped template renders every variant; offices' templates are validated."""

from __future__ import annotations

import copy
import io
import zipfile
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from xuncha.documents.official.templates import (
    REQUIRED_FIELDS,
    TABLE_FIELDS,
    TemplateRefused,
    render,
    sample_context,
    template_fields,
    validate_template,
)
from xuncha.documents.official.verify import verify


def _doc(data: bytes) -> Any:
    return Document(io.BytesIO(data))


def _texts(data: bytes) -> list[str]:
    return [p.text for p in _doc(data).paragraphs]


def _styled(data: bytes, style: str) -> list[str]:
    return [p.text for p in _doc(data).paragraphs if p.style.name == style and p.text]


def test_render_places_every_part_in_its_style(rendered: bytes) -> None:
    assert _styled(rendered, "发文机关标志") == ["中共某某市委第一巡察组"]
    assert _styled(rendered, "发文字号") == ["市巡一〔2026〕3号"]
    assert _styled(rendered, "公文标题") == ["关于巡察某某局党组的情况报告"]
    assert _styled(rendered, "主送机关") == ["市委巡察工作领导小组："]
    assert _styled(rendered, "一级标题") == ["一、主要问题", "二、意见建议", "三、问题线索"]
    assert _styled(rendered, "二级标题")[0] == "（一）贯彻落实党中央决策部署不到位"
    assert _styled(rendered, "三级标题")[0] == "1.落实惠民政策有差距"
    assert _styled(rendered, "四级标题")[0] == "（1）补贴发放不精准"
    assert _styled(rendered, "附件说明") == ["附件：1.问题清单", "　　　2.问题线索移交情况"]
    assert _styled(rendered, "发文机关署名") == ["中共某某市委第一巡察组"]
    assert _styled(rendered, "成文日期") == ["2026年12月4日"]
    assert _styled(rendered, "版记抄送") == ["\t抄送：市纪委监委，市委组织部。"]
    assert _styled(rendered, "版记印发") == [
        "\t中共某某市委巡察工作领导小组办公室\t2026年12月4日印发"
    ]
    # no template tag is left behind
    assert not [t for t in _texts(rendered) if "{%" in t or "{{" in t]


def test_table_rows_and_columns_come_from_the_data_and_text_is_escaped(rendered: bytes) -> None:
    table = _doc(rendered).tables[0]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0] == ["序号", "问题", "金额（元）", "依据"]
    assert cells[1] == ["1", "违规发放补贴 <超标准> & 重复", "12,300.00", "审计资料"]
    assert len(cells) == 4
    assert len(table._tbl.tblGrid.findall("{*}gridCol")) == 4
    assert table.rows[0]._tr.trPr.find("{*}tblHeader") is not None  # repeated on every page


def test_variants_without_masthead_banji_table_attachments(template: bytes) -> None:
    context = sample_context(table=False)
    context["doc"].update(masthead=False, banji=False, number="", addressee="", signer="")
    context["attachments"] = []
    data = render(template, context)
    assert _styled(data, "发文机关标志") == []
    assert _styled(data, "版记印发") == []
    assert _styled(data, "附件说明") == []
    assert _styled(data, "发文机关署名") == []
    assert _doc(data).tables == []
    result = verify(data)
    assert result.ok, result.report()
    details = {c.name: c.detail for c in result.checks}
    assert details["版头"] == "无版头（本文种不用）"
    assert details["版记"] == "无版记（本文种不用）"


def test_banji_without_cc_has_one_line_between_two_thick_rules(template: bytes) -> None:
    context = sample_context()
    context["doc"]["cc"] = ""
    data = render(template, context)
    assert _styled(data, "版记抄送") == []
    printer = next(p for p in _doc(data).paragraphs if p.style.name == "版记印发")
    borders = printer._p.pPr.find("{*}pBdr")
    sizes = [borders.find(f"{{*}}{side}").get(qn("w:sz")) for side in ("top", "bottom")]
    assert sizes == ["8", "8"]
    assert verify(data).ok


def test_a_single_attachment_has_no_number(template: bytes) -> None:
    context = sample_context()
    context["attachments"] = ["问题清单"]
    assert _styled(render(template, context), "附件说明") == ["附件：问题清单"]


def test_shipped_template_uses_every_field(template: bytes) -> None:
    fields = template_fields(template)
    assert set(REQUIRED_FIELDS) | set(TABLE_FIELDS) <= fields
    assert {
        "doc.issuer",
        "doc.number",
        "doc.masthead",
        "doc.banji",
        "intro",
        "attachments",
    } <= fields
    assert "s1" not in fields and "loop" not in fields  # loop variables are not context fields
    validate_template(template, required=REQUIRED_FIELDS + TABLE_FIELDS)


def test_office_edited_template_still_renders(template: bytes) -> None:
    doc = _doc(template)
    doc.sections[0].left_margin = Mm(30)  # an office moves a margin in Word
    doc.paragraphs[0].insert_paragraph_before("本模板由某某办修订")
    out = io.BytesIO()
    doc.save(out)
    edited = out.getvalue()
    validate_template(edited)
    data = render(edited, sample_context())
    assert "本模板由某某办修订" in _texts(data)
    assert _styled(data, "公文标题") == ["关于巡察某某局党组的情况报告"]
    failed = {c.name for c in verify(data).checks if not c.passed}
    assert "页边距" in failed


def _save(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _replace(template: bytes, old: str, new: str) -> bytes:
    doc = _doc(template)
    for p in doc.paragraphs:
        if old in p.text:
            p.text = p.text.replace(old, new)
    return _save(doc)


def test_missing_required_fields_are_named(template: bytes) -> None:
    data = _replace(template, "{{ doc.title }}", "标题")
    data = _replace(data, "in sections", "in chapters")
    with pytest.raises(TemplateRefused) as err:
        validate_template(data)
    assert str(err.value) == "模板缺少必需字段：doc.title、sections"


def _el_text(el: Any) -> str:
    return "".join(t.text or "" for t in el.iter(qn("w:t")))


def test_missing_table_is_named_only_when_required(template: bytes) -> None:
    doc = _doc(template)
    body = doc.element.body
    children = list(body)
    start = next(i for i, el in enumerate(children) if _el_text(el) == "{%p if table %}")
    table = next(i for i, el in enumerate(children) if el.tag.endswith("}tbl"))
    end = next(i for i, el in enumerate(children) if i > table and _el_text(el) == "{%p endif %}")
    for el in children[start : end + 1]:
        body.remove(el)
    data = _save(doc)
    assert "table" not in template_fields(data)
    validate_template(data)
    assert render(data, sample_context())
    with pytest.raises(TemplateRefused, match=r"模板缺少必需字段：table$"):
        validate_template(data, required=REQUIRED_FIELDS + TABLE_FIELDS)


def test_syntax_error_says_where(template: bytes) -> None:
    data = _replace(template, "{{ doc.title }}", "{{ doc.title + }}")
    with pytest.raises(TemplateRefused) as err:
        validate_template(data)
    message = str(err.value)
    assert message.startswith("模板语法错误（正文）：在「{{ doc.title + }}")
    assert message.endswith("」附近：unexpected 'end of print statement'")


def test_unknown_filter_is_refused(template: bytes) -> None:
    data = _replace(template, "{{ doc.title }}", "{{ doc.title|shout }}")
    with pytest.raises(TemplateRefused, match=r"模板语法错误（正文）：.*shout"):
        validate_template(data)


def test_unclosed_loop_is_refused(template: bytes) -> None:
    data = _replace(template, "{%p endfor %}", "")
    with pytest.raises(TemplateRefused, match="模板语法错误"):
        validate_template(data)


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "模板不是 DOCX 文件（不是 ZIP 压缩包；请用 Word 另存为 .docx）"),
        ("报告正文".encode(), "模板不是 DOCX 文件（不是 ZIP 压缩包；请用 Word 另存为 .docx）"),
        (_zip({"a.txt": b"x"}), "模板不是 DOCX 文件（压缩包中没有 word/document.xml）"),
    ],
)
def test_not_a_docx_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(TemplateRefused) as err:
        validate_template(data)
    assert str(err.value) == message


def test_a_broken_docx_is_refused() -> None:
    data = _zip({"word/document.xml": b"<not xml", "[Content_Types].xml": b"<broken"})
    with pytest.raises(TemplateRefused, match=r"^模板 DOCX 无法打开："):
        validate_template(data)


def test_a_template_that_unpacks_past_the_limit_is_refused_before_inflating(
    template: bytes,
) -> None:
    """A zip bomb: a few hundred KB that inflate to 80 MB of blanks inside document.xml."""
    shipped = zipfile.ZipFile(io.BytesIO(template))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in shipped.infolist():
            if item.filename != "word/document.xml":
                z.writestr(item, shipped.read(item))
        with z.open("word/document.xml", "w", force_zip64=True) as part:
            for _ in range(80):
                part.write(b" " * 2**20)
    assert len(out.getvalue()) < 2**20
    with pytest.raises(TemplateRefused, match=r"解压后有 80 MB，超过上限 64 MB.*压缩炸弹"):
        validate_template(out.getvalue())


def test_refusal_survives_pickling() -> None:
    import pickle

    err = pickle.loads(pickle.dumps(TemplateRefused("模板缺少必需字段：doc.title")))
    assert str(err) == "模板缺少必需字段：doc.title"


def test_render_error_is_refused_with_a_message(template: bytes) -> None:
    context: dict[str, Any] = copy.deepcopy(sample_context())
    context["sections"] = 5  # not a list
    with pytest.raises(TemplateRefused, match=r"^模板渲染失败"):
        render(template, context)


def test_document_properties_carry_the_title_and_no_python_docx_traces(template: bytes) -> None:
    context = sample_context()
    context["doc"]["title"] = "关于A&B公司<整改>的报告"
    data = render(template, context)
    props = _doc(data).core_properties
    assert props.title == "关于A&B公司<整改>的报告"
    assert props.author == "" and "python-docx" not in props.comments
    assert _styled(data, "公文标题") == ["关于A&B公司<整改>的报告"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "docProps/thumbnail.jpeg" not in archive.namelist()
        assert "word/stylesWithEffects.xml" not in archive.namelist()
