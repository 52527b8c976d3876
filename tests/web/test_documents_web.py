"""Documents in the workbench (公文): the office's templates (accepted, refused, used by the
next render, reverted), 「下载 Word」 per kind and role, and who may open what."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import docx
import pytest
from django.conf import settings
from django.urls import reverse

from web.factories import RoundFactory, TeamFactory, UnitFactory, UserFactory
from web.test_document_kinds import DocWorld, documents_world
from xuncha.accounts.models import Role
from xuncha.documents.models import DocumentJob, JobStatus, OfficeTemplate
from xuncha.documents.official.templates import shipped_template
from xuncha.planning.services import assignment_add

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MARK = "本办定制模板标记"


@pytest.fixture
def dw(db: Any) -> DocWorld:
    return documents_world()


def _page(dw: DocWorld) -> str:
    return reverse("documents:page", args=[dw.round.pk, dw.unit.pk])


def _text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def _parts(data: bytes) -> dict[str, bytes]:
    """A DOCX's parts (its ZIP's entries and properties carry the time it was made)."""
    z = zipfile.ZipFile(io.BytesIO(data))
    return {name: z.read(name) for name in z.namelist()}


def _marked(template: bytes) -> bytes:
    """The shipped template as an office edits it in Word: one line of its own added."""
    document = docx.Document(io.BytesIO(template))
    document.paragraphs[0].insert_paragraph_before(MARK)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _upload(client: Any, kind: str, data: bytes, name: str = "本办模板.docx") -> Any:
    f = io.BytesIO(data)
    f.name = name
    return client.post(reverse("documents:template_upload"), {"kind": kind, "file": f})


def _word(client: Any, dw: DocWorld, kind: str) -> Any:
    return client.post(reverse("documents:word", args=[dw.round.pk, dw.unit.pk]), {"kind": kind})


def _stored() -> set[Path]:
    """The template files kept (the media folder is the test session's: compare before
    and after)."""
    folder = Path(settings.MEDIA_ROOT) / "documents" / "templates"
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# ------------------------------------------------------------------ templates


def test_an_office_template_is_used_by_the_next_render_until_reverted(client, dw) -> None:
    client.force_login(dw.users["office"])
    page = client.get(reverse("documents:templates"))
    assert page.status_code == 200 and "系统自带模板" in page.content.decode()
    shipped = client.get(reverse("documents:template_shipped"))
    assert shipped["Content-Type"] == DOCX
    got, built = _parts(b"".join(shipped.streaming_content)), _parts(shipped_template())
    assert got.keys() == built.keys() and got["word/document.xml"] == built["word/document.xml"]

    response = _upload(client, "notice", _marked(shipped_template()))
    assert response.status_code == 302
    template = OfficeTemplate.objects.get(kind="notice", active=True)
    assert template.name == "本办模板.docx" and template.installed_by == dw.users["office"]
    assert {"doc.title", "doc.date", "sections"} <= set(template.fields)
    listed = client.get(reverse("documents:templates")).content.decode()
    assert "本办模板「" in listed and "恢复系统自带模板" in listed

    # The team's next 巡察公告 is rendered with it; another kind still with the shipped one.
    client.force_login(dw.users["handler"])
    _word(client, dw, "notice")
    job = DocumentJob.objects.get(kind="notice")
    assert MARK in _text(job.docx.read())
    _word(client, dw, "report")
    assert MARK not in _text(DocumentJob.objects.get(kind="report").docx.read())

    client.force_login(dw.users["office"])
    client.post(reverse("documents:template_revert", args=["notice"]))
    assert not OfficeTemplate.objects.filter(active=True).exists()
    kept = OfficeTemplate.objects.get()  # the history keeps it
    assert kept.retired_by == dw.users["office"] and kept.retired_at is not None
    client.force_login(dw.users["handler"])
    _word(client, dw, "notice")
    assert MARK not in _text(DocumentJob.objects.filter(kind="notice").latest("pk").docx.read())


def test_a_second_template_retires_the_first(client, dw) -> None:
    client.force_login(dw.users["office"])
    _upload(client, "report", _marked(shipped_template()), "一.docx")
    _upload(client, "report", shipped_template(), "二.docx")
    rows = OfficeTemplate.objects.filter(kind="report").order_by("pk")
    assert [(t.name, t.active) for t in rows] == [("一.docx", False), ("二.docx", True)]


def test_a_file_that_is_not_a_docx_is_refused_and_nothing_stored(client, dw) -> None:
    client.force_login(dw.users["office"])
    before = _stored()
    response = _upload(client, "report", "这是一份纯文本。".encode(), "报告模板.docx")
    assert response.status_code == 400
    text = _messages(response)
    assert "「报告模板.docx」未安装" in text and "不是 DOCX 文件" in text
    assert not OfficeTemplate.objects.exists() and _stored() == before


def _template(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_template_lacking_fields_is_refused_naming_them(client, dw) -> None:
    client.force_login(dw.users["office"])
    response = _upload(client, "notice", _template("{{ doc.date }}", "{{ doc.issuer }}"))
    assert response.status_code == 400
    assert "模板缺少必需字段：doc.title、sections" in _messages(response)
    # The 交办单 needs its table as well: a template without it is refused for that kind only.
    body = ["{{ doc.title }}", "{{ doc.date }}", "{%p for s in sections %}", "{{ s.heading }}",
            "{%p endfor %}"]  # fmt: skip
    response = _upload(client, "immediate", _template(*body))
    assert response.status_code == 400 and "模板缺少必需字段：table" in _messages(response)
    assert _upload(client, "notice", _template(*body)).status_code == 302
    assert list(OfficeTemplate.objects.values_list("kind", flat=True)) == ["notice"]


def test_a_huge_file_is_refused(client, dw) -> None:
    client.force_login(dw.users["office"])
    before = _stored()
    response = _upload(client, "report", b"PK" + b"\0" * (11 * 1024 * 1024))
    assert response.status_code == 400 and "超过 10 MB" in _messages(response)
    assert not OfficeTemplate.objects.exists() and _stored() == before


def _bomb(megabytes: int) -> bytes:
    """A DOCX whose document part inflates to ``megabytes`` of blanks (a few hundred KB
    on the wire)."""
    shipped = zipfile.ZipFile(io.BytesIO(shipped_template()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in shipped.infolist():
            if item.filename != "word/document.xml":
                z.writestr(item, shipped.read(item))
        xml = shipped.read("word/document.xml")
        cut = xml.rindex(b"</w:body>")
        with z.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(xml[:cut])
            block = b" " * (1024 * 1024)
            for _ in range(megabytes):
                part.write(block)
            part.write(xml[cut:])
    return out.getvalue()


def test_a_zip_bomb_is_refused_in_the_sandbox(client, dw, monkeypatch) -> None:
    monkeypatch.setenv("XUNCHA_SANDBOX_PARSE_MEMORY_MB", "300")
    data = _bomb(600)
    assert len(data) < 2 * 1024 * 1024
    client.force_login(dw.users["office"])
    before = _stored()
    response = _upload(client, "report", data, "炸弹.docx")
    assert response.status_code == 400
    # Refused by its zip directory before anything is inflated (the child's memory limit
    # stands behind that for a package that lies about its sizes).
    assert "「巡察报告」模板「炸弹.docx」未安装" in _messages(response)
    assert "解压后有 600 MB" in _messages(response) and "压缩炸弹" in _messages(response)
    assert not OfficeTemplate.objects.exists() and _stored() == before
    # The same file with a little padding is a template like any other.
    assert _upload(client, "report", _bomb(1), "小.docx").status_code == 302


@pytest.mark.parametrize("role", ["team", "unit", "supervisor", "leader"])
def test_the_template_pages_are_the_offices(client, world, role) -> None:
    client.force_login(world.users[role])
    for url in (reverse("documents:templates"), reverse("documents:template_shipped")):
        assert client.get(url).status_code == 404
    assert _upload(client, "report", shipped_template()).status_code == 404
    assert client.post(reverse("documents:template_revert", args=["report"])).status_code == 404


# ------------------------------------------------------------------ generating


KINDS = {  # kind -> (suffix of what is downloaded, content type)
    "report": (".docx", DOCX), "feedback": (".docx", DOCX), "papers": (".zip", "application/zip"),
    "leads": (".zip", "application/zip"), "immediate": (".docx", DOCX), "plan": (".docx", DOCX),
    "progress": (".docx", DOCX), "notice": (".docx", DOCX),
    "ledger": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}  # fmt: skip


def test_the_team_downloads_every_kind_as_word(client, dw) -> None:
    client.force_login(dw.users["handler"])
    for kind, (suffix, content_type) in KINDS.items():
        response = _word(client, dw, kind)
        job = DocumentJob.objects.filter(kind=kind).latest("pk")
        assert response.status_code == 302 and response["Location"].endswith(
            f"?download={job.pk}#job-{job.pk}"
        ), kind
        assert (
            job.status == JobStatus.DONE and not job.pdf_wanted and job.docx_name.endswith(suffix)
        )
        page = client.get(response["Location"])
        html = page.content.decode()
        assert (
            f'id="fresh-download" href="{reverse("documents:file", args=[job.pk, "docx"])}"' in html
        )
        file = client.get(reverse("documents:file", args=[job.pk, "docx"]))
        assert file.status_code == 200 and file["Content-Type"] == content_type, kind
        disposition = unquote(file["Content-Disposition"])
        assert disposition.startswith("attachment") and job.docx_name in disposition
        data = b"".join(file.streaming_content)
        if suffix == ".zip":
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
            assert len(names) >= 2 and all(n.endswith(".docx") for n in names), kind
        elif suffix == ".docx":
            assert _text(data).strip(), kind
    # The unsigned finding is named on the page beside the report it was left out of.
    client.get(_page(dw))  # the messages of the last download are gone
    _word(client, dw, "report")
    page = client.get(_page(dw)).content.decode()
    assert "未完成签字" in page and "公务接待超标准" in page


def test_nothing_to_render_is_a_message_not_an_empty_document(client, dw) -> None:
    unit = UnitFactory(name="空白村")
    assignment_add(team=dw.team, unit=unit)
    client.force_login(dw.users["handler"])
    url = reverse("documents:word", args=[dw.round.pk, unit.pk])
    response = client.post(url, {"kind": "report"}, follow=True)
    assert "没有已签字的问题，无法生成巡察报告" in _messages(response)
    assert not DocumentJob.objects.exists()


def test_an_unknown_kind_is_refused(client, dw) -> None:
    client.force_login(dw.users["handler"])
    response = client.post(reverse("documents:word", args=[dw.round.pk, dw.unit.pk]),
                           {"kind": "memo"}, follow=True)  # fmt: skip
    assert "没有「memo」这种公文" in _messages(response)
    assert not DocumentJob.objects.exists()


def test_the_unit_has_its_plan_progress_and_ledger_only(client, dw) -> None:
    client.force_login(dw.users["unit"])
    page = client.get(_page(dw)).content.decode()
    assert 'id="kind-plan"' in page and 'id="kind-ledger"' in page
    assert 'id="kind-report"' not in page and 'id="kind-papers"' not in page
    assert _word(client, dw, "plan").status_code == 302
    plan = DocumentJob.objects.get(kind="plan")
    assert client.get(reverse("documents:file", args=[plan.pk, "docx"])).status_code == 200
    response = client.post(reverse("documents:word", args=[dw.round.pk, dw.unit.pk]),
                           {"kind": "report"}, follow=True)  # fmt: skip
    assert "您不能生成" in _messages(response) and not DocumentJob.objects.filter(kind="report")
    # The team's report is not the unit's to download, nor listed on its page.
    client.force_login(dw.users["handler"])
    _word(client, dw, "report")
    report = DocumentJob.objects.get(kind="report")
    client.force_login(dw.users["unit"])
    assert client.get(reverse("documents:file", args=[report.pk, "docx"])).status_code == 404
    assert f'id="job-{report.pk}"' not in client.get(_page(dw)).content.decode()


def test_a_leader_reads_what_was_generated_and_generates_nothing(client, dw) -> None:
    client.force_login(dw.users["handler"])
    _word(client, dw, "report")
    report = DocumentJob.objects.get()
    leader = UserFactory(role=Role.LEADER)
    client.force_login(leader)
    page = client.get(_page(dw)).content.decode()
    assert 'id="kinds"' not in page and f'id="job-{report.pk}"' in page
    assert client.get(reverse("documents:file", args=[report.pk, "docx"])).status_code == 200
    response = _word(client, dw, "report")
    assert response.status_code == 302 and DocumentJob.objects.count() == 1
    pdf = client.post(reverse("documents:pdf", args=[dw.round.pk, dw.unit.pk]), {"kind": "report"})
    assert pdf.status_code == 302 and DocumentJob.objects.count() == 1


def test_others_find_no_documents_page(client, dw) -> None:
    other_team_user = UserFactory(role=Role.TEAM)
    other = TeamFactory(round=dw.round)
    from web.factories import CadreFactory
    from xuncha.planning.services import team_member_add

    team_member_add(team=other, cadre=CadreFactory(user=other_team_user))
    client.force_login(dw.users["handler"])
    _word(client, dw, "report")
    job = DocumentJob.objects.get()
    other_round = RoundFactory()
    for user in (other_team_user, UserFactory(role=Role.SUPERVISOR),
                 UserFactory(role=Role.UNIT, unit=UnitFactory())):  # fmt: skip
        client.force_login(user)
        for url in (_page(dw), reverse("documents:status", args=[dw.round.pk, dw.unit.pk]),
                    reverse("documents:file", args=[job.pk, "docx"])):  # fmt: skip
            assert client.get(url).status_code == 404, (user.role, url)
        assert _word(client, dw, "notice").status_code == 404
    # A round that did not inspect the unit has no documents page, even for the office.
    client.force_login(dw.users["office"])
    assert (
        client.get(reverse("documents:page", args=[other_round.pk, dw.unit.pk])).status_code == 404
    )


def test_the_index_lists_the_units_each_may_open(client, dw) -> None:
    for key in ("handler", "office", "unit"):
        client.force_login(dw.users[key])
        page = client.get(reverse("documents:index")).content.decode()
        assert _page(dw) in page, key
    client.force_login(UserFactory(role=Role.SUPERVISOR))
    assert client.get(reverse("documents:index")).status_code == 404


def test_the_work_page_and_round_page_link_to_the_documents(client, dw) -> None:
    client.force_login(dw.users["handler"])
    for url in (reverse("findings:work", args=[dw.assignment.pk]),
                reverse("planning:round", args=[dw.round.pk])):  # fmt: skip
        assert _page(dw) in client.get(url).content.decode(), url
    client.force_login(dw.users["unit"])
    assert reverse("documents:index") in client.get(reverse("rectifications:list")).content.decode()
