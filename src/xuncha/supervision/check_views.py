"""Pages of reverse checks of closed items (销号反向核查): draw a sample, record each
sampled item's on-site result, see the results per unit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from xuncha.accounts.access import allowed, user_of
from xuncha.common.errors import ServiceError
from xuncha.findings.files import evidence_response
from xuncha.planning.selectors import round_list

from . import forms, reversecheck, selectors
from .models import CheckResult, ReverseCheck


def _require(request: HttpRequest) -> None:
    if not allowed(user_of(request), "reversecheck.run"):
        raise Http404


@login_required
def reverse_check_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    user = user_of(request)
    form = forms.ReverseCheckForm(request.POST or None, rounds=round_list(user=user),
                                  units=selectors.units_with_closed_items())  # fmt: skip
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            size: Decimal = data["size"]
            try:
                check = reversecheck.reverse_check_create(
                    name=data["name"], by=user, round=data["round"], units=list(data["units"]) or None,
                    share=size if data["mode"] == "share" else None,
                    count=int(size) if data["mode"] == "count" else None, seed=data["seed"],
                )  # fmt: skip
            except ServiceError as err:
                form.add_error("size", str(err))
            else:
                first = (
                    f"，其中虚假整改疑点事项 {len(check.priority_ids)} 个优先抽取"
                    if check.priority_ids
                    else ""
                )
                messages.success(
                    request,
                    f"已抽取 {check.samples.count()} 个已销号事项（随机种子 {check.seed}{first}）。",
                )
                return redirect("supervision:reverse_check", check.pk)
        status = 400
    context = {"form": form, "checks": selectors.reverse_check_list(user=user)}
    return render(request, "supervision/reverse_check_list.html", context, status=status)


def _detail(
    request: HttpRequest, check: ReverseCheck, bound: Any = None, status: int = 200
) -> HttpResponse:
    samples = list(selectors.reverse_check_samples(check))
    rows = []
    for s in samples:
        mine = bound if bound is not None and bound.prefix == f"r{s.pk}" else None
        form = None
        if s.result == CheckResult.PENDING:
            form = mine or forms.SampleResultForm(initial={"version": s.version}, prefix=f"r{s.pk}")
        # A result recorded meanwhile: the refusal is shown beside the recorded result.
        errors = mine.non_field_errors() if mine is not None and form is None else None
        rows.append((s, form, errors))
    context = {"check": check, "rows": rows, "units": selectors.reverse_check_units(check),
               "reproduced": reversecheck.redraw(check) == [s.item_id for s in
                                                           sorted(samples, key=lambda x: x.pk)]}  # fmt: skip
    return render(request, "supervision/reverse_check_detail.html", context, status=status)


@login_required
def reverse_check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    return _detail(request, selectors.reverse_check_detail(user=user_of(request), pk=pk))


@login_required
@require_POST
def sample_result(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    user = user_of(request)
    sample = selectors.sample_detail(user=user, pk=pk)
    form = forms.SampleResultForm(request.POST, request.FILES, prefix=f"r{sample.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = reversecheck.sample_record(sample=sample, by=user, result=data["result"],
                                              note=data["note"], version=data["version"],
                                              files=form.uploads())  # fmt: skip
        except ServiceError as err:
            form.add_error(None, str(err))
        else:
            text = f"事项 #{done.item_id} 核查结果已记录：{done.get_result_display()}。"
            if done.result == CheckResult.NOT_AS_REPORTED:
                text += "该事项已重新打开。"
            messages.success(request, text)
            return redirect("supervision:reverse_check", sample.reverse_check_id)
    check = selectors.reverse_check_detail(user=user, pk=sample.reverse_check_id)
    return _detail(request, check, bound=form, status=400)


@login_required
def sample_evidence(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    """Open a file recorded with a sampled item's on-site result."""
    _require(request)
    sample = selectors.sample_detail(user=user_of(request), pk=pk)
    evidence = get_object_or_404(sample.evidence.all(), pk=evidence_pk)
    return evidence_response(request, evidence, subject=f"reverse_check_sample:{sample.pk}")
