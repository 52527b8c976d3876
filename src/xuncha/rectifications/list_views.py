"""The ledger list and its export. Views only parse input and call selectors; what a
user may see comes from :func:`xuncha.accounts.access.restrict` via the selectors."""

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
from xuncha.common.filters import FILTER_ERROR, Neighbours, SharedFilters, list_query
from xuncha.common.pagination import paginate

from . import exports, selectors
from .forms import FilterForm
from .models import RectificationItem

PAGE_SIZE = 50


class LedgerFilterForm(SharedFilters, FilterForm):  # type: ignore[misc]  # round_id: a choice here
    """The ledger's own filters (status, due state, returned, drill-down keys) and the
    shared ones."""

    field_order = ["unit", "q", "round_id", "team_id", "category", "status", "due", "amount_min",
                   "amount_max", "returned"]  # fmt: skip

    def __init__(self, data: QueryDict | None, *, user: User) -> None:
        visible = restrict(RectificationItem.objects.all(), user)
        super().__init__(data or None, user=user, visible=visible)
        self.fields["q"].label = "关键词"


def _filtered(request: HttpRequest) -> tuple[LedgerFilterForm, Any]:
    """The form and the filtered ledger (none when the filter is invalid)."""
    user = user_of(request)
    form = LedgerFilterForm(request.GET, user=user)
    filters = form.filters()
    items = selectors.item_search(user=user, today=timezone.localdate(), **(filters or {}))
    return form, (items if filters is not None else items.none())


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form, items = _filtered(request)
    paged = paginate(request, items, PAGE_SIZE)
    rows = [(item, item.due_state(today)) for item in paged["page"]]
    return render(request, "rectifications/list.html", {
        "form": form, "rows": rows, "filter_error": FILTER_ERROR if form.errors else "",
        "nav_query": list_query(request.GET), **paged,
    })  # fmt: skip


@login_required
def item_export(request: HttpRequest) -> HttpResponse:
    form, items = _filtered(request)
    back = reverse("rectifications:list") + (f"?{q}" if (q := list_query(request.GET)) else "")
    if form.errors:
        messages.error(request, f"{FILTER_ERROR}未生成导出文件。")
        return redirect(back)
    if not items.exists():
        messages.error(
            request, "当前筛选条件下没有整改事项，未生成导出文件。请放宽筛选条件后再导出。"
        )
        return redirect(back)
    round_name = ""
    if round_id := (form.filters() or {}).get("round_id"):
        round_name = dict(form.fields["round_id"].choices).get(round_id, "")  # type: ignore[attr-defined]
    name = file_name("整改台账", timezone.localdate(), round_name)
    return xlsx_response(exports.ledger_workbook(items), name)


def ledger_nav(request: HttpRequest, item: RectificationItem) -> Neighbours:
    """The prev/next bar of an item page opened from the list (the list's filter is the
    page's query string; none means the whole ledger the user may see)."""
    user = user_of(request)
    form = LedgerFilterForm(request.GET, user=user)
    return selectors.item_neighbours(user=user, today=timezone.localdate(), item=item,
                                     filters=form.filters(), query=list_query(request.GET))  # fmt: skip


def item_url(request: HttpRequest, item_pk: int) -> str:
    """An item's page keeping the list's filter the request carries (after an action)."""
    query = list_query(request.GET)
    return reverse("rectifications:detail", args=[item_pk]) + (f"?{query}" if query else "")
