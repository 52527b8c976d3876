"""The demo city's office runs on monthly task lists (seed 004): last month's list, mostly
done, its unfinished items carried over into this month's, and this month's items in every
state — open, in progress, reported and waiting for 审结, returned, closed, one overdue
with its 催办, one extension waiting for the leader, one approved.

Everything goes through :mod:`xuncha.worklist.services`, as the office would do it; only
the timestamps of last month's work are moved back into last month afterwards, so the
weekly view shows this week's work as this week's.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from xuncha.accounts.models import Role, User
from xuncha.common.errors import ServiceError
from xuncha.worklist import services
from xuncha.worklist.models import ExtensionRequest, ItemStatus, Reminder, TaskItem, TaskList
from xuncha.worklist.services import MilestoneIn, month_of

STAFF = (("office-wang", "王小燕"), ("office-li", "李强"), ("office-zhang", "张敏"))


@dataclass(frozen=True)
class WorklistDemo:
    lists: int
    items: int
    states: dict[str, int]
    reminders: int
    pending_extensions: int


def _staff(office: User) -> list[User]:
    """Office staff who are responsible for the items (the demo password, as the office's)."""
    made = []
    for username, name in STAFF:
        user = User(username=username, role=Role.OFFICE, full_name=name, password=office.password)
        user.save()
        made.append(user)
    return made


def seed_worklist(
    *, today: dt.date, office: User | None = None, leader: User | None = None
) -> WorklistDemo:
    """Seed both lists; refused (nothing written) when task lists exist already."""
    office = office or User.objects.get(username="office")
    leader = leader or User.objects.get(username="leader")
    with transaction.atomic():
        if TaskList.objects.exists():
            raise ServiceError("数据库中已有任务清单：演示任务清单只能在没有清单时生成。")
        wang, li, zhang = _staff(office)
        this = month_of(today)
        last = month_of(this - dt.timedelta(days=1))
        _last_month(office, leader, (wang, li, zhang), last)
        _this_month(office, leader, (wang, li, zhang), today, last)
        services.reminders_derive(today)
        states = Counter(TaskItem.objects.values_list("status", flat=True))
        return WorklistDemo(
            lists=TaskList.objects.count(), items=TaskItem.objects.count(),
            states={ItemStatus(s).label: n for s, n in sorted(states.items())},
            reminders=Reminder.objects.count(),
            pending_extensions=ExtensionRequest.objects.filter(decided_at__isnull=True).count(),
        )  # fmt: skip


def _add(
    task_list: TaskList, office: User, lead: User, who: User, what: str, dept: str,
    deadline: dt.date, today: dt.date, milestones: tuple[MilestoneIn, ...] = (),
) -> TaskItem:  # fmt: skip
    return services.item_add(
        task_list=task_list, by=office, what=what, lead_leader=lead, lead_department=dept,
        responsible=who, deadline=deadline, today=today, milestones=milestones,
    )  # fmt: skip


def _last_month(office: User, leader: User, staff: tuple[User, ...], month: dt.date) -> None:
    """Last month's list as it ended: three closed, three carried over (in progress,
    returned, overdue with a 催办)."""
    wang, li, zhang = staff
    day = month  # the list was made on the 1st
    tl = services.list_create(by=office, month=month, today=day, report_day=25)
    end = services.next_month(month) - dt.timedelta(days=1)
    done = [
        _add(tl, office, leader, wang, "制定本月巡察工作计划并报领导小组审定", "巡察办综合科",
             month + dt.timedelta(days=9), day,
             (MilestoneIn("起草计划", month + dt.timedelta(days=4)),)),
        _add(tl, office, office, li, "汇总上一轮巡察反馈问题整改进展", "巡察办督查科",
             month + dt.timedelta(days=19), day),
        _add(tl, office, leader, zhang, "更新巡察干部人才库", "巡察办信息科", end, day),
    ]  # fmt: skip
    going = _add(tl, office, leader, wang, "起草巡察整改日常监督工作办法", "巡察办综合科",
                 end, day, (MilestoneIn("征求意见", month + dt.timedelta(days=14)),
                            MilestoneIn("提交审议", end)))  # fmt: skip
    returned = _add(tl, office, office, li, "开展巡察报告质量评查", "巡察办督查科", end, day)
    late = _add(tl, office, leader, zhang, "建设巡察信息系统数据对接", "巡察办信息科",
                month + dt.timedelta(days=14), day)  # fmt: skip
    services.list_issue(task_list=tl, by=office)
    on = month + dt.timedelta(days=20)
    for item in done:
        services.progress_report(
            item=item, by=item.responsible, text="已按计划完成。", percent=100, today=on
        )
        services.item_close(item=item, by=office, confirm_open_milestones=True)
    services.milestone_done(milestone=going.milestones.first(), by=wang, today=on)  # type: ignore[arg-type]
    services.progress_report(
        item=going, by=wang, text="已征求各科室意见，正在修改。", percent=60, today=on
    )
    services.progress_report(
        item=returned, by=li, text="评查完成，报告已起草。", percent=100, today=on
    )
    services.item_return(
        item=returned, by=office, reason="评查样本未覆盖全部巡察组，请补充后再报。"
    )
    services.reminders_derive(on)  # that day's automatic 催办: the overdue one
    services.reminder_add(item=late, by=office, note="请本周内报送对接方案。", today=on)
    # Last month's work happened last month.
    stamp = dt.datetime.combine(month, dt.time(9), tzinfo=timezone.get_current_timezone())
    TaskItem.objects.filter(task_list=tl).update(created_at=stamp)
    TaskItem.objects.filter(task_list=tl, closed_at__isnull=False).update(
        closed_at=stamp + dt.timedelta(days=20)
    )


def _this_month(
    office: User, leader: User, staff: tuple[User, ...], today: dt.date, last: dt.date
) -> None:  # fmt: skip
    wang, li, zhang = staff
    month = month_of(today)
    end = services.next_month(month) - dt.timedelta(days=1)
    tl = services.list_create(by=office, month=month, today=today, report_day=25,
                              title=f"{month.year}年{month.month}月巡察工作任务清单")  # fmt: skip
    services.carry_over(source=TaskList.objects.get(month=last), target=tl, by=office)
    soon = min(today + dt.timedelta(days=7), end) if today < end else today
    _add(tl, office, leader, zhang, "筹备下一轮巡察动员部署会", "巡察办综合科", end, today)
    moving = _add(tl, office, leader, wang, "编制届内巡察全覆盖规划调整方案", "巡察办综合科", end, today,
                  (MilestoneIn("形成初稿", soon), MilestoneIn("领导小组审议", end)))  # fmt: skip
    reported = _add(tl, office, office, li, "整理本年度巡察工作档案", "巡察办督查科", end, today)
    returned = _add(
        tl, office, office, zhang, "统计本年度巡察发现问题数据", "巡察办信息科", end, today
    )
    closed = _add(tl, office, leader, li, "组织巡察干部业务培训", "巡察办综合科", soon, today)
    overdue = _add(tl, office, leader, wang, "报送上月巡察工作情况", "巡察办综合科",
                   today - dt.timedelta(days=1), today - dt.timedelta(days=5))  # fmt: skip
    pending = _add(
        tl, office, leader, zhang, "完成巡察村（社区）风险分级", "巡察办信息科", end, today
    )
    approved = _add(tl, office, leader, li, "修订巡察工作底稿模板", "巡察办督查科", end, today)
    services.list_issue(task_list=tl, by=office)
    services.progress_report(item=moving, by=wang, text="初稿已完成七成。", percent=40, today=today)
    services.progress_report(
        item=reported, by=li, text="档案已全部整理归档。", percent=100, today=today
    )
    services.progress_report(item=returned, by=zhang, text="数据已汇总。", percent=100, today=today)
    services.item_return(item=returned, by=office, reason="缺少各县市区分项数据，请补充后再报。")
    services.progress_report(
        item=closed, by=li, text="培训已举办，共 86 人参加。", percent=100, today=today
    )
    services.item_close(item=closed, by=office)
    services.reminder_add(item=overdue, by=office, note="请今天下班前报送。", today=today)
    for item, by in ((pending, zhang), (approved, li)):
        services.extension_request(item=item, by=by, new_deadline=end + dt.timedelta(days=15),
                                   reason="需等待相关部门提供数据。", today=today)  # fmt: skip
    ask = approved.extensions.get()
    services.extension_decide(request=ask, by=leader, approved=True, note="同意，请按期完成。")


def summary(demo: WorklistDemo) -> str:
    states = "、".join(f"{label} {n} 项" for label, n in demo.states.items())
    return (f"   月度任务清单 {demo.lists} 份、任务事项 {demo.items} 项（{states}），"
            f"催办 {demo.reminders} 条，待审批延期申请 {demo.pending_extensions} 份")  # fmt: skip
