"""The land-compensation calculator (office and team members) and the standards page
with its table upload (the office)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuncha.accounts.access import user_of
from xuncha.common.errors import ServiceError

from . import access, selectors, services
from .forms import CalculatorForm, TableLoadForm
from .landcomp import Parcel, calculate
from .tables import MAX_BYTES


def _require(request: HttpRequest, action: str) -> None:
    if not access.may(user_of(request), action):
        raise Http404


@login_required
def calculator(request: HttpRequest) -> HttpResponse:
    _require(request, access.CALCULATE)
    standards = selectors.stored_standards()
    form = CalculatorForm(request.GET or None)
    result = None
    if form.is_valid():
        d = form.cleaned_data
        parcel = Parcel(
            county=d["county"], zone=d["zone"], land_class=d["land_class"],
            basic_farmland=d["basic_farmland"], restored=d["restored"], area=d["area"],
            announced=d["announced"], approved=d["approved"],
        )  # fmt: skip
        result = calculate(parcel, standards, d["reference"] or timezone.localdate())
    counties = sorted({c for s in standards.versions for c in s.counties()})
    return render(request, "policy/calculator.html", {
        "form": form, "result": result, "counties": counties,
        "manage": access.may(user_of(request), access.MANAGE),
    }, status=400 if form.is_bound and not form.is_valid() else 200)  # fmt: skip


@login_required
def standards(request: HttpRequest) -> HttpResponse:
    _require(request, access.CALCULATE)
    manage = access.may(user_of(request), access.MANAGE)
    return render(request, "policy/standards.html", {
        "standards": selectors.stored_standards(), "loads": selectors.loaded_versions(),
        "manage": manage, "form": TableLoadForm() if manage else None,
    })  # fmt: skip


@login_required
@require_POST
def standard_load(request: HttpRequest) -> HttpResponse:
    _require(request, access.MANAGE)
    form = TableLoadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择表格类型和要导入的文件。")
        return redirect("policy:standards")
    upload = form.cleaned_data["file"]
    if upload.size is not None and upload.size > MAX_BYTES:
        messages.error(request, f"文件过大（上限 {MAX_BYTES // 2**20} MB）。")
        return redirect("policy:standards")
    try:
        version = services.standard_table_load(
            kind=form.cleaned_data["kind"], data=upload.read(), file_name=upload.name or "表格",
            by=user_of(request), name=form.cleaned_data["name"],
        )  # fmt: skip
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        rows = version.zone_rows.count() + version.coefficient_rows.count()
        messages.success(
            request, f"已导入「{version.file_name}」：{version.get_kind_display()} {rows} 行。"
        )
    return redirect("policy:standards")
