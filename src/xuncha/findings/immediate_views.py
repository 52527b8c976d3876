"""立行立改 pages: the list (a unit's own items, a team's, everything for the office)
and one item, where the unit reports what it did with evidence."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuncha.accounts.access import can, user_of
from xuncha.common.errors import ServiceError
from xuncha.common.pagination import paginate

from . import forms, selectors, services
from .choices import ImmediateStatus
from .files import evidence_response
from .models import ImmediateItem

PAGE_SIZE = 50


@login_required
def immediate_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = forms.ImmediateFilterForm(request.GET or None)
    # A filter that does not parse lists nothing (not everything), with the reason shown.
    filter_error = bool(form.errors)  # none when unbound
    items = selectors.immediate_list(user=user_of(request), today=today,
                                     **(form.cleaned_data if form.is_valid() else {}))  # fmt: skip
    if filter_error:
        items = items.none()
    context = {"form": form, "today": today, "filter_error": filter_error,
               **paginate(request, items, PAGE_SIZE)}  # fmt: skip
    return render(request, "findings/immediate_list.html", context)


def _page(request: HttpRequest, item: ImmediateItem, form: forms.ImmediateReportForm | None = None,
          status: int = 200) -> HttpResponse:  # fmt: skip
    user = user_of(request)
    may_report = item.status == ImmediateStatus.OPEN and can(user, "immediate.report", item)
    context = {
        "item": item, "today": timezone.localdate(), "reports": selectors.immediate_reports(item),
        "form": (form or forms.ImmediateReportForm()) if may_report else None,
        "refill_files": form is not None and form.is_bound and bool(form.files),
        "work_id": selectors.work_page_id(user=user, round_id=item.round_id, unit_id=item.unit_id),
    }  # fmt: skip
    return render(request, "findings/immediate_detail.html", context, status=status)


@login_required
def immediate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, selectors.immediate_detail(user=user_of(request), pk=pk))


@login_required
@require_POST
def immediate_report(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.immediate_detail(user=user_of(request), pk=pk)
    form = forms.ImmediateReportForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.immediate_report(item=item, by=user_of(request), text=d["text"],
                                      files=form.uploads())  # fmt: skip
        except ServiceError as err:
            form.add_error(forms.error_field(err, form.uploads()), str(err))
        else:
            messages.success(request, "整改情况已报告，待巡察组确认完成。")
            return redirect("findings:immediate_detail", pk=item.pk)
    messages.error(request, "提交的内容有误，请按提示修改。")
    return _page(request, item, form, status=400)


@login_required
def immediate_evidence(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    item, evidence = selectors.immediate_evidence(
        user=user_of(request), item_pk=pk, evidence_pk=evidence_pk
    )
    return evidence_response(request, evidence, subject=f"immediate:{item.pk}")


@login_required
def lead_list(request: HttpRequest) -> HttpResponse:
    """Leads handed over (the office's and the handing team's view), ?overdue=1 for
    those past due."""
    today = timezone.localdate()
    overdue = request.GET.get("overdue") == "1"
    # ?year= / ?term=: the figures page's drill-down.
    period = {k: int(v) for k in ("year", "term") if (v := request.GET.get(k, "")).isdigit()}
    leads = selectors.lead_list(user=user_of(request), today=today, overdue=overdue, **period)
    context = {"overdue": overdue, "today": today, **paginate(request, leads, PAGE_SIZE)}
    return render(request, "findings/lead_list.html", context)
