"""The unit hierarchy: a filterable list with counts by risk level, and a unit's page
(its place in the hierarchy, its inspections with links to their work pages)."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuncha.accounts.access import allowed, user_of
from xuncha.common.errors import ServiceError
from xuncha.common.exports import file_name, xlsx_response
from xuncha.common.filters import FILTER_ERROR
from xuncha.common.pagination import paginate
from xuncha.planning import selectors as plan

from . import forms, selectors, workbook

PAGE_SIZE = 100
MAX_IMPORT_BYTES = 20 * 1024 * 1024


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    if not allowed(user_of(request), "units.list"):
        raise Http404
    form = forms.UnitFilterForm(request.GET or None)
    # A filter that does not parse lists nothing (not everything), with the reason shown.
    valid = form.is_valid() if form.is_bound else True
    filters = {k: v for k, v in (form.cleaned_data if form.is_bound and valid else {}).items()
               if k in ("q", "kind", "risk_level", "county_id")}  # fmt: skip
    units = selectors.unit_list(**filters)
    if coverage := form.coverage():  # 已巡察 / 尚未巡察 in a term or a year, as the figures count
        units = plan.by_coverage(units, **coverage)
    if not valid:
        units = units.none()
    context = {"form": form, **paginate(request, units, PAGE_SIZE),
               "filter_error": "" if valid else FILTER_ERROR,
               "coverage": coverage and _coverage_label(form, coverage["inspected"]),
               "risk": selectors.risk_counts(units),
               "is_office": allowed(user_of(request), "units.manage"),
               "can_export": allowed(user_of(request), "units.export")}  # fmt: skip
    return render(request, "units/list.html", context)


def _coverage_label(form: forms.UnitFilterForm, inspected: bool) -> str:
    """What the list is filtered to: "第九届（2027—2031年）尚未巡察", "2024年已巡察"."""
    return f"{form.period_label()}{'已巡察' if inspected else '尚未巡察'}"


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    if not allowed(user, "units.list"):
        raise Http404
    unit = selectors.unit_detail(pk=pk)
    office = allowed(user, "units.manage")
    context = {"unit": unit, "superiors": selectors.unit_superiors(unit),
               "children": selectors.unit_children(unit), "is_office": office,
               "assignments": plan.unit_assignments(user=user, unit=unit),
               "cadres": plan.unit_cadres(unit) if office else []}  # fmt: skip
    return render(request, "units/detail.html", context)


@login_required
def unit_export(request: HttpRequest) -> HttpResponse:
    if not allowed(user_of(request), "units.export"):
        raise Http404
    buffer = io.BytesIO()
    workbook.units_export(buffer)
    return xlsx_response(buffer.getvalue(), file_name("被巡察单位", timezone.localdate()))


@login_required
@require_POST
def unit_import(request: HttpRequest) -> HttpResponse:
    if not allowed(user_of(request), "units.manage"):
        raise Http404
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要导入的 Excel 文件。")
    elif upload.size is not None and upload.size > MAX_IMPORT_BYTES:
        messages.error(request, "文件过大（上限 20 MB）。")
    else:
        try:
            report = workbook.units_import(upload.read(), name=upload.name or "单位名录.xlsx")
        except ServiceError as err:
            messages.error(request, str(err))
        else:
            messages.success(
                request, f"导入完成：新增 {report.created} 个，更新 {report.updated} 个。"
            )
    return redirect("units:list")
