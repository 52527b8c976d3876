"""Planning pages: rounds, their teams (members, assigned units) and term coverage.

Everyone the access rules allow reads a round and its teams; only the office changes
them. A change that takes something away (a member, an assigned unit) asks why, and
every change lands in the page's history.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.forms import Form
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuncha.accounts.access import allowed, user_of
from xuncha.accounts.models import User
from xuncha.common.errors import ServiceError
from xuncha.common.filters import FILTER_ERROR
from xuncha.common.pagination import paginate
from xuncha.common.periods import PeriodFilter

from . import forms, selectors, services
from .models import MemberRole, Round, Team

T = TypeVar("T")
ROUNDS_PAGE = 100


def submit(request: HttpRequest, form: Any, save: Callable[[dict[str, Any]], T]) -> T | None:
    """What ``save`` made of a valid POSTed form; None if nothing was posted, the form is
    invalid, or the service refused (its Chinese message then goes onto the form)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except ServiceError as err:
        form.add_error(None, str(err))
        return None


def initial_of(obj: Model | None, form_class: type[Form]) -> dict[str, Any]:
    """The form's fields as the object has them (nothing for a new object)."""
    return model_to_dict(obj, fields=form_class.base_fields) if obj else {}


def form_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A form page: 400 when a POST comes back to it (invalid or refused), else 200."""
    return render(request, template, context, status=400 if request.method == "POST" else 200)


def _errors(form: Any) -> str:
    """A failed form's errors as one Chinese message: 字段：错误；…"""
    return "；".join(
        f"{form.fields[k].label or '表单'}：{' '.join(map(str, v))}" if k in form.fields
        else " ".join(map(str, v))
        for k, v in form.errors.items()
    )  # fmt: skip


def _office(user: User) -> None:
    if not allowed(user, "plan.manage"):
        raise Http404


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    active_on = timezone.localdate() if request.GET.get("active") == "1" else None  # 进行中
    # ?year= / ?term=: rounds begun then (the figures page's and the leader home's drill-down);
    # a bad value lists no round, with the reason beside the field.
    form = PeriodFilter(request.GET or None)
    rounds = selectors.round_rows(user=user, active_on=active_on, **form.period())
    rounds = rounds.none() if form.errors else rounds
    context = {"rounds": rounds, **paginate(request, rounds, ROUNDS_PAGE), "form": form,
               "period": form.period_label(), "filter_error": FILTER_ERROR if form.errors else "",
               "terms": selectors.term_list(), "active": active_on is not None,
               "is_office": allowed(user, "plan.manage"),
               "coverage": allowed(user, "coverage.read")}  # fmt: skip
    return render(request, "planning/rounds.html", context)


@login_required
def round_new(request: HttpRequest) -> HttpResponse:
    form = forms.RoundForm(request.POST or None)
    rnd = submit(request, form, lambda data: services.round_create(by=user_of(request), **data))
    if rnd is not None:
        messages.success(request, f"已建立{rnd.name}。")
        return redirect("planning:round", pk=rnd.pk)
    return form_page(request, "planning/round_new.html", {"form": form})


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    rnd = selectors.round_detail(user=user, pk=pk)
    office = allowed(user, "plan.manage")
    context = {"round": rnd, "is_office": office, "team_form": forms.TeamForm(),
               "history": selectors.round_history(rnd)}  # fmt: skip
    return render(request, "planning/round.html", context)


@login_required
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a round's dates, name, kind or ordinal (office only; 404 for others)."""
    user = user_of(request)
    _office(user)
    rnd = selectors.round_for_change(user=user, pk=pk)
    form = forms.RoundEditForm(request.POST or None, initial=initial_of(rnd, forms.RoundEditForm))
    if submit(request, form, lambda data: services.round_update(by=user, round=rnd, **data)):
        messages.success(request, f"已修改{rnd.name}。")
        return redirect("planning:round", pk=rnd.pk)
    return form_page(request, "planning/round_edit.html", {"round": rnd, "form": form})


@login_required
@require_POST
def round_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Add a team, a member or an assignment from the round page; 回避 and other
    refusals become messages."""
    user = user_of(request)
    rnd = selectors.round_detail(user=user, pk=pk)
    form_class = {"team": forms.TeamForm, "member": forms.MemberForm,
                  "assign": forms.AssignmentForm}.get(action)  # fmt: skip
    if form_class is None:
        raise Http404
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, f"提交的内容有误：{_errors(form)}")
        return redirect("planning:round", pk=pk)
    data = form.cleaned_data
    try:
        if action == "team":
            team = services.team_create(
                by=user, round=rnd, name=data["name"], number=data["number"]
            )
            messages.success(request, f"已新建{team.name}。")
        else:
            if not allowed(user, "plan.manage"):
                raise ServiceError("只有巡察办可以安排巡察组。")
            team = _team_of(rnd, data["team"])
            _team_change(user, team, action, data)
            messages.success(request, "已保存。")
    except ServiceError as err:
        messages.error(request, str(err))
    return redirect("planning:round", pk=pk)


def _team_of(rnd: Round, team_id: int | None) -> Team:
    for team in rnd.teams.all():  # prefetched
        if team.pk == team_id:
            return team
    raise Http404


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    team = selectors.team_detail(user=user, pk=pk)
    office = allowed(user, "plan.manage")
    context: dict[str, Any] = {"team": team, "round": team.round, "is_office": office,
                               "history": selectors.team_history(team)}  # fmt: skip
    if office:
        context |= {"edit_form": forms.TeamEditForm(initial={"number": team.number, "name": team.name}),
                    "member_form": forms.MemberForm(), "roles": MemberRole.choices,
                    "assignment_form": forms.AssignmentForm(initial={"kind": team.round.kind})}  # fmt: skip
    return render(request, "planning/team.html", context)


TEAM_ACTIONS: dict[str, type[Any]] = {
    "edit": forms.TeamEditForm, "member": forms.MemberForm, "member_role": forms.MemberRoleForm,
    "member_remove": forms.MemberRemoveForm, "assign": forms.AssignmentForm,
    "unassign": forms.UnassignForm, "delete": forms.TeamDeleteForm,
}  # fmt: skip


@login_required
@require_POST
def team_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Edit a team: its ordinal and name, members (add, change role, remove with a
    reason), assigned units (add, remove with a reason). Office only (404 for others)."""
    user = user_of(request)
    _office(user)
    team = selectors.team_detail(user=user, pk=pk)
    form_class = TEAM_ACTIONS.get(action)
    if form_class is None:
        raise Http404
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, f"提交的内容有误：{_errors(form)}")
        return redirect("planning:team", pk=pk)
    if action == "delete":
        return _team_delete(request, team, form.cleaned_data["reason"])
    try:
        _team_change(user, team, action, form.cleaned_data)
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, "已保存，变更已记入变更记录。")
    return redirect("planning:team", pk=pk)


def _team_delete(request: HttpRequest, team: Team, reason: str) -> HttpResponse:
    try:
        services.team_delete(by=user_of(request), team=team, reason=reason)
    except ServiceError as err:
        messages.error(request, str(err))
        return redirect("planning:team", pk=team.pk)
    messages.success(request, f"已删除{team.name}，已记入本轮变更记录。")
    return redirect("planning:round", pk=team.round_id)


def _team_change(user: User, team: Team, action: str, data: dict[str, Any]) -> None:
    if action == "edit":
        services.team_update(by=user, team=team, number=data["number"], name=data["name"],
                             reason=data["reason"])  # fmt: skip
    elif action == "member":
        services.team_member_add(by=user, team=team, cadre=data["cadre"], role=data["role"])
    elif action == "member_role":
        member = selectors.member_detail(team=team, pk=data["member"])
        services.team_member_update(by=user, member=member, role=data["role"])
    elif action == "member_remove":
        member = selectors.member_detail(team=team, pk=data["member"])
        services.team_member_remove(by=user, member=member, reason=data["reason"])
    elif action == "assign":
        services.assignment_add(by=user, team=team, unit=data["unit"], kind=data["kind"])
    elif action == "unassign":
        assignment = selectors.assignment_detail(team=team, pk=data["assignment"])
        services.assignment_remove(by=user, assignment=assignment, reason=data["reason"])
