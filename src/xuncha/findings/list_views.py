"""The findings list and its export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from xuncha.accounts.access import user_of
from xuncha.common.exports import list_export
from xuncha.common.filters import FILTER_ERROR, SharedFilters
from xuncha.common.pagination import paginate

from . import exports, selectors
from .forms import FindingFilterForm
from .models import Finding

PAGE_SIZE = 50


class FindingListFilterForm(SharedFilters, FindingFilterForm):  # type: ignore[misc]  # round_id: a choice here
    """The findings list's own filters (category, source, drill-down keys) and the
    shared ones."""

    model = Finding
    field_order = ["unit", "q", "round_id", "team_id", "category", "source", "item_status", "paper",
                   "amount_min", "amount_max"]  # fmt: skip


def _filtered(request: HttpRequest) -> tuple[FindingListFilterForm, QuerySet[Finding]]:
    """The form and the filtered findings (none when the filter is invalid)."""
    user = user_of(request)
    form = FindingListFilterForm(request.GET, user=user)
    return form, form.results(selectors.finding_search, user=user)


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
    return list_export(request, form, findings, list_url=reverse("findings:list"),
                       title="问题清单", noun="问题", make=exports.findings_workbook)  # fmt: skip
