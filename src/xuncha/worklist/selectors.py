"""Every read of the monthly task lists. The office and leaders read them all
(``worklist.read``); anyone else gets a 404, as if the pages did not exist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from xuncha.accounts.access import allowed
from xuncha.accounts.models import User

from .models import UNFINISHED, ExtensionRequest, ItemStatus, TaskItem, TaskList


def _reader(user: User) -> None:
    if not allowed(user, "worklist.read"):
        raise Http404


def overdue_q(today: dt.date) -> Q:
    return Q(status__in=UNFINISHED, deadline__lt=today)


def lists(*, user: User, today: dt.date) -> QuerySet[TaskList]:
    _reader(user)
    return TaskList.objects.annotate(
        n_items=Count("items"),
        n_closed=Count("items", filter=Q(items__status=ItemStatus.CLOSED)),
        n_overdue=Count("items", filter=Q(items__status__in=UNFINISHED, items__deadline__lt=today)),
    ).order_by("-month")


def task_list(*, user: User, pk: int) -> TaskList:
    _reader(user)
    return get_object_or_404(TaskList, pk=pk)


def current_list(*, user: User, today: dt.date) -> TaskList | None:
    _reader(user)
    return TaskList.objects.filter(month=today.replace(day=1)).first()


def items(
    *, user: User, task_list: TaskList | None, today: dt.date, status: str = "",
    responsible_id: int | None = None, lead_leader_id: int | None = None, overdue: bool = False,
) -> QuerySet[TaskItem]:  # fmt: skip
    _reader(user)
    found = TaskItem.objects.select_related("task_list", "lead_leader", "responsible")
    if task_list is not None:
        found = found.filter(task_list=task_list)
    if status:
        found = found.filter(status=status)
    if responsible_id:
        found = found.filter(responsible_id=responsible_id)
    if lead_leader_id:
        found = found.filter(lead_leader_id=lead_leader_id)
    if overdue:
        found = found.filter(overdue_q(today))
    return found.order_by("-task_list__month", "number")


def item_detail(*, user: User, pk: int) -> TaskItem:
    _reader(user)
    return get_object_or_404(
        TaskItem.objects.select_related("task_list", "lead_leader", "responsible", "closed_by"),
        pk=pk,
    )


def chain(item: TaskItem) -> list[TaskItem]:
    """The item's earlier months (延续自…), oldest first, then the item itself."""
    found = [item]
    while found[0].carried_from_id is not None:
        earlier = TaskItem.objects.select_related("task_list").get(pk=found[0].carried_from_id)
        found.insert(0, earlier)
    return found


def later(item: TaskItem) -> TaskItem | None:
    """The item it was carried over into, if any."""
    return TaskItem.objects.select_related("task_list").filter(carried_from=item).first()


def pending_extensions(*, user: User) -> QuerySet[ExtensionRequest]:
    """Requests the user may decide: as lead leader, or (office) any but their own; a
    request on an item since closed or carried to the next month waits for no one."""
    _reader(user)
    found = ExtensionRequest.objects.filter(
        decided_at__isnull=True, item__status__in=UNFINISHED
    ).exclude(requested_by=user)
    if not allowed(user, "worklist.manage"):
        found = found.filter(item__lead_leader=user)
    return found.select_related("item__task_list", "requested_by").order_by("created_at")


def my_items(*, user: User) -> QuerySet[TaskItem]:
    """The unfinished items the user is responsible for."""
    _reader(user)
    return (
        TaskItem.objects.filter(responsible=user, status__in=UNFINISHED)
        .select_related("task_list", "lead_leader")
        .prefetch_related("reminders")
        .order_by("deadline", "id")
    )


@dataclass(frozen=True)
class Week:
    monday: dt.date
    sunday: dt.date
    new: list[TaskItem]
    in_progress: list[TaskItem]
    closed: list[TaskItem]


def week(*, user: User, day: dt.date) -> Week:
    """The week (Monday to Sunday) holding ``day``: items new in it (carried-over items
    are not new), items in hand through it (begun earlier or carried in, not closed or
    carried on by its end) and items closed in it."""
    _reader(user)
    monday = day - dt.timedelta(days=day.weekday())
    sunday = monday + dt.timedelta(days=6)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(sunday + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    base = TaskItem.objects.select_related("task_list", "responsible", "lead_leader")
    new_q = Q(created_at__gte=start, created_at__lt=end, carried_from__isnull=True)
    new = base.filter(new_q)
    closed = base.filter(closed_at__gte=start, closed_at__lt=end)
    in_progress = (
        base.filter(created_at__lt=end).exclude(new_q)
        .exclude(closed_at__lt=end).exclude(carried_to__created_at__lt=end)
    )  # fmt: skip
    order = ("task_list__month", "number")
    return Week(
        monday, sunday, list(new.order_by(*order)), list(in_progress.order_by(*order)),
        list(closed.order_by(*order)),
    )  # fmt: skip


@dataclass(frozen=True)
class Line:
    dimension: str  # 牵头领导 / 牵头部门 / 责任人
    name: str
    unfinished: int
    overdue: int
    closed: int


def breakdown(*, user: User, task_list: TaskList | None, today: dt.date) -> list[Line]:
    """责任分解: per lead leader, lead department and person responsible, the items
    unfinished, overdue and closed (in one list, or in every list when None). Items
    carried on count in the list they were carried into, not twice."""
    _reader(user)
    found = TaskItem.objects.exclude(status=ItemStatus.CARRIED)
    if task_list is not None:
        found = found.filter(task_list=task_list)
    counts: dict[str, Any] = {
        "unfinished": Count("id", filter=Q(status__in=UNFINISHED)),
        "overdue": Count("id", filter=overdue_q(today)),
        "closed": Count("id", filter=Q(status=ItemStatus.CLOSED)),
    }
    lines: list[Line] = []
    for dimension, field, label in (
        ("牵头领导", "lead_leader", ("lead_leader__full_name", "lead_leader__username")),
        ("牵头部门", "lead_department", ("lead_department", "lead_department")),
        ("责任人", "responsible", ("responsible__full_name", "responsible__username")),
    ):
        rows = found.values(field, *label).annotate(**counts).order_by(label[0], field)
        lines += [
            Line(dimension, row[label[0]] or row[label[1]], row["unfinished"], row["overdue"],
                 row["closed"])
            for row in rows
        ]  # fmt: skip
    return lines


def people(*, field: str) -> QuerySet[User]:
    """The users named in ``field`` (responsible / lead_leader) of any item: the filters' options."""
    ids = TaskItem.objects.values(f"{field}_id")
    return User.objects.filter(id__in=ids).order_by("full_name", "username")
