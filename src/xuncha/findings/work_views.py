"""A team's work on one assigned unit: talks, leads and immediate items on one page.

Leads appear only for the office and the team (the access policy hides them from
everyone else, supervisors included)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuncha.accounts.access import can, restrict, user_of
from xuncha.common.errors import ServiceError
from xuncha.planning.models import Assignment

from . import forms, services
from .models import Finding, ImmediateItem, Lead, Talk


def _assignment(request: HttpRequest, pk: int) -> Assignment:
    visible = restrict(Assignment.objects.select_related("unit", "team", "round"), user_of(request))
    return get_object_or_404(visible, pk=pk)


@login_required
def assignment_work(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    a = _assignment(request, pk)
    mine = {"round_id": a.round_id, "unit_id": a.unit_id, "team_id": a.team_id}
    today = timezone.localdate()
    context = {
        "a": a, "today": today, "can_edit": can(user, "work.record", a),
        "talks": restrict(Talk.objects.filter(**mine), user),
        "findings": restrict(Finding.objects.filter(**mine), user),
        "leads": restrict(Lead.objects.filter(**mine), user),
        "immediate": restrict(ImmediateItem.objects.filter(**mine), user),
        "talk_form": forms.TalkForm(), "lead_form": forms.LeadForm(),
        "immediate_form": forms.ImmediateForm(initial={"deadline": today}),
        "result_form": forms.LeadResultForm(initial={"result_on": today}),
        "done_form": forms.ImmediateDoneForm(initial={"done_on": today}),
    }  # fmt: skip
    return render(request, "findings/work.html", context)


def _save(action: str, a: Assignment, request: HttpRequest, d: dict[str, Any]) -> str:
    user = user_of(request)
    if action == "talk":
        services.talk_create(assignment=a, by=user, **d)
        return "谈话记录已保存。"
    if action == "lead":
        services.lead_create(assignment=a, by=user, **d)
        return "线索已登记移交。"
    if action == "immediate":
        services.immediate_create(assignment=a, by=user, **d)
        return "立行立改事项已交办。"
    if action == "result":
        lead = get_object_or_404(
            restrict(Lead.objects.filter(team_id=a.team_id), user), pk=d["lead"]
        )
        services.lead_record_result(
            lead=lead, by=user, result=d["result"], result_on=d["result_on"]
        )
        return "线索办理结果已登记。"
    item = get_object_or_404(
        restrict(ImmediateItem.objects.filter(team_id=a.team_id), user), pk=d["item"]
    )
    services.immediate_mark_done(item=item, by=user, done_on=d["done_on"])
    return "已确认完成。"


_FORMS: dict[str, type[Any]] = {
    "talk": forms.TalkForm, "lead": forms.LeadForm, "immediate": forms.ImmediateForm,
    "result": forms.LeadResultForm, "done": forms.ImmediateDoneForm,
}  # fmt: skip


@login_required
@require_POST
def assignment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    a = _assignment(request, pk)
    if action not in _FORMS:
        raise Http404
    form = _FORMS[action](request.POST)
    if not form.is_valid():
        errors = "；".join(
            f"{form.fields[k].label or k}：{' '.join(map(str, v))}" for k, v in form.errors.items()
        )
        messages.error(request, f"提交的内容有误：{errors}")
    else:
        try:
            messages.success(request, _save(action, a, request, form.cleaned_data))
        except ServiceError as err:
            messages.error(request, str(err))
    return redirect("findings:work", pk=a.pk)
