"""The findings list and its export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from xuncha.accounts.access import restrict, user_of
from xuncha.accounts.models import User
from xuncha.common.exports import file_name, xlsx_response
from xuncha.common.filters import FILTER_ERROR, SharedFilters, list_query
from xuncha.common.pagination import paginate

from . import exports, selectors
from .forms import FindingFilterForm
from .models import Finding

PAGE_SIZE = 50


class FindingListFilterForm(SharedFilters, FindingFilterForm):  # type: ignore[misc]  # round_id: a choice here
    """The findings list's own filters (category, source, drill-down keys) and the
    shared ones."""

    field_order = ["unit", "q", "round_id", "team_id", "category", "source", "item_status",
                   "amount_min", "amount_max"]  # fmt: skip

    def __init__(self, data: QueryDict | None, *, user: User) -> None:
        visible = restrict(Finding.objects.all(), user)
        super().__init__(data or None, user=user, visible=visible)
        self.fields["q"].label = "关键词"


def _filtered(request: HttpRequest) -> tuple[FindingListFilterForm, Any]:
    """The form and the filtered findings (none when the filter is invalid)."""
    user = user_of(request)
    form = FindingListFilterForm(request.GET, user=user)
    filters = form.filters()
    findings = selectors.finding_search(user=user, **(filters or {}))
    return form, (findings if filters is not None else findings.none())


@login_required
def finding_list(request: HttpRequest) -> HttpResponse:
    form, findings = _filtered(request)
    can_record = selectors.assignments_for(user_of(request)).exists()
    return render(request, "findings/list.html", {
        "form": form, "can_record": can_record, "filter_error": FILTER_ERROR if form.errors else "",
        **paginate(request, findings, PAGE_SIZE),
    })  # fmt: skip


@login_required
def finding_export(request: HttpRequest) -> HttpResponse:
    form, findings = _filtered(request)
    back = reverse("findings:list") + (f"?{q}" if (q := list_query(request.GET)) else "")
    if form.errors:
        messages.error(request, f"{FILTER_ERROR}未生成导出文件。")
        return redirect(back)
    if not findings.exists():
        messages.error(request, "当前筛选条件下没有问题，未生成导出文件。请放宽筛选条件后再导出。")
        return redirect(back)
    round_name = ""
    if round_id := (form.filters() or {}).get("round_id"):
        round_name = dict(form.fields["round_id"].choices).get(round_id, "")  # type: ignore[attr-defined]
    name = file_name("问题清单", timezone.localdate(), round_name)
    return xlsx_response(exports.findings_workbook(findings), name)
