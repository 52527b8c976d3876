"""Documents as people have them in the workbench: a 「下载 Word」 rendered in the request,
and a PDF made in the background (worked by ``xuncha worker``; registered in
:data:`xuncha.common.jobs.TASK_MODULES`).

Either way a :class:`DocumentJob` keeps what was rendered, so the page lists it and the
warnings that came with it. A PDF job renders the DOCX and keeps it first; a failed
conversion (LibreOffice missing, crashed or too slow) fails the job with the reason and
leaves the DOCX to download.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import secrets
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import close_old_connections, transaction
from django.utils import timezone
from huey import crontab

from xuncha.accounts.access import document_kind_allowed, documents_scope
from xuncha.accounts.models import User
from xuncha.common import jobs
from xuncha.common.errors import ServiceError
from xuncha.common.jobs import queue
from xuncha.planning.models import Round
from xuncha.units.models import Unit

from .models import DocumentJob, DocumentKind, JobStatus

log = logging.getLogger(__name__)

LEDGER = ("ledger", "整改台账")


def document_kinds() -> list[tuple[str, str]]:
    """Every kind a round's unit's page offers (value, label), the 整改台账 (Excel) last;
    not the 督办函, had from its letter page (one per 督办), nor the term plan (its page)."""
    kinds = [(k.value, k.label) for k in DocumentKind
             if k not in (DocumentKind.SUPERVISION, DocumentKind.TERMPLAN)]  # fmt: skip
    return kinds if LEDGER[0] in dict(kinds) else [*kinds, LEDGER]


def kind_label(kind: str) -> str:
    return dict(document_kinds()).get(kind, kind)


def _check(*, kind: str, round: Round, unit: Unit, by: User) -> None:
    if kind not in dict(document_kinds()):
        raise ServiceError(f"没有「{kind}」这种公文。")
    scope = documents_scope(by, round_id=round.pk, unit_id=unit.pk)
    if not document_kind_allowed(scope, kind):
        raise ServiceError(f"您不能生成{round.name}{unit.name}的{kind_label(kind)}。")


def _bundle(files: list[tuple[str, bytes]], *, name: str) -> tuple[str, bytes]:
    """One file as it is; several as one ZIP named ``name``.zip."""
    if len(files) == 1:
        return files[0]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for filename, data in files:
            z.writestr(filename, data)
    return f"{name}.zip", out.getvalue()


def _safe(name: str) -> str:
    """A file name without path parts or characters storage would change."""
    name = re.sub(r"[\\/:*?\"<>|\s]+", "_", name).strip("._") or "公文"
    return name[:120]


def bundle_name(job: DocumentJob) -> str:
    return _safe(f"{job.round.name}-{job.unit.name if job.unit else ''}-{kind_label(job.kind)}")


def _render(job: DocumentJob) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The kind's files for the job's round and unit, and the warnings; a ServiceError
    (Chinese) when there is nothing to render."""
    from .services import NothingToRender, render_documents

    try:
        rendered = render_documents(
            kind=job.kind, round=job.round, unit=job.unit, user=job.requested_by
        )
    except NothingToRender as err:
        raise ServiceError(str(err)) from err
    files = [(_safe(name), data) for name, data in rendered.files]
    return files, [str(w) for w in rendered.warnings]


def document_generate(*, kind: str, round: Round, unit: Unit, by: User) -> DocumentJob:
    """Render ``kind`` for the round's unit now (「下载 Word」) and keep it as a done job.
    Raises ServiceError (Chinese) when the user may not, or there is nothing to render."""
    _check(kind=kind, round=round, unit=unit, by=by)
    job = DocumentJob(kind=kind, round=round, unit=unit, requested_by=by,
                      token=secrets.token_hex(16), pdf_wanted=False)  # fmt: skip
    files, warnings = _render(job)
    name, data = _bundle(files, name=bundle_name(job))
    now = timezone.now()
    job.status, job.step, job.warnings = JobStatus.DONE, "完成", warnings
    job.started_at = job.finished_at = now
    job.docx_name = name
    job.docx.save(f"word{Path(name).suffix}", ContentFile(data), save=False)
    try:
        job.save()
    except Exception:
        job.docx.delete(save=False)
        raise
    return job


def job_start(*, kind: str, round: Round, unit: Unit, by: User) -> DocumentJob:
    """Queue a PDF of ``kind`` for the round's unit; the worker does the rest (the
    ledger's workbook is converted by LibreOffice Calc, printed A4 landscape)."""
    _check(kind=kind, round=round, unit=unit, by=by)
    with transaction.atomic():
        busy = DocumentJob.objects.filter(
            kind=kind, round=round, unit=unit, requested_by=by, pdf_wanted=True,
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
        )  # fmt: skip
        if busy.exists():
            raise ServiceError(f"您申请的{kind_label(kind)} PDF 正在生成，请等它完成。")
        job = DocumentJob.objects.create(
            kind=kind, round=round, unit=unit, requested_by=by, token=secrets.token_hex(16),
            step="等待工作进程",
        )  # fmt: skip
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    document_pdf_task(job_id)


def job_execute(job_id: int) -> None:
    """The job: render, keep the DOCX, convert it to PDF, keep the PDF."""
    with transaction.atomic():
        job = (
            DocumentJob.objects.select_for_update(of=("self",))
            .select_related("round", "unit", "requested_by")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.status != JobStatus.QUEUED:
            return  # removed, or already taken by another worker
        now = timezone.now()
        job.status, job.worker, job.started_at, job.heartbeat_at = (
            JobStatus.RUNNING, jobs.worker_id(), now, now)  # fmt: skip
        job.step = "生成 Word 文件"
        job.save(update_fields=["status", "worker", "started_at", "heartbeat_at", "step"])
    try:
        with jobs.heartbeat(lambda: _beat(job.pk)):
            _execute(job)
    except ServiceError as err:
        _fail(job.pk, str(err))
    except Exception as err:
        log.exception("document job %s failed", job.pk)
        _fail(job.pk, f"生成出错（{type(err).__name__}: {str(err)[:300]}），请联系系统管理员。")


def _beat(job_id: int) -> None:
    DocumentJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        heartbeat_at=timezone.now()
    )


def _step(job_id: int, step: str) -> None:
    DocumentJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        step=step, heartbeat_at=timezone.now()
    )


def _execute(job: DocumentJob) -> None:
    from .official.pdf import PdfFailed, to_pdf

    files, warnings = _render(job)
    name, data = _bundle(files, name=bundle_name(job))
    job.docx.save(f"word{Path(name).suffix}", ContentFile(data), save=False)
    DocumentJob.objects.filter(pk=job.pk).update(
        docx=job.docx.name, docx_name=name, warnings=warnings
    )
    _step(job.pk, "转换为 PDF")
    with tempfile.TemporaryDirectory(dir=_scratch()) as tmp:
        folder = Path(tmp)
        pdfs: list[tuple[str, bytes]] = []
        for filename, content in files:
            source = folder / filename
            source.write_bytes(content)
            try:
                pdf = to_pdf(source, folder / "pdf")
            except PdfFailed as err:
                raise ServiceError(
                    f"转换为 PDF 失败：{err}（{filename}）。"
                    f"{'Excel' if filename.endswith('.xlsx') else 'Word'} 文件已生成，可以下载。"
                ) from err
            pdfs.append((f"{Path(filename).stem}.pdf", pdf.read_bytes()))
    name, data = _bundle(pdfs, name=bundle_name(job))
    job.pdf.save(f"pdf{Path(name).suffix}", ContentFile(data), save=False)
    DocumentJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        pdf=job.pdf.name,
        pdf_name=name,
        status=JobStatus.DONE,
        step="完成",
        finished_at=timezone.now(),
    )


def _fail(job_id: int, reason: str) -> None:
    DocumentJob.objects.filter(pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.FAILED, message=reason, finished_at=timezone.now(), step="失败"
    )


def jobs_reap(*, stale_after: float | None = None) -> int:
    """Mark failed the jobs whose worker is gone (its process ended, or it has not
    reported for ``stale_after`` seconds); the DOCX, if kept, stays. Returns how many."""
    stale_after = settings.JOB_STALE_SECONDS if stale_after is None else stale_after
    cutoff = timezone.now() - dt.timedelta(seconds=stale_after)
    reaped = 0
    for job in DocumentJob.objects.filter(status=JobStatus.RUNNING):
        alive = jobs.pid_alive(job.worker)
        if alive is False or (job.heartbeat_at is not None and job.heartbeat_at < cutoff):
            why = "工作进程已退出" if alive is False else f"工作进程 {stale_after:.0f} 秒没有响应"
            _fail(job.pk, f"生成中断：{why}（进程 {job.worker}）。可以重新申请。")
            reaped += 1
    return reaped


def _scratch() -> Path:
    """Where conversions keep their scratch files: in the data folder, never the system's."""
    scratch = Path(settings.DATA_DIR) / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    return scratch


@queue().task()
def document_pdf_task(job_id: int) -> None:
    close_old_connections()
    try:
        job_execute(job_id)
    finally:
        close_old_connections()


@queue().periodic_task(crontab(minute="*"))
def document_jobs_reap_task() -> None:
    """Every minute: jobs whose worker died are marked failed."""
    close_old_connections()
    try:
        jobs_reap()
    finally:
        close_old_connections()
