"""Monthly task lists (月度任务清单): each service's transition and refusal, the daily
reminders, the weekly view, the responsibility breakdown and carry-over."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from web.factories import UserFactory
from xuncha.accounts.models import Role, User
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.worklist import selectors, services
from xuncha.worklist.models import (
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
from xuncha.worklist.services import MilestoneIn

TODAY = dt.date(2026, 12, 3)
pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> dict[str, User]:
    return {
        "office": UserFactory(role=Role.OFFICE, full_name="刘卫东"),
        "staff": UserFactory(role=Role.OFFICE, full_name="王小燕"),
        "staff2": UserFactory(role=Role.OFFICE, full_name="李强"),
        "leader": UserFactory(role=Role.LEADER, full_name="赵建国"),
        "leader2": UserFactory(role=Role.LEADER, full_name="孙志刚"),
        "team": UserFactory(role=Role.TEAM),
    }


def make_list(p: dict[str, User], month: dt.date = TODAY, **kw: object) -> TaskList:
    return services.list_create(by=p["office"], month=month, today=TODAY, **kw)  # type: ignore[arg-type]


def make_item(
    p: dict[str, User], task_list: TaskList, *, deadline: dt.date = dt.date(2026, 12, 20),
    responsible: str = "staff", today: dt.date = TODAY, milestones: tuple[MilestoneIn, ...] = (),
) -> TaskItem:  # fmt: skip
    return services.item_add(
        task_list=task_list, by=p["office"], what="完成第二轮巡察反馈意见的整改督办", lead_leader=p["leader"],
        lead_department="巡察办综合科", responsible=p[responsible], deadline=deadline, today=today,
        milestones=milestones,
    )  # fmt: skip


# Lists and items ---------------------------------------------------------------------


def test_a_list_is_named_after_its_month_and_issued_once(people) -> None:
    task_list = make_list(people, month=dt.date(2026, 12, 17))
    assert (task_list.month, task_list.title) == (
        dt.date(2026, 12, 1),
        "2026年12月巡察工作任务清单",
    )
    with pytest.raises(ServiceError, match="还没有任何任务事项"):
        services.list_issue(task_list=task_list, by=people["office"])
    make_item(people, task_list)
    services.list_issue(task_list=task_list, by=people["office"])
    task_list.refresh_from_db()
    assert task_list.status == ListStatus.ISSUED and task_list.issued_by == people["office"]
    with pytest.raises(ServiceError, match="已经印发"):
        services.list_issue(task_list=task_list, by=people["office"])
    with pytest.raises(ServiceError, match="已经存在"):
        make_list(people, month=dt.date(2026, 12, 1))


def test_list_refusals(people) -> None:
    with pytest.raises(PermissionDenied):
        services.list_create(by=people["leader"], month=TODAY, today=TODAY)
    with pytest.raises(ServiceError, match="1 至 28"):
        make_list(people, report_day=31)
    with pytest.raises(ServiceError, match="早已过去"):
        make_list(people, month=dt.date(2026, 10, 1))
    make_list(people, month=dt.date(2026, 11, 1))  # last month, made late: allowed
    assert TaskList.objects.count() == 1


def test_items_are_numbered_and_bad_items_write_nothing(people) -> None:
    task_list = make_list(people)
    first, second = make_item(people, task_list), make_item(people, task_list)
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(ServiceError, match="已经过去"):
        make_item(people, task_list, deadline=TODAY - dt.timedelta(days=1))
    with pytest.raises(ServiceError, match="牵头领导"):
        services.item_add(task_list=task_list, by=people["office"], what="x", lead_leader=people["team"],
                          lead_department="综合科", responsible=people["staff"],
                          deadline=TODAY, today=TODAY)  # fmt: skip
    with pytest.raises(ServiceError, match="任务内容"):
        services.item_add(task_list=task_list, by=people["office"], what="  ", lead_leader=people["leader"],
                          lead_department="综合科", responsible=people["staff"],
                          deadline=TODAY, today=TODAY)  # fmt: skip
    # A bad milestone refuses the whole item: no item, no milestones.
    with pytest.raises(ServiceError, match="第 2 个时间节点"):
        make_item(people, task_list, milestones=(MilestoneIn("起草方案", dt.date(2026, 12, 10)),
                                                 MilestoneIn("上报", dt.date(2027, 1, 10))))  # fmt: skip
    assert TaskItem.objects.count() == 2 and not Milestone.objects.exists()
    with pytest.raises(PermissionDenied):
        services.item_add(task_list=task_list, by=people["leader"], what="x", lead_leader=people["leader"],
                          lead_department="综合科", responsible=people["staff"],
                          deadline=TODAY, today=TODAY)  # fmt: skip


# Progress, closure, return -----------------------------------------------------------


def test_progress_then_report_complete_then_return_then_close(people) -> None:
    task_list = make_list(people, report_day=25)
    item = make_item(people, task_list)
    staff = people["staff"]
    report = services.progress_report(
        item=item, by=staff, text="已起草方案", percent=40, today=TODAY
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_PROGRESS and not report.late
    assert report.month == dt.date(2026, 12, 1)
    late = services.progress_report(item=item, by=staff, text="已完成", percent=100,
                                    today=dt.date(2026, 12, 26))  # fmt: skip
    item.refresh_from_db()
    assert late.late and item.status == ItemStatus.REPORTED
    with pytest.raises(ServiceError, match="不能报送进展"):
        services.progress_report(item=item, by=staff, text="再报", percent=100, today=TODAY)
    with pytest.raises(ServiceError, match="退回原因"):
        services.item_return(item=item, by=people["office"], reason=" ")
    with pytest.raises(PermissionDenied):
        services.item_return(item=item, by=people["leader"], reason="材料不全")
    services.item_return(item=item, by=people["office"], reason="缺少整改台账附件")
    item.refresh_from_db()
    assert (item.status, item.return_reason) == (ItemStatus.RETURNED, "缺少整改台账附件")
    with pytest.raises(ServiceError, match="只能退回已报结待审"):
        services.item_return(item=item, by=people["office"], reason="again")
    services.progress_report(item=item, by=staff, text="已补附件", percent=100, today=TODAY)
    services.item_close(item=item, by=people["office"])
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED and item.closed_by == people["office"]
    with pytest.raises(ServiceError, match="已审结"):
        services.item_close(item=item, by=people["office"])
    with pytest.raises(ServiceError, match="不能再办理"):
        services.reminder_add(item=item, by=people["office"], note="催", today=TODAY)
    # Every status the item went through is in its history.
    seen = [h.status for h in item.history.order_by("history_date", "history_id")]
    assert seen == ["open", "in_progress", "reported", "returned", "reported", "closed"]


def test_progress_refusals(people) -> None:
    item = make_item(people, make_list(people))
    with pytest.raises(PermissionDenied):
        services.progress_report(item=item, by=people["leader"],
                                 text="x", percent=1, today=TODAY)  # fmt: skip
    with pytest.raises(ServiceError, match="进展情况"):
        services.progress_report(item=item, by=people["staff"], text="", percent=10, today=TODAY)
    with pytest.raises(ServiceError, match="0 至 100"):
        services.progress_report(item=item, by=people["staff"], text="x", percent=101, today=TODAY)
    assert not ProgressReport.objects.exists()


def test_closure_with_open_milestones_needs_confirmation(people) -> None:
    item = make_item(people, make_list(people),
                     milestones=(MilestoneIn("起草方案", dt.date(2026, 12, 10)),
                                 MilestoneIn("领导审定", dt.date(2026, 12, 15))))  # fmt: skip
    first = item.milestones.get(what="起草方案")
    services.milestone_done(milestone=first, by=people["staff"], today=TODAY)
    with pytest.raises(ServiceError, match="已于"):
        services.milestone_done(milestone=first, by=people["staff"], today=TODAY)
    with pytest.raises(ServiceError, match="尚有 1 个时间节点未完成：「领导审定」"):
        services.item_close(item=item, by=people["office"])
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN
    services.item_close(item=item, by=people["office"], confirm_open_milestones=True)
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED


# Extensions --------------------------------------------------------------------------


def test_extension_refusals_and_the_pending_one(people) -> None:
    item = make_item(people, make_list(people))
    ask = dict(item=item, by=people["staff"], today=TODAY)
    with pytest.raises(ServiceError, match="应晚于现在的完成时限 2026-12-20"):
        services.extension_request(new_deadline=dt.date(2026, 12, 20), reason="忙", **ask)  # type: ignore[arg-type]
    with pytest.raises(ServiceError, match="延期理由"):
        services.extension_request(new_deadline=dt.date(2027, 1, 10), reason=" ", **ask)  # type: ignore[arg-type]
    request = services.extension_request(
        new_deadline=dt.date(2027, 1, 10), reason="等待数据", **ask
    )  # type: ignore[arg-type]
    with pytest.raises(ServiceError, match="待审批"):
        services.extension_request(new_deadline=dt.date(2027, 1, 20), reason="再延", **ask)  # type: ignore[arg-type]
    assert request.old_deadline == dt.date(2026, 12, 20)
    assert ExtensionRequest.objects.count() == 1


def test_who_decides_an_extension(people) -> None:
    item = make_item(people, make_list(people))  # lead leader: leader; responsible: staff
    request = services.extension_request(item=item, by=people["staff"], today=TODAY,
                                         new_deadline=dt.date(2027, 1, 10), reason="等待数据")  # fmt: skip
    assert services.may_decide(people["leader"], request)  # the lead leader
    assert services.may_decide(people["office"], request)  # another office user
    assert not services.may_decide(people["staff"], request)  # not the one who asked
    assert not services.may_decide(people["leader2"], request)  # another leader: no
    assert not services.may_decide(people["team"], request)
    for who in ("staff", "leader2", "team"):
        with pytest.raises(PermissionDenied):
            services.extension_decide(request=request, by=people[who], approved=True)
    with pytest.raises(ServiceError, match="不同意的理由"):
        services.extension_decide(request=request, by=people["leader"], approved=False)
    services.extension_decide(request=request, by=people["leader"], approved=True, note="同意")
    item.refresh_from_db()
    request.refresh_from_db()
    assert (
        item.deadline == dt.date(2027, 1, 10)
        and request.approved
        and request.decided_by == people["leader"]
    )
    with pytest.raises(ServiceError, match="已经审批过"):
        services.extension_decide(request=request, by=people["office"], approved=False, note="不")


def test_a_refused_extension_keeps_the_deadline(people) -> None:
    item = make_item(people, make_list(people))
    request = services.extension_request(item=item, by=people["staff"], today=TODAY,
                                         new_deadline=dt.date(2027, 1, 10), reason="等待数据")  # fmt: skip
    services.extension_decide(
        request=request, by=people["office"], approved=False, note="月底前必须完成"
    )
    item.refresh_from_db()
    assert item.deadline == dt.date(2026, 12, 20)
    assert selectors.pending_extensions(user=people["office"]).count() == 0


# Reminders ---------------------------------------------------------------------------


def test_reminders_for_overdue_items_and_missing_reports_once_a_day(people) -> None:
    task_list = make_list(people, report_day=10)
    overdue = make_item(people, task_list, deadline=dt.date(2026, 12, 8))
    reported = make_item(people, task_list, deadline=dt.date(2026, 12, 31))
    silent = make_item(people, task_list, deadline=dt.date(2026, 12, 31))
    services.progress_report(
        item=reported, by=people["staff"], text="推进中", percent=50, today=TODAY
    )
    draft_list = make_list(people, month=dt.date(2027, 1, 1))
    make_item(people, draft_list, deadline=dt.date(2026, 12, 5))  # a draft list: no reminders
    # Before the list is issued nothing is reminded.
    assert services.reminders_derive(dt.date(2026, 12, 11)) == services.Derived(0, 0)
    make_item(people, task_list)  # something to issue with
    # Made on the 1st, before the report day (the rule skips items made after it).
    made = dt.datetime(2026, 12, 1, 9, tzinfo=timezone.get_current_timezone())
    TaskItem.objects.update(created_at=made)
    services.list_issue(task_list=task_list, by=people["office"])
    day = dt.date(2026, 12, 11)  # after the deadline of one and after the report day
    done = services.reminders_derive(day)
    assert done == services.Derived(overdue=1, no_report=3)
    kinds = set(Reminder.objects.values_list("item_id", "kind"))
    assert (overdue.pk, ReminderKind.OVERDUE) in kinds
    assert (silent.pk, ReminderKind.NO_REPORT) in kinds
    assert (reported.pk, ReminderKind.NO_REPORT) not in kinds
    assert services.reminders_derive(day) == services.Derived(0, 0)  # idempotent per day
    out = StringIO()
    call_command("worklist_remind", "--date", "2026-12-11", stdout=out)
    assert "逾期催办 0 条" in out.getvalue()
    assert Reminder.objects.count() == 4
    assert services.reminders_derive(dt.date(2026, 12, 12)).overdue == 1  # the next day: again
    # A manual reminder the same day is separate from the automatic ones.
    services.reminder_add(item=overdue, by=people["office"], note="请本周内办结", today=day)
    assert overdue.reminders.filter(kind=ReminderKind.MANUAL).count() == 1
    with pytest.raises(PermissionDenied):
        services.reminder_add(item=overdue, by=people["leader"], note="催", today=day)


def test_the_reminder_command_refuses_a_bad_date() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("worklist_remind", "--date", "12/11/2026")


# Carry-over --------------------------------------------------------------------------


def test_carry_over_keeps_the_history_and_runs_once(people) -> None:
    november = make_list(people, month=dt.date(2026, 11, 1))
    done = make_item(people, november, today=dt.date(2026, 11, 2), deadline=dt.date(2026, 11, 20))
    going = make_item(people, november, today=dt.date(2026, 11, 2), deadline=dt.date(2026, 11, 30),
                      milestones=(MilestoneIn("调研", dt.date(2026, 11, 10)),
                                  MilestoneIn("成稿", dt.date(2026, 11, 25))))  # fmt: skip
    services.milestone_done(milestone=going.milestones.get(what="调研"), by=people["staff"],
                            today=dt.date(2026, 11, 9))  # fmt: skip
    services.progress_report(item=going, by=people["staff"], text="调研完成", percent=50,
                             today=dt.date(2026, 11, 20))  # fmt: skip
    services.item_close(item=done, by=people["office"], confirm_open_milestones=True)
    december = make_list(people)
    make_item(people, december)
    with pytest.raises(ServiceError, match="以后月份"):
        services.carry_over(source=december, target=november, by=people["office"])
    assert services.carry_over(source=november, target=december, by=people["office"]) == 1
    assert services.carry_over(source=november, target=december, by=people["office"]) == 0
    going.refresh_from_db()
    new = TaskItem.objects.get(carried_from=going)
    assert going.status == ItemStatus.CARRIED and new.status == ItemStatus.IN_PROGRESS
    assert (new.task_list, new.number, new.deadline) == (december, 2, going.deadline)
    assert list(new.milestones.values_list("what", flat=True)) == ["成稿"]
    chain = selectors.chain(new)
    assert chain == [going, new] and selectors.later(going) == new
    assert [r.text for r in chain[0].reports.all()] == ["调研完成"]  # the old report stays
    assert [h.status for h in going.history.order_by("history_date", "history_id")][-1] == "carried"
    # Carried items count once in the breakdown, in the list they were carried into.
    lines = selectors.breakdown(user=people["office"], task_list=None, today=TODAY)
    staff = next(x for x in lines if x.dimension == "责任人")
    assert (staff.unfinished, staff.closed) == (2, 1)
    with pytest.raises(PermissionDenied):
        services.carry_over(source=november, target=december, by=people["leader"])


# Reads -------------------------------------------------------------------------------


def test_breakdown_counts_per_leader_department_and_person(people) -> None:
    task_list = make_list(people)
    a = make_item(people, task_list, deadline=dt.date(2026, 12, 5))
    make_item(people, task_list, responsible="staff2")
    c = make_item(people, task_list, responsible="staff2")
    services.item_close(item=c, by=people["office"])
    lines = selectors.breakdown(
        user=people["leader"], task_list=task_list, today=dt.date(2026, 12, 6)
    )
    got = {(x.dimension, x.name): (x.unfinished, x.overdue, x.closed) for x in lines}
    assert got == {
        ("牵头领导", "赵建国"): (2, 1, 1),
        ("牵头部门", "巡察办综合科"): (2, 1, 1),
        ("责任人", "王小燕"): (1, 1, 0),
        ("责任人", "李强"): (1, 0, 1),
    }
    assert a.is_overdue(dt.date(2026, 12, 6))


def test_the_weekly_view_counts_new_in_progress_and_closed(people) -> None:
    november = make_list(people, month=dt.date(2026, 11, 1))
    old = make_item(people, november, today=dt.date(2026, 11, 2))
    carried_late = make_item(people, november, today=dt.date(2026, 11, 2))
    december = make_list(people)
    fresh = make_item(people, december)
    closed_now = make_item(people, december)
    services.item_close(item=closed_now, by=people["office"])
    tz = timezone.get_current_timezone()
    last_week = dt.datetime(2026, 11, 25, 9, tzinfo=tz)
    TaskItem.objects.filter(pk__in=[old.pk, carried_late.pk]).update(created_at=last_week)
    this_week = dt.datetime(2026, 12, 2, 9, tzinfo=tz)  # a Wednesday
    TaskItem.objects.filter(pk__in=[fresh.pk, closed_now.pk]).update(created_at=this_week)
    TaskItem.objects.filter(pk=closed_now.pk).update(closed_at=this_week)
    services.carry_over(source=november, target=december, by=people["office"])
    TaskItem.objects.filter(carried_from__isnull=False).update(created_at=this_week)
    week = selectors.week(user=people["office"], day=dt.date(2026, 12, 6))  # a Sunday
    assert (week.monday, week.sunday) == (dt.date(2026, 11, 30), dt.date(2026, 12, 6))
    assert {i.pk for i in week.new} == {fresh.pk, closed_now.pk}
    assert {i.pk for i in week.closed} == {closed_now.pk}
    # In hand: the two carried-in copies (the originals were carried on this week).
    assert {i.carried_from_id for i in week.in_progress} == {old.pk, carried_late.pk}
    before = selectors.week(user=people["office"], day=dt.date(2026, 11, 26))
    assert {i.pk for i in before.new} == {old.pk, carried_late.pk} and not before.in_progress


def test_the_daily_job_is_registered_and_reminds_for_today(people, monkeypatch) -> None:
    from huey.api import PeriodicTask

    from xuncha.common.jobs import TASK_MODULES
    from xuncha.worklist import jobs

    today = timezone.localdate()
    task_list = services.list_create(by=people["office"], month=today, today=today)
    item = make_item(people, task_list, today=today, deadline=today)
    services.list_issue(task_list=task_list, by=people["office"])
    TaskItem.objects.filter(pk=item.pk).update(deadline=today - dt.timedelta(days=1))
    assert "xuncha.worklist.jobs" in TASK_MODULES  # the worker loads it
    task = jobs.worklist_remind_task.task_class
    assert issubclass(task, PeriodicTask)
    assert task().validate_datetime(dt.datetime(2026, 12, 1, 0, 20))
    assert not task().validate_datetime(dt.datetime(2026, 12, 1, 1, 20))  # once a day
    monkeypatch.setattr(jobs, "close_old_connections", lambda: None)
    jobs.worklist_remind_task.call_local()
    jobs.worklist_remind_task.call_local()
    assert item.reminders.filter(kind=ReminderKind.OVERDUE, day=today).count() == 1


def test_a_request_on_a_closed_or_carried_item_waits_for_no_one(people, client) -> None:
    """Closing (or carrying over) an item with a request still pending: the lead leader is
    no longer asked to decide what can no longer be decided (no count, no form)."""
    from django.urls import reverse

    december = make_list(people)
    closed, carried = make_item(people, december), make_item(people, december)
    for item in (closed, carried):
        services.extension_request(item=item, by=people["staff"], today=TODAY,
                                   new_deadline=dt.date(2027, 1, 10), reason="等待数据")  # fmt: skip
    assert selectors.pending_extensions(user=people["leader"]).count() == 2
    services.item_close(item=closed, by=people["office"])
    assert [r.item_id for r in selectors.pending_extensions(user=people["leader"])] == [carried.pk]
    services.carry_over(source=december, target=make_list(people, dt.date(2027, 1, 1)),
                        by=people["office"])  # fmt: skip
    assert selectors.pending_extensions(user=people["leader"]).count() == 0
    assert selectors.pending_extensions(user=people["office"]).count() == 0
    client.force_login(people["leader"])
    html = client.get(reverse("worklist:item", args=[closed.pk])).content.decode()
    assert "/decide/" not in html
    assert "待审批" not in html and "未审批（事项已审结，无需再审批）" in html
