"""The submitted-report parser on DOCX files built here: structure, problems with their
basis and responsibility, leads, recommendations, and files it must refuse."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from reviews_parse.builders import bomb_docx, report_docx, title_only_docx
from xuncha.findings.choices import Category, Subcategory
from xuncha.reviews import submitted
from xuncha.reviews.submitted import ReportRefused, heading_level, parse_report


@pytest.fixture(scope="module")
def parsed() -> dict:
    return parse_report(report_docx())


def test_title_and_number_from_the_head(parsed: dict) -> None:
    assert parsed["title"] == "关于巡察东江村党组织的情况报告"
    assert parsed["number"] == "湘南县巡〔2024〕3号"


def test_sections_by_numbering_whatever_the_style(parsed: dict) -> None:
    sections = parsed["content"]["sections"]
    # The intro (without the addressee) first; 四、 is a Normal paragraph yet a heading.
    assert sections[0]["heading"] == ""
    assert sections[0]["paragraphs"][0].startswith("根据县委统一部署")
    assert [s["heading"] for s in sections[1:]] == [
        "一、基本情况", "二、巡察发现的主要问题", "三、问题线索移交情况", "四、意见建议",
    ]  # fmt: skip
    problems = sections[2]
    assert [s["heading"] for s in problems["subsections"]] == [
        "（一）群众身边不正之风和腐败问题", "(二)基层党组织软弱涣散、组织力欠缺问题",
    ]  # fmt: skip
    first = problems["subsections"][0]["items"][0]
    # A numbered paragraph going on after its first sentence: heading, then the rest.
    assert first["heading"] == "1.村干部虚报冒领低保金。"
    assert first["paragraphs"][0].startswith("2023年以来")
    # Signature, date and 版记 are not body.
    last = sections[-1]["subsections"][-1]
    assert last["heading"] == "（三）提高宣传报道质量。" and last["paragraphs"] == []
    assert parsed["content"]["figures"] == {}


def test_problems_with_basis_responsibility_category_amount(parsed: dict) -> None:
    problems = parsed["content"]["problems"]
    assert [p["text"] for p in problems] == [
        "村干部虚报冒领低保金",
        "集体土地低价发包",
        "三会一课流于形式",
    ]
    one, two, three = problems
    assert one["basis"] == "上述行为违反了《社会救助暂行办法》第十四条。"
    assert one["responsible"] == "村党支部书记张某负有主要领导责任。"
    assert one["amount"] == "35000.00"
    assert two["basis"].endswith("不符合《农村集体资产管理规定》。") and two["responsible"] == ""
    # Labelled parts lose their label.
    assert three["basis"] == "违反《中国共产党支部工作条例（试行）》。"
    assert three["responsible"] == "村党支部负有主体责任。"
    assert [p["category"] for p in problems] == ["corruption", "corruption", "organisation"]
    assert [p["subcategory"] for p in problems] == [
        "corruption.funds", "corruption.assets", "organisation.life",
    ]  # fmt: skip
    assert all(p["finding"] is None and p["paper_signed"] is False for p in problems)


def test_leads_with_their_route(parsed: dict) -> None:
    leads = parsed["content"]["leads"]
    assert [(x["handed_to"], x["receiver"]) for x in leads] == [
        ("discipline", "县纪委监委"), ("organisation", "中共某县委组织部"), ("", ""),
    ]  # fmt: skip
    # 村监委会 is the village's own committee, not the discipline commission.
    assert leads[2]["text"] == "村监委会成员涉嫌收受礼金"


def test_recommendations_matched_by_shared_words(parsed: dict) -> None:
    recs = parsed["content"]["recommendations"]
    assert [(r["text"], r["problems"]) for r in recs] == [
        ("严格低保资金审核发放", [0]), ("规范集体土地发包程序", [1]), ("提高宣传报道质量", []),
    ]  # fmt: skip
    assert any("意见建议 3" in n for n in parsed["notes"])


def test_keyword_codes_are_the_workbench_codes() -> None:
    assert set(submitted.CATEGORY_WORDS) == set(Category.values)
    assert set(submitted.SUBCATEGORY_WORDS) <= set(Subcategory.values)


@pytest.mark.parametrize(
    ("text", "level"),
    [("一、总体情况", 1), ("十二、其他", 1), ("（三）问题", 2), ("(三)问题", 2), ("1.问题", 3),
     ("１．问题", 3), ("12、问题", 3), ("（1）问题", 4), ("(2)问题", 4), ("一是加强学习", 0),
     ("2024.5 月", 0), ("1.2023年以来", 3), ("3.5万元", 0), ("第一，", 0), ("2024年5月", 0)],
)  # fmt: skip
def test_heading_levels(text: str, level: int) -> None:
    assert heading_level(text) == level


def test_a_report_without_a_problems_section_says_so() -> None:
    parsed = parse_report(
        report_docx([("Normal", "一、基本情况"), ("Normal", "巡察组开展了巡察。")])
    )
    assert parsed["content"]["problems"] == []
    assert any("未找到标题含“问题”的部分" in n for n in parsed["notes"])


def test_a_table_is_named_as_not_read() -> None:
    from docx import Document

    doc = Document(io.BytesIO(report_docx()))
    doc.add_table(rows=1, cols=2)
    out = io.BytesIO()
    doc.save(out)
    assert "文件中有 1 个表格，表格内容未读取。" in parse_report(out.getvalue())["notes"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件是空的"),
        (b"just some text, not a document", "不是 DOCX 文件（不是 ZIP 压缩包"),
        (b"%PDF-1.7\n...", "是 PDF 文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 Word（.doc）"),
    ],
)
def test_not_a_docx_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(ReportRefused, match=re.escape(message)):
        parse_report(data)


def test_a_zip_without_a_document_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(ReportRefused, match=r"没有 word/document\.xml"):
        parse_report(out.getvalue())


def test_a_zip_bomb_is_refused_before_unpacking() -> None:
    data = bomb_docx()
    assert len(data) < 2 * 2**20  # small on disk
    with pytest.raises(ReportRefused, match=r"解压后有 11\d MB，超过上限 100 MB.*压缩炸弹"):
        parse_report(data)


def test_too_large_a_file_is_refused() -> None:
    with pytest.raises(ReportRefused, match="超过上限 20 MB"):
        parse_report(b"PK" + b"\0" * (submitted.MAX_BYTES + 1))


def test_a_title_without_body_is_refused() -> None:
    with pytest.raises(ReportRefused, match="没有正文"):
        parse_report(title_only_docx())
