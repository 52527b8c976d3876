"""The unit hierarchy: a filterable list with counts by risk level."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from xuncha.accounts.access import user_of
from xuncha.accounts.models import Role

from . import forms, selectors

PAGE_SIZE = 100


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    if user_of(request).role == Role.UNIT:
        raise Http404
    form = forms.UnitFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    units = selectors.unit_list(**filters)
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(),
               "risk": selectors.risk_counts(units)}  # fmt: skip
    return render(request, "units/list.html", context)
