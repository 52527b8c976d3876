"""Pages of common problems (office) and self-check tasks (office, supervisors, leaders;
a unit its own). Views parse input and call selectors and services only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuncha.accounts.access import allowed, can, user_of
from xuncha.accounts.models import Role
from xuncha.common.errors import ConcurrentEdit, ServiceError
from xuncha.common.exports import list_export
from xuncha.common.filters import FILTER_ERROR, list_query
from xuncha.common.pagination import paginate
from xuncha.common.widgets import AcceptForm, ReturnForm, VersionedForm
from xuncha.findings.files import evidence_response
from xuncha.planning.selectors import round_list

from . import exports, forms, selectors, services
from .models import TaskStatus

PAGE_SIZE = 50


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    grouping = selectors.latest_grouping(user=user)  # 404 unless the office
    form = forms.GroupFilterForm(request.GET, rounds=round_list(user=user))
    groups: list[Any] = []
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        found = selectors.candidate_groups(user=user, round_id=data.get("round_id"),
                                           category=data.get("category", ""))  # fmt: skip
        paged = paginate(request, found, PAGE_SIZE)
        groups = list(paged["page"])
    else:
        paged = {}
    previews = selectors.group_previews(groups)
    return render(request, "selfchecks/group_list.html", {
        "grouping": grouping, "form": form, "rows": [(g, previews.get(g.pk, [])) for g in groups],
        "filter_error": FILTER_ERROR if form.errors else "", **paged,
    })  # fmt: skip


@login_required
@require_POST
def group_run(request: HttpRequest) -> HttpResponse:
    """Start a new grouping in the background (jieba and MinHash over every finding)."""
    selectors.latest_grouping(user=user_of(request))  # 404 unless the office
    from .jobs import grouping_task

    grouping_task()
    messages.success(request, "已在后台开始重新分组，完成后刷新本页即可看到新的候选共性问题。")
    return redirect("selfchecks:groups")


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    group, findings = selectors.group_detail(user=user, pk=pk)
    form = forms.ProblemForm(request.POST or None, initial={"description": _requirement(findings)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            problem = services.common_problem_create(
                by=user, title=data["title"], description=data["description"],
                unit_kinds=data["unit_kinds"], deadline=data["deadline"],
                today=timezone.localdate(), group=group,
            )  # fmt: skip
        except ServiceError as err:
            messages.error(request, str(err))
        else:
            messages.success(request, "已确定共性问题，请核对后推送自查自纠任务。")
            return redirect("selfchecks:problem", problem.pk)
    units = sorted({f.unit.name for f in findings})
    kinds = sorted({f.unit.get_kind_display() for f in findings})
    return render(request, "selfchecks/group_detail.html", {
        "group": group, "findings": findings, "units": units, "kinds": kinds, "form": form,
    }, status=400 if form.errors else 200)  # fmt: skip


def _requirement(findings: list[Any]) -> str:
    """The description offered: the group's first findings as examples, to edit."""
    examples = "\n".join(f"{n}. {f.description[:120]}" for n, f in enumerate(findings[:3], 1))
    return f"巡察发现以下同类问题，请对照自查：\n{examples}"


@login_required
def problem_list(request: HttpRequest) -> HttpResponse:
    if not allowed(user_of(request), "commonproblem.manage"):
        raise Http404
    # ?year= / ?term=: the figures page's drill-down; a bad value lists none, with the reason.
    form = forms.ProblemFilterForm(request.GET or None)
    problems = selectors.problem_list(user=user_of(request), **form.period())
    return render(request, "selfchecks/problem_list.html", {
        "problems": problems.none() if form.errors else problems, "form": form,
        "period": form.period_label(), "filter_error": FILTER_ERROR if form.errors else "",
    })  # fmt: skip


@login_required
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    problem = selectors.problem_detail(user=user, pk=pk)
    kinds = selectors.by_unit_kind(user=user, today=timezone.localdate(), problem_id=problem.pk)
    return render(request, "selfchecks/problem_detail.html", {
        "problem": problem, "kinds": kinds, "findings": problem.findings.select_related("unit"),
        "link_query": f"problem_id={problem.pk}",
    })  # fmt: skip


@login_required
@require_POST
def problem_push(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    if not allowed(user, "commonproblem.manage"):
        raise Http404
    problem = selectors.problem_detail(user=user, pk=pk)
    try:
        made = services.common_problem_push(problem=problem, by=user)
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, f"已向 {made} 个单位推送自查自纠任务。" if made
                         else "适用单位均已有此自查任务，没有新推送。")  # fmt: skip
    return redirect("selfchecks:problem", pk)


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not allowed(user, "selfcheck.list"):
        raise Http404
    today = timezone.localdate()
    form = forms.TaskFilterForm(request.GET, problems=selectors.problem_choices(user=user))
    paged = paginate(request, form.results(selectors.task_list, user=user, today=today), PAGE_SIZE)
    problem_id = (form.filters() or {}).get("problem_id")
    period = form.period()
    return render(request, "selfchecks/task_list.html", {
        "form": form, "rows": [(t, t.overdue(today)) for t in paged["page"]],
        # The per-kind table is the inspecting side's (a unit's page does not show it).
        "kinds": [] if user.role == Role.UNIT else
                 selectors.by_unit_kind(user=user, today=today, problem_id=problem_id, **period),
        "link_query": urlencode([*((("problem_id", problem_id),) if problem_id else ()),
                                 *period.items()]),
        "nav_query": list_query(request.GET),
        "filter_error": FILTER_ERROR if form.errors else "", **paged,
    })  # fmt: skip


@login_required
def task_export(request: HttpRequest) -> HttpResponse:
    """The list as filtered, to Excel; an invalid filter or nothing to export goes back
    to the list with the reason."""
    user = user_of(request)
    if not allowed(user, "selfcheck.list"):
        raise Http404
    form = forms.TaskFilterForm(request.GET, problems=selectors.problem_choices(user=user))
    tasks = form.results(selectors.task_list, user=user, today=timezone.localdate())
    return list_export(request, form, tasks, list_url=reverse("selfchecks:tasks"),
                       title="自查自纠任务", noun="自查自纠任务", make=exports.task_workbook)  # fmt: skip


_FORMS: dict[str, type[VersionedForm]] = {
    "answer": forms.AnswerForm, "accept": AcceptForm, "return": ReturnForm,
}  # fmt: skip
_PERMS = {"answer": "selfcheck.answer", "accept": "selfcheck.review", "return": "selfcheck.review"}
_WHEN = {"answer": (TaskStatus.PENDING, TaskStatus.RETURNED),
         "accept": (TaskStatus.ANSWERED,), "return": (TaskStatus.ANSWERED,)}  # fmt: skip


def _detail(request: HttpRequest, task: Any, bound: dict[str, Any] | None = None,
            status: int = 200) -> HttpResponse:  # fmt: skip
    user = user_of(request)
    offered = [a for a in _FORMS if task.status in _WHEN[a] and can(user, _PERMS[a], task)]
    initial = {"version": task.version}
    action_forms = {a: (bound or {}).get(a) or _FORMS[a](initial=initial) for a in offered}
    return render(request, "selfchecks/task_detail.html", {
        "task": task, "overdue": task.overdue(timezone.localdate()), "forms": action_forms,
        "files": task.evidence.all(),
    }, status=status)  # fmt: skip


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.task_detail(user=user_of(request), pk=pk))


def _run(action: str, task: Any, user: Any, form: django_forms.Form) -> str:
    data = form.cleaned_data
    common = {"task": task, "by": user, "version": data["version"]}
    calls: dict[str, Callable[[], object]] = {
        "answer": lambda: services.selfcheck_answer(
            **common, found=data["found"], measures=data["measures"],
            files=form.uploads()),  # type: ignore[attr-defined]
        "accept": lambda: services.selfcheck_accept(**common),
        "return": lambda: services.selfcheck_return(**common, reason=data["reason"]),
    }  # fmt: skip
    calls[action]()
    return {"answer": "自查情况已报告，待巡察办审核。", "accept": "已认可自查情况。",
            "return": "已退回，退回原因已告知自查单位。"}[action]  # fmt: skip


@login_required
@require_POST
def task_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in _FORMS:
        raise Http404
    user = user_of(request)
    task = selectors.task_detail(user=user, pk=pk)
    form = _FORMS[action](request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "提交的内容有误，请按提示修改。")
        return _detail(request, task, bound={action: form}, status=400)
    try:
        messages.success(request, _run(action, task, user, form))
    except ConcurrentEdit as err:
        messages.error(request, str(err))
        task = selectors.task_detail(user=user, pk=pk)
        refreshed = _FORMS[action]({**request.POST.dict(), "version": task.version})
        refreshed.is_valid()
        return _detail(request, task, bound={action: refreshed}, status=409)
    except ServiceError as err:
        messages.error(request, str(err))
        task = selectors.task_detail(user=user, pk=pk)
        return _detail(request, task, bound={action: form}, status=400)
    return redirect("selfchecks:task", pk)


@login_required
def task_evidence(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    task, evidence = selectors.task_evidence(user=user_of(request), pk=pk, evidence_pk=evidence_pk)
    return evidence_response(request, evidence, subject=f"selfcheck:{task.pk}")
