"""The team's recommendations (意见建议) to a unit, entered on the unit's work page:
added there, changed or deleted on their own page; each names the unit's findings in
that round it answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from xuncha.accounts.access import can, user_of
from xuncha.common.errors import ServiceError
from xuncha.planning.models import Assignment

from . import forms, selectors, services
from .models import Recommendation
from .work_views import _page as work_page
from .work_views import _why


def _assignment(request: HttpRequest, pk: int) -> Assignment:
    """The unit's work page the user may record on (404 otherwise)."""
    a = selectors.assignment_detail(user=user_of(request), pk=pk)
    if not can(user_of(request), "work.record", a):
        raise Http404
    return a


def _recommendation(request: HttpRequest, a: Assignment, rec_pk: int) -> Recommendation:
    recs = selectors.recommendations_of(
        user=user_of(request), round_id=a.round_id, unit_id=a.unit_id
    )
    return get_object_or_404(recs, pk=rec_pk)


@login_required
@require_POST
def recommendation_new(request: HttpRequest, pk: int) -> HttpResponse:
    a = _assignment(request, pk)
    form = forms.RecommendationForm(request.POST, findings=selectors.unit_findings(a))
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.recommendation_create(assignment=a, by=user_of(request), text=d["text"],
                                           findings=list(d["findings"]), order=d["order"])  # fmt: skip
        except ServiceError as err:
            form.add_error(None, str(err))
        else:
            messages.success(request, "意见建议已添加。")
            return redirect("findings:work", pk=a.pk)
    messages.error(request, f"提交的内容有误：{_why(form)}（已填写的内容仍在表单中）")
    return work_page(request, a, bound={"recommendation": form}, status=400)


@login_required
def recommendation_edit(request: HttpRequest, pk: int, rec_pk: int) -> HttpResponse:
    a = _assignment(request, pk)
    rec = _recommendation(request, a, rec_pk)
    initial = {"text": rec.text, "order": rec.order, "findings": list(rec.findings.all())}
    form = forms.RecommendationForm(request.POST or None, findings=selectors.unit_findings(a),
                                    initial=initial)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.recommendation_update(
                recommendation=rec, assignment=a, by=user_of(request), text=d["text"],
                findings=list(d["findings"]), order=rec.order if d["order"] is None else d["order"],
            )  # fmt: skip
        except ServiceError as err:
            form.add_error(None, str(err))
        else:
            messages.success(request, "意见建议已修改。")
            return redirect("findings:work", pk=a.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "findings/recommendation_edit.html", {"a": a, "rec": rec, "form": form},
                  status=status)  # fmt: skip


@login_required
@require_POST
def recommendation_delete(request: HttpRequest, pk: int, rec_pk: int) -> HttpResponse:
    a = _assignment(request, pk)
    rec = _recommendation(request, a, rec_pk)
    try:
        services.recommendation_delete(recommendation=rec, assignment=a, by=user_of(request))
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, "意见建议已删除。")
    return redirect("findings:work", pk=a.pk)
