"""The department import pages: upload, column mapping, rows resolved one by one, import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from xuncha.accounts.access import user_of
from xuncha.common.errors import ServiceError
from xuncha.units.models import Unit

from .. import importing
from ..forms import (
    ImportForm,
    MappingForm,
    role_choices,
)
from ..models import (
    BatchStatus,
    ImportBatch,
    Indicator,
)
from .base import check_manage

# -- imports ----------------------------------------------------------------------------------


@login_required
def import_new(request: HttpRequest) -> HttpResponse:
    check_manage(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size is not None and upload.size > importing.MAX_BYTES:
            form.add_error("file", f"文件过大（上限 {importing.MAX_BYTES // 2**20} MB）。")
        else:
            try:
                batch = importing.stage(
                    by=user_of(request), department=form.cleaned_data["department"],
                    year=form.cleaned_data["year"], data=upload.read(),
                    name=upload.name or "部门数据",
                )  # fmt: skip
            except ServiceError as err:
                form.add_error("file", str(err))
            else:
                messages.success(request, f"已读取「{batch.file_name}」：{batch.rows_total} 行数据。"
                                 "请确认各列的对应关系。")  # fmt: skip
                return redirect("risk:batch", batch.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "risk/import_new.html", {"form": form, "refill_files": status == 400},
                  status=status)  # fmt: skip


def _batch(pk: int) -> ImportBatch:
    return get_object_or_404(
        ImportBatch.objects.select_related("uploaded_by", "imported_by"), pk=pk
    )


def _mapping_form(batch: ImportBatch, data: Any = None) -> MappingForm:
    headers = importing.columns(batch)
    roles = role_choices(list(Indicator.objects.order_by("code").values_list("code", "name")))
    initial = {f"col_{n}": batch.mapping.get(h, "") for n, h in enumerate(headers)}
    return MappingForm(data, headers=headers, roles=roles, initial=initial)


@login_required
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    check_manage(request)
    b = _batch(pk)
    context: dict[str, Any] = {"batch": b, "staged": b.status == BatchStatus.STAGED}
    if b.status == BatchStatus.STAGED:
        p = importing.preview(b)
        context |= {
            "preview": p, "form": _mapping_form(b),
            "unit_mapped": bool({"unit_code", "unit_name"} & set(p.mapping.values())),
            "role_of": [importing.role_label(p.mapping[h]) if p.mapping[h] else ""
                        for h in p.headers],
        }  # fmt: skip
    elif b.status == BatchStatus.IMPORTED:
        context["values"] = b.values.count()
    return render(request, "risk/batch.html", context)


@login_required
@require_POST
def batch_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    check_manage(request)
    b = _batch(pk)
    form = _mapping_form(b, request.POST)
    if form.is_valid():
        try:
            importing.set_mapping(by=user_of(request), batch=b, mapping=form.mapping())
        except ServiceError as err:
            messages.error(request, str(err))
        else:
            messages.success(request, "已保存列对应，下面按新的对应重新匹配了各行。")
    else:
        messages.error(request, "列对应有误：请为每一列选择列表中的一项。")
    return redirect("risk:batch", b.pk)


@login_required
@require_POST
def batch_header(request: HttpRequest, pk: int) -> HttpResponse:
    check_manage(request)
    b = _batch(pk)
    try:
        importing.set_header(by=user_of(request), batch=b, row=int(request.POST.get("row", "")))
    except ValueError:
        messages.error(request, "请填写表头所在的行号。")
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, f"已改为以第 {b.header_row + 1} 行为表头，请重新核对各列的对应。")
    return redirect("risk:batch", b.pk)


@login_required
@require_POST
def batch_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    check_manage(request)
    b = _batch(pk)
    try:
        row = int(request.POST.get("row", ""))
    except ValueError:
        messages.error(request, "请求有误：没有指明是哪一行。")
        return redirect("risk:batch", b.pk)
    action = request.POST.get("action", "choose")
    try:
        if action == "undo":
            importing.unresolve(by=user_of(request), batch=b, row=row)
        elif action == "skip":
            importing.resolve(by=user_of(request), batch=b, row=row,
                              skip_reason=request.POST.get("reason", ""))  # fmt: skip
        else:
            unit = _chosen_unit(request, row)
            importing.resolve(by=user_of(request), batch=b, row=row, unit=unit)
    except ServiceError as err:
        messages.error(request, str(err))
    return redirect(f"{request.path.rsplit('resolve/', 1)[0]}#row-{row}")


def _chosen_unit(request: HttpRequest, row: int) -> Unit:
    code = request.POST.get("code", "").strip()
    if code:
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise ServiceError(f"第 {row} 行：没有编码为「{code}」的单位。")
        return unit
    try:
        return Unit.objects.get(pk=int(request.POST.get("unit", "")))
    except (ValueError, Unit.DoesNotExist):
        raise ServiceError(f"第 {row} 行：请从候选中选择一个单位，或填写单位编码。") from None


@login_required
@require_POST
def batch_commit(request: HttpRequest, pk: int) -> HttpResponse:
    check_manage(request)
    b = _batch(pk)
    try:
        b = importing.commit(by=user_of(request), batch=b)
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(
            request, f"已导入 {b.rows_imported} 行，跳过 {len(b.skipped)} 行（理由见下）。"
        )
    return redirect("risk:batch", b.pk)


@login_required
@require_POST
def batch_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    check_manage(request)
    b = _batch(pk)
    try:
        importing.cancel(by=user_of(request), batch=b)
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, f"已取消「{b.file_name}」，未导入任何数据。")
    return redirect("risk:index")
