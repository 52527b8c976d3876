"""PDFs of documents as background jobs: through the app's real queue to a real
LibreOffice; with LibreOffice missing the job fails saying why and the DOCX stays; the
page's status feed; a worker that died is reaped."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from web.test_document_kinds import DocWorld, documents_world
from xuncha.common import jobs
from xuncha.documents.jobs import job_execute, job_start, jobs_reap
from xuncha.documents.models import DocumentJob, JobStatus


@pytest.fixture
def queue():
    """The app's queue as the settings make it, emptied before and after."""
    huey = jobs.queue()
    huey.flush()
    yield huey
    huey.flush()


def _pdf(client: Any, dw: DocWorld, kind: str) -> Any:
    return client.post(reverse("documents:pdf", args=[dw.round.pk, dw.unit.pk]), {"kind": kind})


@pytest.mark.django_db(transaction=True)
def test_a_pdf_job_goes_through_the_queue_to_libreoffice(client, queue) -> None:
    dw = documents_world()
    client.force_login(dw.users["handler"])
    response = _pdf(client, dw, "report")
    job = DocumentJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#job-{job.pk}")
    assert job.status == JobStatus.QUEUED and job.pdf_wanted and len(queue) == 1
    page = client.get(reverse("documents:page", args=[dw.round.pk, dw.unit.pk])).content.decode()
    assert 'data-status-url="' in page and "排队中" in page  # the script follows it
    # A second request for the same PDF while it waits is refused.
    again = client.post(reverse("documents:pdf", args=[dw.round.pk, dw.unit.pk]),
                        {"kind": "report"}, follow=True)  # fmt: skip
    assert "正在生成" in " ".join(str(m) for m in again.context["messages"])
    assert DocumentJob.objects.count() == 1

    queue.execute(queue.dequeue())
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    assert job.finished_at is not None and job.worker
    assert job.pdf_name.endswith("_巡察报告.pdf") and job.docx_name.endswith("_巡察报告.docx")
    assert any("未完成签字" in w for w in job.warnings)
    pdf = client.get(reverse("documents:file", args=[job.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    status = client.get(reverse("documents:status", args=[dw.round.pk, dw.unit.pk])).json()
    assert status["jobs"] == [{"id": job.pk, "status": "done", "label": "已完成", "tone": "ok",
                               "finished": True, "step": "完成"}]  # fmt: skip
    page = client.get(reverse("documents:page", args=[dw.round.pk, dw.unit.pk])).content.decode()
    assert "data-status-url" not in page and reverse("documents:file", args=[job.pk, "pdf"]) in page


@pytest.fixture
def dw(db: Any) -> DocWorld:
    return documents_world()


def test_without_libreoffice_the_job_fails_saying_why_and_the_docx_stays(
    client, dw, monkeypatch
) -> None:
    monkeypatch.setenv("XUNCHA_SOFFICE", "/nonexistent/soffice")
    job = job_start(kind="notice", round=dw.round, unit=dw.unit, by=dw.users["handler"])
    job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.pdf
    assert job.message.startswith("转换为 PDF 失败：") and "/nonexistent/soffice" in job.message
    assert "Word 文件已生成，可以下载" in job.message
    client.force_login(dw.users["handler"])
    page = client.get(reverse("documents:page", args=[dw.round.pk, dw.unit.pk])).content.decode()
    assert "失败" in page and "/nonexistent/soffice" in page
    docx = client.get(reverse("documents:file", args=[job.pk, "docx"]))
    assert docx.status_code == 200 and b"".join(docx.streaming_content).startswith(b"PK")
    assert client.get(reverse("documents:file", args=[job.pk, "pdf"])).status_code == 404


def test_nothing_to_render_fails_the_job_with_the_reason(dw) -> None:
    from web.factories import UnitFactory
    from xuncha.planning.services import assignment_add

    unit = UnitFactory(name="空白村")
    assignment_add(team=dw.team, unit=unit)
    job = job_start(kind="report", round=dw.round, unit=unit, by=dw.users["handler"])
    job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.docx
    assert "没有已签字的问题，无法生成巡察报告" in job.message


def test_a_job_whose_worker_died_is_reaped(dw) -> None:
    job = job_start(kind="notice", round=dw.round, unit=dw.unit, by=dw.users["handler"])
    DocumentJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, worker="elsewhere:1",
        heartbeat_at=timezone.now() - dt.timedelta(hours=1),
    )  # fmt: skip
    assert jobs_reap(stale_after=60) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "60 秒没有响应" in job.message
    job_execute(job.pk)  # a late message for it changes nothing
    assert DocumentJob.objects.get(pk=job.pk).status == JobStatus.FAILED


def test_several_documents_become_a_zip_of_pdfs(dw) -> None:
    import io
    import zipfile

    job = job_start(kind="papers", round=dw.round, unit=dw.unit, by=dw.users["handler"])
    job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    assert job.docx_name.endswith(".zip") and job.pdf_name.endswith(".zip")
    pdfs = zipfile.ZipFile(io.BytesIO(job.pdf.read()))
    words = zipfile.ZipFile(io.BytesIO(job.docx.read()))
    assert [n.removesuffix(".pdf") for n in pdfs.namelist()] == [
        n.removesuffix(".docx") for n in words.namelist()
    ]
    assert len(pdfs.namelist()) == 5
    assert all(pdfs.read(n).startswith(b"%PDF") for n in pdfs.namelist())


def test_the_ledger_is_had_as_excel_and_as_a_landscape_pdf(client, dw) -> None:
    """The 整改台账 workbook goes through LibreOffice Calc: an A4 landscape PDF whose
    text holds the ledger's rows."""
    from pypdf import PdfReader

    client.force_login(dw.users["unit"])
    page = client.get(reverse("documents:page", args=[dw.round.pk, dw.unit.pk])).content.decode()
    row = page[page.index('id="kind-ledger"') :].split("</tr>")[0]
    assert "下载 Excel" in row and "生成 PDF" in row
    job = job_start(kind="ledger", round=dw.round, unit=dw.unit, by=dw.users["unit"])
    job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    assert job.docx_name.endswith(".xlsx") and job.pdf_name.endswith(".pdf")
    reader = PdfReader(job.pdf.path)
    box = reader.pages[0].mediabox
    assert (
        round(float(box.width) / 72 * 25.4) == 297 and round(float(box.height) / 72 * 25.4) == 210
    )
    text = "".join(p.extract_text() for p in reader.pages)
    assert "反馈问题" in text and "集体土地低价发包" in text and "第 1 页 共" in text
