"""Every write of the monthly task lists. Each service checks the user, the state and the
input inside one transaction with the row locked, and raises
:class:`~xuncha.common.errors.ServiceError` (in Chinese) leaving nothing changed.

Dates the rules depend on ("today") are passed in, so the pages pass the local date and
tests and the demo any date they need.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from xuncha.accounts.access import allowed
from xuncha.accounts.models import Role, User
from xuncha.common.errors import PermissionDenied, ServiceError

from .models import (
    ON_RESPONSIBLE,
    UNFINISHED,
    ExtensionRequest,
    ItemStatus,
    ListStatus,
    Milestone,
    ProgressReport,
    Reminder,
    ReminderKind,
    TaskItem,
    TaskList,
)

M = TypeVar("M", bound=models.Model)
LEADS = (Role.LEADER, Role.OFFICE, Role.ADMIN)  # who may be a lead leader (牵头领导)
RESPONSIBLE = (Role.OFFICE, Role.ADMIN, Role.LEADER)  # who may be responsible (责任人)


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _manager(by: User, doing: str) -> None:
    if not allowed(by, "worklist.manage"):
        raise PermissionDenied(f"只有巡察办可以{doing}。")


def _locked(obj: M) -> M:
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def _save(obj: Any, by: User | None, fields: list[str] | None = None) -> None:
    obj._history_user = by
    obj.save(update_fields=[*fields, "updated_at"] if fields else None)


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(f"请填写{what}。")
    return value


def may_report(user: User, item: TaskItem) -> bool:
    """The person responsible, or the office, reports progress and asks for more time."""
    return user.is_authenticated and (
        item.responsible_id == user.pk or allowed(user, "worklist.manage")
    )


def may_decide(user: User, request: ExtensionRequest) -> bool:
    """An extension is decided by the item's lead leader (a leader too, though leaders
    otherwise only read) or by any office user, but never by the one who asked."""
    if not user.is_authenticated or not allowed(user, "worklist.read"):
        return False
    if request.requested_by_id == user.pk:
        return False
    return request.item.lead_leader_id == user.pk or allowed(user, "worklist.manage")


# --------------------------------------------------------------------------- lists


def list_create(
    *, by: User, month: dt.date, today: dt.date, report_day: int = 25, title: str = ""
) -> TaskList:
    """A month's list (draft). ``month`` may be any day of the month."""
    _manager(by, "新建任务清单")
    month = month_of(month)
    # Last month's list may still be made late; older months are history.
    if month < month_of(month_of(today) - dt.timedelta(days=1)):
        raise ServiceError(f"{month.year}年{month.month}月早已过去，不能再新建该月的清单。")
    if not 1 <= report_day <= 28:
        raise ServiceError(f"每月进展报送日应为 1 至 28 日，而不是 {report_day} 日。")
    title = title.strip() or f"{month.year}年{month.month}月巡察工作任务清单"
    with transaction.atomic():
        if TaskList.objects.filter(month=month).exists():
            raise ServiceError(f"{month.year}年{month.month}月的任务清单已经存在。")
        task_list = TaskList(month=month, title=title, report_day=report_day, created_by=by)
        _save(task_list, by)
        return task_list


def list_issue(*, task_list: TaskList, by: User) -> TaskList:
    """印发: the list goes out; items may still be added afterwards."""
    _manager(by, "印发任务清单")
    with transaction.atomic():
        task_list = _locked(task_list)
        if task_list.status == ListStatus.ISSUED:
            raise ServiceError("该任务清单已经印发。")
        if not task_list.items.exists():
            raise ServiceError("清单中还没有任何任务事项，不能印发。")
        task_list.status = ListStatus.ISSUED
        task_list.issued_at = timezone.now()
        task_list.issued_by = by
        _save(task_list, by, ["status", "issued_at", "issued_by"])
        return task_list


# --------------------------------------------------------------------------- items


@dataclass(frozen=True)
class MilestoneIn:
    what: str
    due: dt.date


def item_add(
    *, task_list: TaskList, by: User, what: str, lead_leader: User, lead_department: str,
    responsible: User, deadline: dt.date, today: dt.date, milestones: Sequence[MilestoneIn] = (),
) -> TaskItem:  # fmt: skip
    """A new item at the end of the list, with its milestones (all or nothing)."""
    _manager(by, "添加任务事项")
    what = _text(what, "任务内容")
    lead_department = _text(lead_department, "牵头部门")
    if lead_leader.role not in LEADS or not lead_leader.is_active:
        raise ServiceError(f"牵头领导「{lead_leader.display_name}」应为在职的领导或巡察办人员。")
    if responsible.role not in RESPONSIBLE or not responsible.is_active:
        raise ServiceError(f"责任人「{responsible.display_name}」应为在职的巡察办人员或领导。")
    if deadline < today:
        raise ServiceError(f"完成时限 {deadline:%Y-%m-%d} 已经过去，请填写今天或以后的日期。")
    for n, m in enumerate(milestones, start=1):
        _text(m.what, f"第 {n} 个时间节点的内容")
        if m.due < today or m.due > deadline:
            raise ServiceError(
                f"第 {n} 个时间节点「{m.what}」的时限 {m.due:%Y-%m-%d} 应在今天至完成时限之间。"
            )
    with transaction.atomic():
        task_list = _locked(task_list)
        item = TaskItem(
            task_list=task_list, number=_next_number(task_list), what=what,
            lead_leader=lead_leader, lead_department=lead_department,
            responsible=responsible, deadline=deadline,
        )  # fmt: skip
        _save(item, by)
        for m in milestones:
            _save(Milestone(item=item, what=m.what.strip(), due=m.due), by)
        return item


def _next_number(task_list: TaskList) -> int:
    top = task_list.items.aggregate(top=Max("number"))["top"]
    return (top or 0) + 1


def milestone_add(
    *, item: TaskItem, by: User, what: str, due: dt.date, today: dt.date
) -> Milestone:
    if not may_report(by, item):
        raise PermissionDenied("只有责任人或巡察办可以添加时间节点。")
    what = _text(what, "节点内容")
    if due < today:
        raise ServiceError(f"节点时限 {due:%Y-%m-%d} 已经过去，请填写今天或以后的日期。")
    with transaction.atomic():
        item = _locked(item)
        _unfinished(item)
        milestone = Milestone(item=item, what=what, due=due)
        _save(milestone, by)
        return milestone


def milestone_done(*, milestone: Milestone, by: User, today: dt.date) -> Milestone:
    if not may_report(by, milestone.item):
        raise PermissionDenied("只有责任人或巡察办可以标记时间节点完成。")
    with transaction.atomic():
        milestone = _locked(milestone)
        if milestone.done_at is not None:
            raise ServiceError(
                f"时间节点「{milestone.what}」已于 {milestone.done_at:%Y-%m-%d} 完成。"
            )
        milestone.done_at = today
        _save(milestone, by, ["done_at"])
        return milestone


def _unfinished(item: TaskItem) -> None:
    if item.status not in UNFINISHED:
        raise ServiceError(f"该任务事项{item.get_status_display()}，不能再办理。")


def progress_report(
    *, item: TaskItem, by: User, text: str, percent: int, today: dt.date
) -> ProgressReport:
    """The month's progress. 100% asks the office to close the item (已报结待审); a report
    after the list's report day is kept, marked late."""
    if not may_report(by, item):
        raise PermissionDenied("只有责任人或巡察办可以报送进展。")
    text = _text(text, "进展情况")
    if not 0 <= percent <= 100:
        raise ServiceError(f"完成进度应在 0 至 100 之间，而不是 {percent}。")
    with transaction.atomic():
        item = _locked(item)
        if item.status not in ON_RESPONSIBLE:
            raise ServiceError(f"该任务事项{item.get_status_display()}，不能报送进展。")
        month = month_of(today)
        task_list = item.task_list
        report = ProgressReport.objects.create(
            item=item, month=month, text=text, percent=percent, by=by,
            late=today > task_list.report_date(month),
        )  # fmt: skip
        item.status = ItemStatus.REPORTED if percent == 100 else ItemStatus.IN_PROGRESS
        _save(item, by, ["status"])
        return report


def open_milestones(item: TaskItem) -> list[Milestone]:
    return list(item.milestones.filter(done_at__isnull=True))


def item_close(*, item: TaskItem, by: User, confirm_open_milestones: bool = False) -> TaskItem:
    """审结. Open milestones refuse it unless the office confirms closing regardless."""
    _manager(by, "审结任务事项")
    with transaction.atomic():
        item = _locked(item)
        _unfinished(item)
        left = open_milestones(item)
        if left and not confirm_open_milestones:
            names = "、".join(f"「{m.what}」" for m in left)
            raise ServiceError(
                f"尚有 {len(left)} 个时间节点未完成：{names}。请先标记完成，或勾选“确认审结”后再提交。"
            )
        item.status = ItemStatus.CLOSED
        item.closed_at = timezone.now()
        item.closed_by = by
        _save(item, by, ["status", "closed_at", "closed_by"])
        return item


def item_return(*, item: TaskItem, by: User, reason: str) -> TaskItem:
    """退回 a completion report: the person responsible works on, the reason on record."""
    _manager(by, "退回任务事项")
    reason = _text(reason, "退回原因")
    with transaction.atomic():
        item = _locked(item)
        if item.status != ItemStatus.REPORTED:
            raise ServiceError(f"只能退回已报结待审的任务事项，该事项{item.get_status_display()}。")
        item.status = ItemStatus.RETURNED
        item.return_reason = reason
        _save(item, by, ["status", "return_reason"])
        return item


def reminder_add(*, item: TaskItem, by: User, note: str, today: dt.date) -> Reminder:
    """人工催办 (the 催办 button)."""
    _manager(by, "催办")
    note = _text(note, "催办内容")
    with transaction.atomic():
        item = _locked(item)
        _unfinished(item)
        return Reminder.objects.create(
            item=item, kind=ReminderKind.MANUAL, day=today, note=note, by=by
        )


# --------------------------------------------------------------------------- extensions


def extension_request(
    *, item: TaskItem, by: User, new_deadline: dt.date, reason: str, today: dt.date
) -> ExtensionRequest:
    if not may_report(by, item):
        raise PermissionDenied("只有责任人或巡察办可以申请延期。")
    reason = _text(reason, "延期理由")
    with transaction.atomic():
        item = _locked(item)
        _unfinished(item)
        if new_deadline <= item.deadline:
            raise ServiceError(
                f"申请延至的日期 {new_deadline:%Y-%m-%d} 应晚于现在的完成时限 {item.deadline:%Y-%m-%d}。"
            )
        if new_deadline < today:
            raise ServiceError(f"申请延至的日期 {new_deadline:%Y-%m-%d} 已经过去。")
        if item.extensions.filter(decided_at__isnull=True).exists():
            raise ServiceError("该事项已有一份待审批的延期申请，请等审批后再申请。")
        request = ExtensionRequest(
            item=item, old_deadline=item.deadline, new_deadline=new_deadline, reason=reason,
            requested_by=by,
        )  # fmt: skip
        _save(request, by)
        return request


def extension_decide(
    *, request: ExtensionRequest, by: User, approved: bool, note: str = ""
) -> ExtensionRequest:
    """Approve (the item's deadline moves) or refuse (with a reason)."""
    if not may_decide(by, request):
        raise PermissionDenied("延期申请由该事项的牵头领导或申请人以外的巡察办人员审批。")
    note = note.strip()
    if not approved and not note:
        raise ServiceError("不同意延期时请填写审批意见（不同意的理由）。")
    with transaction.atomic():
        request = _locked(request)
        item = _locked(request.item)
        if request.decided_at is not None:
            raise ServiceError("该延期申请已经审批过了。")
        _unfinished(item)
        request.decided_by, request.decided_at = by, timezone.now()
        request.approved, request.decision_note = approved, note
        _save(request, by, ["decided_by", "decided_at", "approved", "decision_note"])
        if approved:
            item.deadline = request.new_deadline
            _save(item, by, ["deadline"])
        return request


# --------------------------------------------------------------------------- carry-over


def carry_over(*, source: TaskList, target: TaskList, by: User) -> int:
    """延续: every unfinished item of ``source`` becomes an item of the later ``target``
    list, pointing back to it (its reports, reminders and requests stay with the old item
    and show along the chain); its open milestones come along. The old item is marked
    carried. Running it again carries nothing twice. Returns the number carried."""
    _manager(by, "延续任务事项")
    if target.month <= source.month:
        raise ServiceError("只能把任务事项延续到以后月份的清单。")
    with transaction.atomic():
        target = _locked(target)
        number = _next_number(target)
        items = list(
            TaskItem.objects.select_for_update().filter(task_list=source, status__in=UNFINISHED)
            .order_by("number")
        )  # fmt: skip
        for old in items:
            new = TaskItem(
                task_list=target, number=number, what=old.what, lead_leader_id=old.lead_leader_id,
                lead_department=old.lead_department, responsible_id=old.responsible_id,
                deadline=old.deadline, status=old.status, return_reason=old.return_reason,
                carried_from=old,
            )  # fmt: skip
            _save(new, by)
            for m in old.milestones.filter(done_at__isnull=True):
                _save(Milestone(item=new, what=m.what, due=m.due), by)
            old.status = ItemStatus.CARRIED
            _save(old, by, ["status"])
            number += 1
        return len(items)


# --------------------------------------------------------------------------- reminders


@dataclass(frozen=True)
class Derived:
    overdue: int
    no_report: int


def reminders_derive(today: dt.date) -> Derived:
    """The daily 催办: an unfinished item of an issued list past its deadline, and an item
    waiting on its person responsible with no progress report this month once the list's
    report day has passed. At most one reminder of each kind per item and day, so a
    second run the same day adds nothing."""
    month = month_of(today)
    items = TaskItem.objects.filter(task_list__status=ListStatus.ISSUED, status__in=UNFINISHED)
    overdue = list(items.filter(deadline__lt=today).values_list("id", flat=True))
    missing = [
        i.pk for i in items.filter(status__in=ON_RESPONSIBLE).select_related("task_list")
        .exclude(reports__month=month)
        if today > i.task_list.report_date(month) and timezone.localdate(i.created_at)
        <= i.task_list.report_date(month)
    ]  # fmt: skip
    with transaction.atomic():
        done = set(
            Reminder.objects.filter(day=today).exclude(kind=ReminderKind.MANUAL)
            .values_list("item_id", "kind")
        )  # fmt: skip
        new = [
            Reminder(item_id=i, kind=kind, day=today, note=note)
            for kind, ids, note in (
                (ReminderKind.OVERDUE, overdue, "已超过完成时限，请抓紧办理或申请延期。"),
                (ReminderKind.NO_REPORT, missing, "本月进展未按时报送，请尽快报送。"),
            )
            for i in ids
            if (i, kind) not in done
        ]  # fmt: skip
        Reminder.objects.bulk_create(new, ignore_conflicts=True)
    return Derived(
        overdue=sum(r.kind == ReminderKind.OVERDUE for r in new),
        no_report=sum(r.kind == ReminderKind.NO_REPORT for r in new),
    )
