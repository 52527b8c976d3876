"""The ledger list. Views only parse input and call selectors; what a user may see comes
from :func:`xuncha.accounts.access.restrict` via the selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from xuncha.accounts.access import user_of
from xuncha.common.pagination import paginate

from . import forms, selectors

PAGE_SIZE = 50


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = forms.FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    items = selectors.item_list(user=user_of(request), today=today, **filters)
    paged = paginate(request, items, PAGE_SIZE)
    rows = [(item, item.due_state(today)) for item in paged["page"]]
    return render(request, "rectifications/list.html", {"form": form, "rows": rows, **paged})
