"""报送报告: lower-level offices' DOCX reports imported through the page (office only),
read in the sandbox, kept as submitted Reports that enter the review rounds of their
period and are checked like any other; hostile files refused with nothing kept; the
parser reads Xuncha's own generated report back."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from reviews_parse.builders import bomb_docx, report_docx
from web.reviews_world import review_round
from web.test_document_kinds import documents_world
from xuncha.documents.models import Report, ReportSource
from xuncha.documents.services import render_documents
from xuncha.reviews import autocheck
from xuncha.reviews.models import CheckedReport, FlagKind, ReviewSample
from xuncha.reviews.services import review_sample_add
from xuncha.reviews.submitted import parse_report

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _file(data: bytes, name: str = "东江村巡察报告.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=DOCX)


def _post(client, world, files, **extra):
    data = {"issuer": "中共某县委第二巡察组", "unit": world.unit.pk, "submitted_on": "2024-05-20",
            "reports": files, **extra}  # fmt: skip
    return client.post(reverse("reviews:submitted"), data)


def _text(page) -> str:
    return re.sub(r"<[^>]+>", "", page.content.decode())


def test_only_the_office_sees_the_page(client, world) -> None:
    for key in ("team", "unit", "supervisor", "leader"):
        client.force_login(world.users[key])
        assert client.get(reverse("reviews:submitted")).status_code == 404
        assert _post(client, world, [_file(report_docx())]).status_code == 404
    assert not Report.objects.exists()
    client.force_login(world.users["office"])
    page = client.get(reverse("reviews:rounds"))
    assert reverse("reviews:submitted") in page.content.decode()
    assert client.get(reverse("reviews:submitted")).status_code == 200
    assert _post(client, world, [_file(report_docx())]).status_code == 302
    report = Report.objects.get()
    for key in ("team", "unit", "supervisor", "leader"):
        client.force_login(world.users[key])
        assert client.get(reverse("reviews:submitted_report", args=[report.pk])).status_code == 404
        assert client.post(reverse("reviews:submitted_delete", args=[report.pk])).status_code == 404
    assert Report.objects.filter(pk=report.pk).exists()


def test_an_upload_is_read_kept_shown_and_checked_in_a_round(client, world) -> None:
    office, supervisor = world.users["office"], world.users["supervisor"]
    client.force_login(office)
    page = _post(client, world, [_file(report_docx())])
    report = Report.objects.get()
    assert page.status_code == 302 and page["Location"] == reverse(
        "reviews:submitted_report", args=[report.pk]
    )
    assert report.source == ReportSource.SUBMITTED and report.unit == world.unit
    assert (report.issuer, report.number, report.title) == (
        "中共某县委第二巡察组", "湘南县巡〔2024〕3号", "关于巡察东江村党组织的情况报告",
    )  # fmt: skip
    assert str(report.submitted_on) == "2024-05-20" and report.created_by == office
    assert len(report.content["problems"]) == 3 and report.content["figures"] == {}
    shown = _text(client.get(page["Location"]))
    assert (
        "问题 3 个（群众身边不正之风和腐败问题 2 个、基层党组织软弱涣散、组织力欠缺问题 1 个）"
        in shown
    )
    assert "线索 3 条、意见建议 3 条" in shown
    assert "上述行为违反了《社会救助暂行办法》第十四条。" in shown and "中共某县委组织部" in shown
    assert "提高宣传报道质量（对应问题：未对应）" in shown
    assert "下级报送的报告没有数据出处，数字未核对" in shown

    # The round over its period takes it as a candidate and checks it.
    rr = review_round(office, [supervisor])
    checked = CheckedReport.objects.get(review_round=rr, report=report)
    kinds = {f.kind: f.explanation for f in checked.flags.all()}
    assert set(kinds) == {FlagKind.UNSIGNED_PAPER, FlagKind.INCOMPLETE, FlagKind.LEAD_NO_ROUTE,
                          FlagKind.UNMATCHED}  # fmt: skip
    assert "问题 2「集体土地低价发包」缺责任指向" in kinds[FlagKind.INCOMPLETE]
    assert (
        "线索 3「村监委会成员涉嫌收受礼金」未写明移交对象和接收单位"
        in kinds[FlagKind.LEAD_NO_ROUTE]
    )
    assert "建议 3「提高宣传报道质量」未对应任何问题" in kinds[FlagKind.UNMATCHED]
    # Numbers (12件, 45人次, 3.5万元) are not flagged: not checked, and said so.
    assert checked.flag_count == 4
    sample = review_sample_add(review_round=rr, report=report, by=office)
    client.force_login(supervisor)
    assert "未检查：数字在数据中无出处：下级报送的报告没有数据出处，数字未核对。" in _text(
        client.get(reverse("reviews:sample", args=[sample.pk]))
    )
    # A generated report's numbers are still checked.
    assert autocheck.check_content({"sections": [{"heading": "一、", "paragraphs": ["共 17 户"]}]},
                                   low_weight=[], signed=None)[0].kind == FlagKind.UNSOURCED  # fmt: skip

    # Sampled: it cannot be deleted.
    client.force_login(office)
    page = client.post(reverse("reviews:submitted_delete", args=[report.pk]), follow=True)
    assert "已被评查批次「2024 年度报告评查」抽取，不能删除" in _text(page)
    assert Report.objects.filter(pk=report.pk).exists()
    ReviewSample.objects.all().delete()
    page = client.post(reverse("reviews:submitted_delete", args=[report.pk]), follow=True)
    assert "已删除「关于巡察东江村党组织的情况报告」" in _text(page)
    assert not Report.objects.exists() and not CheckedReport.objects.exists()


def test_several_files_listed_and_filtered(client, world) -> None:
    client.force_login(world.users["office"])
    doc = Document(io.BytesIO(report_docx()))  # the same report of another village
    doc.paragraphs[1].runs[0].text = "关于巡察西山村党组织的情况报告"
    out = io.BytesIO()
    doc.save(out)
    page = _post(client, world, [_file(report_docx()), _file(out.getvalue(), "西山村.docx")])
    assert page.status_code == 302 and page["Location"] == reverse("reviews:submitted")
    _post(client, world, [_file(report_docx(), "另一份.docx")], issuer="中共某县委第三巡察组",
          submitted_on="2025-03-01")  # fmt: skip
    assert Report.objects.count() == 3
    url = reverse("reviews:submitted")
    assert "共 3 份" in _text(client.get(url))
    assert "共 2 份" in _text(client.get(url, {"issuer": "第二巡察组"}))
    shown = _text(client.get(url, {"starts_on": "2025-01-01"}))
    assert "共 1 份" in shown and "中共某县委第三巡察组" in shown
    page = client.get(url, {"starts_on": "2025-13-01"})
    assert page.status_code == 200 and "报告日期起格式应为" in _text(page)


def test_the_same_report_twice_is_refused(client, world) -> None:
    client.force_login(world.users["office"])
    _post(client, world, [_file(report_docx())])
    page = _post(client, world, [_file(report_docx(), "again.docx")])
    assert page.status_code == 400
    assert "已于 2024-05-20 报送过「关于巡察东江村党组织的情况报告」" in _text(page)
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "空文件.docx", "文件「空文件.docx」是空的（0 字节），不是 DOCX 文件。"),
        (b"hello", "报告.docx", "文件「报告.docx」未导入：不是 DOCX 文件（不是 ZIP 压缩包；请用 Word 另存为 .docx）。"),
        (bomb_docx(), "炸弹.docx", "文件「炸弹.docx」未导入：解压后有"),
    ],
)  # fmt: skip
def test_hostile_files_refuse_the_whole_batch(client, world, data, name, message) -> None:
    client.force_login(world.users["office"])
    page = _post(client, world, [_file(report_docx(), "好的.docx"), _file(data, name)])
    assert page.status_code == 400
    shown = _text(page)
    assert "没有导入任何报告。" in shown and message in shown
    assert not Report.objects.exists()


def test_missing_fields_are_named(client, world) -> None:
    client.force_login(world.users["office"])
    page = client.post(reverse("reviews:submitted"), {"issuer": "", "submitted_on": ""})
    shown = _text(page)
    assert page.status_code == 400
    for message in ("请填写报告单位", "请选择被巡察单位。", "请填写报告日期。"):
        assert message in shown
    page = _post(client, world, [])
    assert page.status_code == 400 and "请选择要导入的巡察报告（DOCX 文件）。" in _text(page)


def test_the_parser_reads_xunchas_own_generated_report(db) -> None:
    dw = documents_world()
    _name, data = render_documents(kind="report", round=dw.round, unit=dw.unit).files[0]
    generated = Report.objects.get(source=ReportSource.GENERATED)
    parsed = parse_report(data)
    assert parsed["title"] == generated.title == "关于巡察东江街道的情况报告"
    mine = parsed["content"]["problems"]
    theirs = generated.content["problems"]
    assert [p["text"] for p in mine] == [p["text"] for p in theirs]
    assert [p["category"] for p in mine] == [p["category"] for p in theirs]
    assert [p["basis"].rstrip("。") for p in mine] == [p["basis"] for p in theirs]
    assert [p["responsible"].rstrip("。") for p in mine] == [p["responsible"] for p in theirs]
    assert [r["problems"] for r in parsed["content"]["recommendations"]] == [
        r["problems"] for r in generated.content["recommendations"]
    ]
    assert [s["heading"] for s in parsed["content"]["sections"][1:]] == [
        s["heading"] for s in generated.content["sections"]
    ]
