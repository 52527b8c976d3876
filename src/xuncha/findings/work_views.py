"""A team's work on one assigned unit: talks, leads and immediate items on one page.

Leads appear only for the office and the team (the access policy hides them from
everyone else, supervisors included). A form that fails comes back on the page with
what was typed and its errors beside the fields."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuncha.accounts.access import can, user_of
from xuncha.common.errors import ServiceError
from xuncha.planning.models import Assignment

from . import forms, selectors, services

_FORMS: dict[str, type[django_forms.Form]] = {
    "talk": forms.TalkForm, "lead": forms.LeadForm, "immediate": forms.ImmediateForm,
    "result": forms.LeadResultForm, "done": forms.ImmediateDoneForm,
}  # fmt: skip


def _page(request: HttpRequest, a: Assignment, bound: dict[str, django_forms.Form] | None = None,
          status: int = 200) -> HttpResponse:  # fmt: skip
    user = user_of(request)
    today = timezone.localdate()
    fresh = {
        "talk": forms.TalkForm(), "lead": forms.LeadForm(initial={"handed_on": today}),
        "immediate": forms.ImmediateForm(initial={"deadline": today}),
        "result": forms.LeadResultForm(initial={"result_on": today}),
        "done": forms.ImmediateDoneForm(initial={"done_on": today}),
    }  # fmt: skip
    fresh["recommendation"] = forms.RecommendationForm(findings=selectors.unit_findings(a))
    fresh.update(bound or {})
    signed, total = selectors.paper_counts(round_id=a.round_id, unit_ids=[a.unit_id]).get(
        a.unit_id, (0, 0)
    )
    context = {
        "a": a, "today": today, "can_edit": can(user, "work.record", a),
        **selectors.assignment_work(user=user, assignment=a),
        "papers_signed": signed, "papers_total": total,
        "show_recommendations": selectors.may_read_recommendations(user),
        "recommendations": selectors.recommendations_of(user=user, round_id=a.round_id, unit_id=a.unit_id),
        **{f"{name}_form": form for name, form in fresh.items()},
        # Which row's inline form failed (its errors show on that row only).
        "failed_row": _row_of(bound),
    }  # fmt: skip
    return render(request, "findings/work.html", context, status=status)


def _row_of(bound: dict[str, django_forms.Form] | None) -> tuple[str, int]:
    for name, form in (bound or {}).items():
        pk = str(form.data.get("lead" if name == "result" else "item", ""))
        if name in ("result", "done") and pk.isdigit():
            return name, int(pk)
    return "", 0


def _why(form: django_forms.Form) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        text = " ".join(map(str, errors))
        parts.append(f"{label}：{text}" if label else text)
    return "；".join(parts)


@login_required
def assignment_work(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, selectors.assignment_detail(user=user_of(request), pk=pk))


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
        lead = selectors.team_lead(user=user, team_id=a.team_id, pk=d["lead"])
        services.lead_record_result(
            lead=lead, by=user, result=d["result"], result_on=d["result_on"]
        )
        return "线索办理结果已登记。"
    item = selectors.team_immediate(user=user, team_id=a.team_id, pk=d["item"])
    services.immediate_mark_done(item=item, by=user, done_on=d["done_on"])
    return "已确认完成。"


@login_required
@require_POST
def assignment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    a = selectors.assignment_detail(user=user_of(request), pk=pk)
    if action not in _FORMS:
        raise Http404
    form = _FORMS[action](request.POST)
    if form.is_valid():
        try:
            messages.success(request, _save(action, a, request, form.cleaned_data))
        except ServiceError as err:
            form.add_error(None, str(err))
        else:
            return redirect("findings:work", pk=a.pk)
    messages.error(request, f"提交的内容有误：{_why(form)}（已填写的内容仍在表单中）")
    return _page(request, a, bound={action: form}, status=400)
