"""DOCX files for the submitted-report parser, built with python-docx."""

from __future__ import annotations

import io
import zipfile

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

BODY = [
    ("Heading 1", "一、基本情况"),
    ("Normal", "巡察组于2024年3月1日进驻，共受理信访举报12件，个别谈话45人次。"),
    ("Heading 1", "二、巡察发现的主要问题"),
    ("Normal", "巡察发现问题3个，按“三个聚焦”分述如下。"),
    ("Normal", "（一）群众身边不正之风和腐败问题"),
    (
        "Normal",
        "1.村干部虚报冒领低保金。2023年以来，村干部李某为亲属违规办理低保，涉及金额3.5万元。"
        "上述行为违反了《社会救助暂行办法》第十四条。村党支部书记张某负有主要领导责任。",
    ),
    ("Normal", "２．集体土地低价发包。"),
    ("Normal", "村委会将集体土地以低于市场价发包，不符合《农村集体资产管理规定》。"),
    ("Normal", "(二)基层党组织软弱涣散、组织力欠缺问题"),
    ("Normal", "1、三会一课流于形式。"),
    ("Normal", "定性依据：违反《中国共产党支部工作条例（试行）》。"),
    ("Normal", "责任指向：村党支部负有主体责任。"),
    ("Heading 1", "三、问题线索移交情况"),
    ("Normal", "巡察期间共发现问题线索3件。"),
    ("Normal", "1.村会计涉嫌挪用集体资金，移交县纪委监委。"),
    ("Normal", "2.村主任履职不力，移交中共某县委组织部。"),
    ("Normal", "3.村监委会成员涉嫌收受礼金。"),
    ("Normal", "四、意见建议"),
    ("Normal", "（一）严格低保资金审核发放。"),
    ("Normal", "（二）规范集体土地发包程序。"),
    ("Normal", "（三）提高宣传报道质量。"),
]


def report_docx(body: list[tuple[str, str]] | None = None, *, number: bool = True) -> bytes:
    """A county team's report: masthead-free, a number, a centred 2号 title, an addressee,
    a body in mixed styles and numbering (full- and half-width), signature, date, 版记."""
    doc = Document()
    if number:
        doc.add_paragraph("湘南县巡〔2024〕3号").alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("关于巡察东江村党组织的情况报告").font.size = Pt(22)
    doc.add_paragraph("")
    doc.add_paragraph("县委巡察工作领导小组：")
    doc.add_paragraph(
        "根据县委统一部署，县委第二巡察组对东江村党组织开展了巡察。现将有关情况报告如下。"
    )
    for style, text in BODY if body is None else body:
        doc.add_paragraph(text, style=style)
    doc.add_paragraph("中共某县委第二巡察组")
    doc.add_paragraph("2024年5月20日")
    doc.add_paragraph("县委巡察办    2024年5月21日印发")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def title_only_docx() -> bytes:
    doc = Document()
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("关于巡察某村的情况报告").font.size = Pt(22)
    doc.add_paragraph("")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def bomb_docx(megabytes: int = 110) -> bytes:
    """A real DOCX whose package also holds ``megabytes`` MB of zeros (deflated to a
    few hundred KB): its zip directory unpacks past the limit."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(report_docx())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/media/padding.bin", b"\0" * (megabytes * 2**20))
    return out.getvalue()
