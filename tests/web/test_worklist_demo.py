"""The demo's task lists: both months, every state, the 催办 and the extensions."""

from __future__ import annotations

import datetime as dt

import pytest

from web.factories import UserFactory
from xuncha.accounts.models import Role
from xuncha.common.errors import ServiceError
from xuncha.demo.worklist import seed_worklist, summary
from xuncha.worklist.models import (
    ExtensionRequest,
    ItemStatus,
    ListStatus,
    Reminder,
    TaskItem,
    TaskList,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "today", [dt.date(2026, 12, 1), dt.date(2026, 12, 10), dt.date(2027, 1, 31)]
)
def test_the_demo_lists_hold_every_state(today) -> None:
    office = UserFactory(username="office", role=Role.OFFICE)
    leader = UserFactory(username="leader", role=Role.LEADER)
    demo = seed_worklist(today=today)
    this = TaskList.objects.get(month=today.replace(day=1))
    last = TaskList.objects.exclude(pk=this.pk).get()
    assert {this.status, last.status} == {ListStatus.ISSUED}
    assert this.items.count() >= 10 and demo.items == TaskItem.objects.count()
    now = set(this.items.values_list("status", flat=True))
    assert {"open", "in_progress", "reported", "returned", "closed"} <= now
    assert set(last.items.values_list("status", flat=True)) == {"closed", "carried"}
    # Every carried item has its copy in this month's list, pointing back.
    for old in last.items.filter(status=ItemStatus.CARRIED):
        assert old.carried_to.get().task_list == this
    overdue = [i for i in this.items.all() if i.is_overdue(today)]
    assert overdue and all(i.reminders.exists() for i in overdue)
    assert Reminder.objects.filter(item__task_list=last, by__isnull=False).exists()
    ext = ExtensionRequest.objects.all()
    assert ext.filter(decided_at__isnull=True).count() == 1 == demo.pending_extensions
    approved = ext.get(approved=True)
    assert approved.decided_by == leader and approved.item.deadline == approved.new_deadline
    assert approved.requested_by != office and "月度任务清单 2 份" in summary(demo)
    with pytest.raises(ServiceError, match="已有任务清单"):
        seed_worklist(today=today)
