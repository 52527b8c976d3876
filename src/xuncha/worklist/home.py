"""The task lists' part of the home page (工作台首页): the user's own items, their
reminders and the extension requests waiting on the user, each number linking to the
page that lists exactly those items. Empty for roles that cannot read the lists."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from xuncha.accounts.access import allowed
from xuncha.accounts.models import User
from xuncha.common.home import Entry, Section, link

from .models import ItemStatus, TaskItem
from .selectors import my_items, overdue_q, pending_extensions


def sections(*, user: User, today: dt.date) -> list[Section]:
    if not allowed(user, "worklist.read"):
        return []
    n = my_items(user=user).aggregate(
        total=Count("id", distinct=True),
        overdue=Count("id", filter=overdue_q(today), distinct=True),
        reminded=Count("id", filter=Q(reminders__day=today), distinct=True),
    )
    entries = [
        Entry("我负责的未完成事项", n["total"], link("worklist:mine")),
        Entry("其中已逾期", n["overdue"], link("worklist:mine", overdue=1)),
        Entry("今天被催办的事项", n["reminded"], link("worklist:mine", reminded=1)),
        Entry(
            "待我审批的延期申请",
            pending_extensions(user=user).count(),
            link("worklist:mine", pending=1),
        ),
    ]
    if allowed(user, "worklist.manage"):
        waiting = TaskItem.objects.filter(status=ItemStatus.REPORTED).count()
        entries.append(Entry("已报结待审结的事项", waiting, link("worklist:mine", reported=1)))
    return [Section("月度任务清单", entries)]
