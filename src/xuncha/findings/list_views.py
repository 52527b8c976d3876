"""The findings list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xuncha.accounts.access import user_of
from xuncha.common.pagination import paginate

from . import forms, selectors

PAGE_SIZE = 50


@login_required
def finding_list(request: HttpRequest) -> HttpResponse:
    form = forms.FindingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    findings = selectors.finding_list(user=user_of(request), **filters)
    can_record = selectors.assignments_for(user_of(request)).exists()
    context = {"form": form, "can_record": can_record, **paginate(request, findings, PAGE_SIZE)}
    return render(request, "findings/list.html", context)
