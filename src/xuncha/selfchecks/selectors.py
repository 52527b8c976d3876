"""Reads of common problems and self-check tasks; what a user may see comes from
:func:`xuncha.accounts.access.restrict` (a unit sees its own tasks only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404

from xuncha.accounts.access import allowed, restrict, restrict_figures
from xuncha.accounts.models import User
from xuncha.findings.models import Finding
from xuncha.planning.selectors import in_period
from xuncha.units.models import UnitKind

from .models import OPEN_STATES, CandidateGroup, CommonProblem, Grouping, SelfCheckTask, TaskStatus

ANSWERED = (TaskStatus.ANSWERED, TaskStatus.ACCEPTED, TaskStatus.RETURNED)
# A period's (``?year=`` / ``?term=``, the figures page's): a problem by the day it was
# set down, a task by the day it was pushed to its unit (a later push adds new units'
# tasks without moving the earlier ones).
PROBLEM_PERIOD = "created_at"
TASK_PERIOD = "created_at"


def _office(user: User) -> None:
    if not allowed(user, "commonproblem.manage"):
        raise Http404


def latest_grouping(*, user: User) -> Grouping | None:
    _office(user)
    return Grouping.objects.first()


def candidate_groups(
    *, user: User, round_id: int | None = None, category: str = ""
) -> QuerySet[CandidateGroup]:
    """The latest grouping's groups; by round: the groups holding a finding of it."""
    _office(user)
    groups = CandidateGroup.objects.filter(grouping=Grouping.objects.values("id")[:1])
    if category:
        groups = groups.filter(category=category)
    if round_id:
        through = CandidateGroup.findings.through
        groups = groups.filter(id__in=through.objects.filter(finding__round_id=round_id)
                               .values("candidategroup_id"))  # fmt: skip
    return groups


def group_detail(*, user: User, pk: int) -> tuple[CandidateGroup, list[Finding]]:
    """One group with its findings (unit and round read with them)."""
    _office(user)
    group = get_object_or_404(CandidateGroup, pk=pk)
    findings = list(group.findings.select_related("unit", "round").order_by("unit__name", "id"))
    return group, findings


def group_previews(groups: list[CandidateGroup], per_group: int = 5) -> dict[int, list[Finding]]:
    """The first few findings of each listed group (one query for the page: a group of
    thousands reads only its first ``per_group``), for the list."""
    through = CandidateGroup.findings.through
    numbered = through.objects.filter(candidategroup_id__in=[g.pk for g in groups]).annotate(
        n=Window(RowNumber(), partition_by=[F("candidategroup_id")], order_by=F("finding_id").asc())
    )
    first = numbered.filter(n__lte=per_group)  # type: ignore[misc]  # stubs miss window names
    rows = first.select_related("finding__unit").order_by("candidategroup_id", "finding_id")
    out: dict[int, list[Finding]] = {}
    for row in rows:
        out.setdefault(row.candidategroup_id, []).append(row.finding)
    return out


def problem_list(
    *, user: User, year: int | None = None, term: int | None = None
) -> QuerySet[CommonProblem]:
    """Common problems with their task counts (one query); ``year`` / ``term``: those
    set down then (:data:`PROBLEM_PERIOD`)."""
    problems = in_period(restrict(CommonProblem.objects.all(), user), year=year, term=term,
                         path=PROBLEM_PERIOD)  # fmt: skip
    return problems.annotate(
        pushed=Count("tasks"),
        answered=Count("tasks", filter=Q(tasks__status__in=ANSWERED)),
        found=Count("tasks", filter=Q(tasks__status__in=ANSWERED, tasks__found=True)),
    )


def problem_choices(*, user: User) -> QuerySet[CommonProblem]:
    """The problems the user may choose in the task list's filter (no counts)."""
    return restrict(CommonProblem.objects.all(), user).only("pk", "title")


def problem_detail(*, user: User, pk: int) -> CommonProblem:
    return get_object_or_404(restrict(CommonProblem.objects.all(), user), pk=pk)


def overdue_q(today: dt.date) -> Q:
    """Still the unit's to do, past the deadline (the list's filter and the counts)."""
    return Q(status__in=OPEN_STATES, deadline__lt=today)


def task_list(
    *, user: User, today: dt.date, problem_id: int | None = None, unit_kind: str = "",
    status: str = "", overdue: bool = False, unit: str = "", year: int | None = None,
    term: int | None = None,
) -> QuerySet[SelfCheckTask]:  # fmt: skip
    """The tasks the user may see, filtered; ``year`` / ``term``: those pushed then
    (:data:`TASK_PERIOD`)."""
    tasks = restrict(SelfCheckTask.objects.all(), user).select_related("unit", "problem")
    tasks = in_period(tasks, year=year, term=term, path=TASK_PERIOD)
    if problem_id:
        tasks = tasks.filter(problem_id=problem_id)
    if unit_kind:
        tasks = tasks.filter(unit__kind=unit_kind)
    if status:
        tasks = tasks.filter(status=status)
    if overdue:
        tasks = tasks.filter(overdue_q(today))
    if unit.strip():
        tasks = tasks.filter(unit__name__contains=unit.strip())
    return tasks.order_by("deadline", "unit__code", "id")


def task_detail(*, user: User, pk: int) -> SelfCheckTask:
    """One task the user may see (404 otherwise, a forged id included)."""
    tasks = restrict(SelfCheckTask.objects.all(), user).select_related(
        "unit", "problem", "answered_by", "reviewed_by"
    )
    return get_object_or_404(tasks.prefetch_related(Prefetch("evidence")), pk=pk)


def task_evidence(*, user: User, pk: int, evidence_pk: int) -> tuple[SelfCheckTask, Any]:
    task = task_detail(user=user, pk=pk)
    return task, get_object_or_404(task.evidence.all(), pk=evidence_pk)


@dataclass(frozen=True)
class KindRow:
    kind: str
    label: str
    pushed: int
    answered: int
    found: int
    accepted: int
    overdue: int


def by_unit_kind(
    *, user: User, today: dt.date, problem_id: int | None = None, year: int | None = None,
    term: int | None = None,
) -> list[KindRow]:  # fmt: skip
    """Per kind of unit: tasks pushed, answered, found the problem, accepted, overdue
    (``year`` / ``term``: of the tasks pushed then, as :func:`task_list` filters)."""
    tasks = restrict_figures(SelfCheckTask.objects.all(), user)
    tasks = in_period(tasks, year=year, term=term, path=TASK_PERIOD)
    if problem_id:
        tasks = tasks.filter(problem_id=problem_id)
    rows = tasks.values("unit__kind").annotate(
        pushed=Count("id"), answered=Count("id", filter=Q(status__in=ANSWERED)),
        found=Count("id", filter=Q(status__in=ANSWERED, found=True)),
        accepted=Count("id", filter=Q(status=TaskStatus.ACCEPTED)),
        overdue=Count("id", filter=overdue_q(today)),
    ).order_by("unit__kind")  # fmt: skip
    labels = dict(UnitKind.choices)
    return [KindRow(r["unit__kind"], str(labels.get(r["unit__kind"], r["unit__kind"])), r["pushed"],
                    r["answered"], r["found"], r["accepted"], r["overdue"]) for r in rows]  # fmt: skip


def selfcheck_figures(*, user: User, today: dt.date, year: int | None = None) -> dict[str, int]:
    """For the figures page: common problems pushed (in ``year``, if given), and their
    tasks pushed, answered, found, accepted, overdue and pushed to units not yet
    inspected (未巡先改), as far as the user counts them (a unit: its own tasks)."""
    pushed = Q(pushed_at__isnull=False) & (Q(pushed_at__year=year) if year else Q())
    problems = restrict_figures(CommonProblem.objects.filter(pushed), user)
    tasks = restrict_figures(
        SelfCheckTask.objects.filter(problem__in=CommonProblem.objects.filter(pushed)), user
    )
    row: dict[str, int] = tasks.aggregate(
        tasks=Count("id"), answered=Count("id", filter=Q(status__in=ANSWERED)),
        found=Count("id", filter=Q(status__in=ANSWERED, found=True)),
        accepted=Count("id", filter=Q(status=TaskStatus.ACCEPTED)),
        overdue=Count("id", filter=overdue_q(today)),
        uninspected=Count("id", filter=Q(inspected=False)),
    )  # fmt: skip
    return {"problems": problems.count(), **row}


def unit_todo(*, user: User, today: dt.date) -> dict[str, int]:
    """A unit's open self-check tasks (the home page's to-do), in one query."""
    tasks = restrict(SelfCheckTask.objects.filter(status__in=OPEN_STATES), user)
    row: dict[str, int] = tasks.aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(deadline__lt=today)),
        returned=Count("id", filter=Q(status=TaskStatus.RETURNED)),
    )  # fmt: skip
    return row
