"""Planning pages: rounds, their teams (members, assigned units) and term coverage."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuncha.accounts.access import allowed, user_of
from xuncha.common.errors import ServiceError

from . import forms, selectors, services
from .models import Term


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    active_on = timezone.localdate() if request.GET.get("active") == "1" else None  # 进行中
    context = {"rounds": selectors.round_list(user=user, active_on=active_on), "terms": Term.objects.all(),
               "is_office": allowed(user, "plan.manage")}  # fmt: skip
    return render(request, "planning/rounds.html", context)


@login_required
def round_new(request: HttpRequest) -> HttpResponse:
    form = forms.RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rnd = services.round_create(by=user_of(request), **form.cleaned_data)
        except ServiceError as err:
            form.add_error(None, str(err))
        else:
            messages.success(request, f"已建立{rnd.name}。")
            return redirect("planning:round", pk=rnd.pk)
    return render(request, "planning/round_new.html", {"form": form},
                  status=400 if request.method == "POST" else 200)  # fmt: skip


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    rnd = selectors.round_detail(user=user, pk=pk)
    office = allowed(user, "plan.manage")
    context = {"round": rnd, "is_office": office, "team_form": forms.TeamForm(),
               "member_form": forms.MemberForm(), "assignment_form": forms.AssignmentForm(initial={"kind": rnd.kind})}  # fmt: skip
    return render(request, "planning/round.html", context)


@login_required
@require_POST
def round_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Add a team, a member or an assignment; 回避 and other refusals become messages."""
    user = user_of(request)
    rnd = selectors.round_detail(user=user, pk=pk)
    form_class = {
        "team": forms.TeamForm,
        "member": forms.MemberForm,
        "assign": forms.AssignmentForm,
    }.get(action)
    if form_class is None:
        raise Http404
    form = form_class(request.POST)
    if not form.is_valid():
        errors = "；".join(
            f"{form.fields[k].label or k}：{' '.join(map(str, v))}" for k, v in form.errors.items()
        )
        messages.error(request, f"提交的内容有误：{errors}")
        return redirect("planning:round", pk=pk)
    data = form.cleaned_data
    try:
        if action == "team":
            services.team_create(by=user, round=rnd, name=data["name"])
        else:
            team = get_object_or_404(rnd.teams.all(), pk=data["team"])
            if not allowed(user, "plan.manage"):
                raise ServiceError("只有巡察办可以安排巡察组。")
            if action == "member":
                services.team_member_add(team=team, cadre=data["cadre"], role=data["role"])
            else:
                services.assignment_add(team=team, unit=data["unit"], kind=data["kind"])
        messages.success(request, "已保存。")
    except ServiceError as err:
        messages.error(request, str(err))
    return redirect("planning:round", pk=pk)


@login_required
def term_coverage(request: HttpRequest, pk: int) -> HttpResponse:
    term = get_object_or_404(Term, pk=pk)
    if not allowed(user_of(request), "coverage.read"):
        raise Http404
    context = {"term": term, "by_kind": selectors.coverage(term=term, by="kind"),
               "by_county": selectors.coverage(term=term, by="county")}  # fmt: skip
    return render(request, "planning/coverage.html", context)
