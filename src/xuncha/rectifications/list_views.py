"""The ledger list and its export. Views only parse input and call selectors; what a
user may see comes from :func:`xuncha.accounts.access.restrict` via the selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from xuncha.accounts.access import user_of
from xuncha.common.exports import list_export
from xuncha.common.filters import (
    FILTER_ERROR,
    Neighbours,
    SharedFilters,
    list_query,
    with_list_query,
)
from xuncha.common.pagination import paginate
from xuncha.supervision.cards import with_cards

from . import exports, selectors
from .forms import FilterForm
from .models import RectificationItem

PAGE_SIZE = 50


class LedgerFilterForm(SharedFilters, FilterForm):  # type: ignore[misc]  # round_id: a choice here
    """The ledger's own filters (status, due state, returned, drill-down keys) and the
    shared ones."""

    model = RectificationItem
    field_order = ["unit", "unit_kind", "q", "round_id", "team_id", "category", "status", "due",
                   "card", "amount_min", "amount_max", "returned"]  # fmt: skip


def _filtered(request: HttpRequest) -> tuple[LedgerFilterForm, QuerySet[RectificationItem]]:
    """The form and the filtered ledger (none when the filter is invalid)."""
    user = user_of(request)
    form = LedgerFilterForm(request.GET, user=user)
    return form, form.results(selectors.item_search, user=user, today=timezone.localdate())


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form, items = _filtered(request)
    paged = paginate(request, with_cards(items, today), PAGE_SIZE)
    rows = [(item, item.due_state(today)) for item in paged["page"]]
    return render(request, "rectifications/list.html", {
        "form": form, "rows": rows, "filter_error": FILTER_ERROR if form.errors else "",
        "nav_query": list_query(request.GET), **paged,
    })  # fmt: skip


@login_required
def item_export(request: HttpRequest) -> HttpResponse:
    form, items = _filtered(request)
    return list_export(request, form, items, list_url=reverse("rectifications:list"),
                       title="整改台账", noun="整改事项", make=exports.ledger_workbook)  # fmt: skip


def ledger_nav(request: HttpRequest, item: RectificationItem) -> Neighbours:
    """The prev/next bar of an item page opened from the list (the list's filter is the
    page's query string; none means the whole ledger the user may see)."""
    user = user_of(request)
    form = LedgerFilterForm(request.GET, user=user)
    return selectors.item_neighbours(user=user, today=timezone.localdate(), item=item,
                                     filters=form.filters(), query=list_query(request.GET))  # fmt: skip


def item_url(request: HttpRequest, item_pk: int) -> str:
    """An item's page keeping the list's filter the request carries (after an action)."""
    return with_list_query(reverse("rectifications:detail", args=[item_pk]), request.GET)
