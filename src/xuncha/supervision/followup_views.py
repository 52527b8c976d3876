"""Pages of the follow-up list (回头看) and its interview tasks (约谈), and fixing a
unit's grade (确定等次) from its scoring page."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuncha.accounts.access import allowed, user_of
from xuncha.common.errors import ServiceError
from xuncha.common.filters import FILTER_ERROR
from xuncha.planning.selectors import round_list
from xuncha.units.models import Unit

from . import followup, forms, selectors
from .models import FollowUp, FollowUpStatus, InterviewStatus


def _require(request: HttpRequest, action: str) -> None:
    if not allowed(user_of(request), action):
        raise Http404


@login_required
@require_POST
def unit_grade_fix(request: HttpRequest, pk: int, unit: int) -> HttpResponse:
    _require(request, "assessment.score")
    found = selectors.assessment_detail(user=user_of(request), pk=pk)
    chosen = get_object_or_404(Unit, pk=unit, pk__in=found.scores.values("unit_id"))
    try:
        grade, entry, created = followup.unit_grade_fix(
            assessment=found, unit=chosen, by=user_of(request), today=timezone.localdate()
        )
    except ServiceError as err:
        messages.error(request, str(err))
        return redirect("supervision:assessment_unit", pk, unit)
    text = f"「{chosen}」等次已确定：{grade.label}。"
    if created:
        text += "已列入回头看名单，并生成约谈任务。"
    elif entry is not None:
        text += f"该单位已在回头看名单（列入时等次：{entry.get_grade_display()}），未重复列入。"
    messages.success(request, text)
    return redirect("supervision:assessment_unit", pk, unit)


@login_required
def follow_up_list(request: HttpRequest) -> HttpResponse:
    _require(request, "followup.read")
    user = user_of(request)
    form = forms.FollowUpFilter(request.GET or None, rounds=round_list(user=user),
                                assessments=selectors.assessment_list())  # fmt: skip
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.follow_up_list(
        user=user,
        round_id=data["round"].pk if data.get("round") else None,
        assessment_id=data["assessment"].pk if data.get("assessment") else None,
        status=data.get("status", ""),
        **form.period(),
    )
    # A bad filter lists none, with the reason beside the field (as the ledger does).
    return render(request, "supervision/follow_up_list.html", {
        "form": form, "rows": rows.none() if form.errors else rows,
        "filter_error": FILTER_ERROR if form.errors else "",
    })  # fmt: skip


_ACTIONS: dict[str, type[django_forms.Form]] = {
    "interview": forms.InterviewForm, "record": forms.InterviewRecordForm,
    "close": forms.FollowUpCloseForm,
}  # fmt: skip


def _offered(entry: FollowUp, user: Any) -> dict[str, django_forms.Form]:
    """The forms the office may use on this entry now (unbound)."""
    if not allowed(user, "followup.manage"):
        return {}
    task = entry.interview
    offered: dict[str, django_forms.Form] = {}
    if task.status == InterviewStatus.PENDING:
        offered["interview"] = forms.InterviewForm(
            initial={
                "interviewee": task.interviewee,
                "due_on": task.due_on,
                "version": task.version,
            }
        )
        offered["record"] = forms.InterviewRecordForm(
            initial={"done_on": timezone.localdate(), "version": task.version}
        )
    if entry.status == FollowUpStatus.OPEN:
        offered["close"] = forms.FollowUpCloseForm(initial={"version": entry.version})
    return offered


@login_required
def follow_up_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "followup.read")
    user = user_of(request)
    entry = selectors.follow_up_detail(user=user, pk=pk)
    offered = _offered(entry, user)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in offered:
            raise Http404
        form = _ACTIONS[action](request.POST, prefix=action)
        if form.is_valid():
            try:
                text = _run(action, entry, user, form.cleaned_data)
            except ServiceError as err:
                form.add_error(None, str(err))
            else:
                messages.success(request, text)
                return redirect("supervision:follow_up", pk)
        offered[action], status = form, 400
    for name, form in offered.items():
        form.prefix = name
    context = {"entry": entry, "task": entry.interview, "forms": offered}
    return render(request, "supervision/follow_up_detail.html", context, status=status)


def _run(action: str, entry: FollowUp, user: Any, data: dict[str, Any]) -> str:
    if action == "interview":
        followup.interview_update(interview=entry.interview, by=user, version=data["version"],
                                  interviewee=data["interviewee"], due_on=data["due_on"])  # fmt: skip
        return "约谈任务已修改。"
    if action == "record":
        followup.interview_record(interview=entry.interview, by=user, version=data["version"],
                                  done_on=data["done_on"], record=data["record"],
                                  today=timezone.localdate())  # fmt: skip
        return "约谈已记录。"
    followup.follow_up_close(
        follow_up=entry, by=user, reason=data["reason"], version=data["version"]
    )
    return "已关闭该回头看。"
