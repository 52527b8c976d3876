"""The documents' pages (公文): per round and unit, 「下载 Word」 and 「生成 PDF」 for each
kind with the list of what was generated; the office's template page (公文模板).

Who may do what is :func:`xuncha.accounts.access.documents_scope`; a user outside it
gets a 404, as for every page it may not see."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xuncha.accounts.access import (
    UNIT_DOCUMENT_KINDS,
    allowed,
    document_kind_allowed,
    documents_scope,
    restrict,
    user_of,
)
from xuncha.accounts.models import User
from xuncha.common.choices import badge_parts
from xuncha.common.errors import ServiceError
from xuncha.common.files import sandboxed
from xuncha.common.middleware import no_store
from xuncha.common.pagination import paginate
from xuncha.planning.models import Assignment, Round
from xuncha.units.models import Unit

from . import forms, jobs, store
from .models import DocumentJob, JobStatus, OfficeTemplate

CONTENT_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
}
JOBS_SHOWN = 30


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The rounds' units whose documents the user may open."""
    user = user_of(request)
    if not allowed(user, "documents.open"):
        raise Http404
    rows = restrict(Assignment.objects.all(), user)
    if user.unit_id is not None:  # a unit's liaison: the rounds that inspected its unit
        rows = rows | Assignment.objects.filter(unit_id=user.unit_id)
    rows = rows.select_related("round", "unit", "team").order_by("-round__start_date", "unit__name")
    context = paginate(request, rows, 50) | {"templates": allowed(user, "documents.templates")}
    return render(request, "documents/index.html", context)


def _place(request: HttpRequest, round_pk: int, unit_pk: int) -> tuple[Round, Unit, str]:
    """The round and unit of a documents page, and the user's scope; 404 outside it."""
    scope = documents_scope(user_of(request), round_id=round_pk, unit_id=unit_pk)
    if not scope:
        raise Http404
    return get_object_or_404(Round, pk=round_pk), get_object_or_404(Unit, pk=unit_pk), scope


def _jobs(round: Round, unit: Unit, scope: str) -> QuerySet[DocumentJob]:
    rows = DocumentJob.objects.filter(round=round, unit=unit).select_related("requested_by")
    return rows.filter(kind__in=UNIT_DOCUMENT_KINDS) if scope == "unit" else rows


@no_store
@login_required
def page(request: HttpRequest, round_pk: int, unit_pk: int) -> HttpResponse:
    user = user_of(request)
    rnd, unit, scope = _place(request, round_pk, unit_pk)
    kinds = [(k, label) for k, label in jobs.document_kinds() if document_kind_allowed(scope, k)]
    shown = list(_jobs(rnd, unit, scope)[:JOBS_SHOWN])
    fresh = request.GET.get("download", "")
    fresh_job = next((j for j in shown if str(j.pk) == fresh and j.docx), None)
    work = (
        restrict(Assignment.objects.filter(round=rnd, unit=unit), user)
        .values_list("pk", flat=True)
        .first()
    )
    context = {
        "round": rnd, "unit": unit, "scope": scope, "kinds": kinds, "fresh": fresh_job,
        "jobs": [(j, jobs.kind_label(j.kind)) for j in shown], "work": work,
        "busy": any(not j.finished for j in shown), "JobStatus": JobStatus,
        "templates": allowed(user, "documents.templates"),
    }  # fmt: skip
    return render(request, "documents/page.html", context)


def _kind(request: HttpRequest) -> str:
    """The kind asked for, as sent: the service refuses an unknown one naming it."""
    return str(request.POST.get("kind", ""))[:40]


def _page_url(rnd: Round, unit: Unit) -> str:
    return reverse("documents:page", args=[rnd.pk, unit.pk])


@login_required
@require_POST
def word(request: HttpRequest, round_pk: int, unit_pk: int) -> HttpResponse:
    """「下载 Word」: render now, keep it, and come back to the page, which starts the
    download and shows the warnings; nothing to render is a message."""
    rnd, unit, _ = _place(request, round_pk, unit_pk)
    kind = _kind(request)
    try:
        job = jobs.document_generate(kind=kind, round=rnd, unit=unit, by=user_of(request))
    except ServiceError as err:
        messages.error(request, str(err))
        return redirect(_page_url(rnd, unit))
    messages.success(request, f"已生成{jobs.kind_label(kind)}「{job.docx_name}」，正在下载。")
    for warning in job.warnings:
        messages.warning(request, warning)
    return redirect(f"{_page_url(rnd, unit)}?download={job.pk}#job-{job.pk}")


@login_required
@require_POST
def pdf(request: HttpRequest, round_pk: int, unit_pk: int) -> HttpResponse:
    """「生成 PDF」: queue a background job; the page follows its status."""
    rnd, unit, _ = _place(request, round_pk, unit_pk)
    kind = _kind(request)
    try:
        job = jobs.job_start(kind=kind, round=rnd, unit=unit, by=user_of(request))
    except ServiceError as err:
        messages.error(request, str(err))
        return redirect(_page_url(rnd, unit))
    messages.success(
        request, f"已申请生成{jobs.kind_label(kind)} PDF，完成后可在下方列表下载，可以先离开本页。"
    )
    return redirect(f"{_page_url(rnd, unit)}#job-{job.pk}")


@login_required
def status(request: HttpRequest, round_pk: int, unit_pk: int) -> JsonResponse:
    """The page's jobs with their status labelled (the script keeps no table of its own)."""
    rnd, unit, scope = _place(request, round_pk, unit_pk)
    out: list[dict[str, Any]] = []
    for job in _jobs(rnd, unit, scope)[:JOBS_SHOWN]:
        label, tone = badge_parts(job.status, "document_job")
        out.append({"id": job.pk, "status": job.status, "label": label, "tone": tone,
                    "finished": job.finished, "step": job.step})  # fmt: skip
    return JsonResponse({"jobs": out})


def _download(field: Any, name: str) -> FileResponse:
    suffix = Path(name).suffix.lower()
    response = FileResponse(
        field.open("rb"), as_attachment=True, filename=name,
        content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"),
    )  # fmt: skip
    return sandboxed(response)


@no_store
@login_required
def job_file(request: HttpRequest, pk: int, which: str) -> FileResponse:
    """A job's DOCX (or ledger workbook, or ZIP) or PDF, with its Chinese name."""
    job = get_object_or_404(DocumentJob, pk=pk)
    if job.unit_id is None:
        raise Http404
    scope = documents_scope(user_of(request), round_id=job.round_id, unit_id=job.unit_id)
    if not scope or (scope == "unit" and job.kind not in UNIT_DOCUMENT_KINDS):
        raise Http404
    field, name = {"docx": (job.docx, job.docx_name), "pdf": (job.pdf, job.pdf_name)}.get(
        which, (None, "")
    )
    if not field:
        raise Http404
    return _download(field, name)


# ------------------------------------------------------------------ office templates


def _office(user: User) -> None:
    if not allowed(user, "documents.templates"):
        raise Http404


@login_required
def templates(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    _office(user)
    return _templates_page(request, forms.TemplateForm())


def _templates_page(
    request: HttpRequest, form: forms.TemplateForm, status: int = 200
) -> HttpResponse:
    installed = OfficeTemplate.objects.select_related("installed_by", "retired_by")
    active = {t.kind: t for t in installed if t.active}
    kinds = [
        {"kind": k, "label": label, "active": active.get(k), "required": store.required_fields(k)}
        for k, label in store.template_kinds()
    ]
    context = {"kinds": kinds, "history": installed, "form": form}
    return render(request, "documents/templates.html", context, status=status)


@login_required
def template_shipped(request: HttpRequest) -> FileResponse:
    """The shipped template, to edit in Word and upload again."""
    _office(user_of(request))
    from django.core.files.base import ContentFile

    return _download(ContentFile(store.shipped()), "公文模板（系统自带）.docx")


@login_required
@require_POST
def template_upload(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    _office(user)
    form = forms.TemplateForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择公文种类和模板文件（DOCX）。")
        return _templates_page(request, form, status=400)
    f = form.cleaned_data["file"]
    kind = form.cleaned_data["kind"]
    try:
        # One byte past the limit is enough for the refusal: a huge upload is not read whole.
        data = f.read(store.MAX_TEMPLATE_BYTES + 1)
        template = store.template_install(kind=kind, data=data, name=f.name or "", by=user)
    except ServiceError as err:
        messages.error(request, str(err))
        return _templates_page(request, form, status=400)
    messages.success(
        request,
        f"已安装{template.get_kind_display()}模板「{template.name}」，今后生成时使用它。",
    )
    return redirect("documents:templates")


@login_required
@require_POST
def template_revert(request: HttpRequest, kind: str) -> HttpResponse:
    user = user_of(request)
    _office(user)
    try:
        retired = store.template_revert(kind=kind, by=user)
    except ServiceError as err:
        messages.error(request, str(err))
        return redirect("documents:templates")
    label = dict(store.template_kinds())[kind]
    if retired is None:
        messages.info(request, f"{label}已在使用系统自带模板。")
    else:
        messages.success(
            request, f"{label}已恢复使用系统自带模板（「{retired.name}」已停用，留有记录）。"
        )
    return redirect("documents:templates")


@login_required
def template_file(request: HttpRequest, pk: int) -> FileResponse:
    _office(user_of(request))
    template = get_object_or_404(OfficeTemplate, pk=pk)
    return _download(template.file, template.name if template.name.lower().endswith(".docx")
                     else f"{template.name}.docx")  # fmt: skip
