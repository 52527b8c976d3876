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
    filters = form.cleaned_data if form.is_valid() else {}
    units = selectors.unit_list(**filters)
    context = {"form": form, **paginate(request, units, PAGE_SIZE),
               "risk": selectors.risk_counts(units),
               "is_office": allowed(user_of(request), "units.manage"),
               "can_export": allowed(user_of(request), "units.export")}  # fmt: skip
    return render(request, "units/list.html", context)


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
