"""Findings pages: the list, recording a finding, a finding with its history, feedback."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuncha.accounts.access import can, restrict, user_of
from xuncha.common.errors import ServiceError
from xuncha.rectifications.services import rectification_create

from . import forms, selectors, services


@login_required
def finding_new(request: HttpRequest) -> HttpResponse:
    assignments = selectors.assignments_for(user_of(request))
    form = forms.FindingForm(request.POST or None, request.FILES or None, assignments=assignments)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            finding = services.finding_create(
                assignment=d["assignment"], by=user_of(request), category=d["category"],
                subcategory=d["subcategory"], description=d["description"], source=d["source"],
                amount=d["amount"], files=[(f, f.name) for f in d["evidence"]],
            )  # fmt: skip
        except ServiceError as err:
            form.add_error(None, str(err))
        else:
            messages.success(request, "问题已记录。")
            return redirect("findings:detail", pk=finding.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "findings/new.html", {"form": form}, status=status)


@login_required
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    finding = selectors.finding_detail(user=user_of(request), pk=pk)
    history = finding.history.select_related("history_user").order_by("history_date")
    item = getattr(finding, "rectification", None)
    context = {
        "finding": finding, "history": history, "item": item,
        "petitions": restrict(finding.petitions.all(), user_of(request)),
        "can_feed_back": item is None and can(user_of(request), "rectification.feed_back", finding),
    }  # fmt: skip
    return render(request, "findings/detail.html", context)


@login_required
@require_POST
def finding_feed_back(request: HttpRequest, pk: int) -> HttpResponse:
    finding = selectors.finding_detail(user=user_of(request), pk=pk)
    try:
        item = rectification_create(
            finding=finding, by=user_of(request), fed_back_on=timezone.localdate()
        )
    except ServiceError as err:
        messages.error(request, str(err))
        return redirect("findings:detail", pk=pk)
    messages.success(request, "已反馈，问题进入被巡察单位的整改台账。")
    return redirect("rectifications:detail", pk=item.pk)
