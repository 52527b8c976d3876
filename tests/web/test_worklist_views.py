"""The task-list pages per role: the office manages, a leader reads and decides the
extensions of its own items, everyone else gets a 404; the exports and the print page."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from web.factories import UserFactory
from xuncha.accounts.models import Role
from xuncha.worklist import services
from xuncha.worklist.models import ExtensionRequest, ItemStatus, Reminder, TaskItem, TaskList

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def setup(world):
    today = timezone.localdate()
    office, leader = world.users["office"], world.users["leader"]
    staff = UserFactory(role=Role.OFFICE, full_name="王小燕")
    task_list = services.list_create(by=office, month=today, today=today)
    items = [
        services.item_add(
            task_list=task_list,
            by=office,
            what=what,
            lead_leader=leader,
            lead_department="巡察办综合科",
            responsible=staff,
            deadline=today + dt.timedelta(days=days),
            today=today,
        )
        for what, days in (("起草年度巡察工作要点", 10), ('=HYPERLINK("x")组织业务培训', 20))
    ]
    return world, task_list, items, staff


def test_other_roles_get_404_everywhere(client, setup) -> None:
    world, task_list, items, _ = setup
    urls = [reverse("worklist:index"), reverse("worklist:mine"), reverse("worklist:week"),
            reverse("worklist:breakdown"), reverse("worklist:breakdown_export"),
            reverse("worklist:list", args=[task_list.pk]),
            reverse("worklist:list_export", args=[task_list.pk]),
            reverse("worklist:list_print", args=[task_list.pk]),
            reverse("worklist:item", args=[items[0].pk])]  # fmt: skip
    for role in ("team", "unit", "supervisor"):
        client.force_login(world.users[role])
        for url in urls:
            assert client.get(url).status_code == 404, (role, url)
        remind = reverse("worklist:item_action", args=[items[0].pk, "remind"])
        assert client.post(remind, {"note": "催"}).status_code == 404
    assert not Reminder.objects.exists()


def test_the_office_builds_issues_and_works_a_list(client, setup) -> None:
    world, task_list, items, staff = setup
    client.force_login(world.users["office"])
    page = text(client.get(reverse("worklist:list", args=[task_list.pk])))
    assert "起草年度巡察工作要点" in page and "添加任务事项" in page and "印发清单" in page
    today = timezone.localdate()
    bad = client.post(reverse("worklist:item_new", args=[task_list.pk]), {
        "what": "整理档案", "lead_leader": world.users["leader"].pk, "lead_department": "综合科",
        "responsible": staff.pk, "deadline": (today - dt.timedelta(days=1)).isoformat(),
    })  # fmt: skip
    assert bad.status_code == 400 and "已经过去" in text(bad)
    assert task_list.items.count() == 2
    made = client.post(reverse("worklist:item_new", args=[task_list.pk]), {
        "what": "整理档案", "lead_leader": world.users["leader"].pk, "lead_department": "综合科",
        "responsible": staff.pk, "deadline": (today + dt.timedelta(days=3)).isoformat(),
    })  # fmt: skip
    assert made.status_code == 302 and task_list.items.count() == 3
    client.post(reverse("worklist:list_issue", args=[task_list.pk]))
    task_list.refresh_from_db()
    assert task_list.status == "issued"
    item = items[0]
    remind = client.post(
        reverse("worklist:item_action", args=[item.pk, "remind"]), {"note": "请本周报送"}
    )
    assert remind.status_code == 302 and item.reminders.count() == 1
    empty = client.post(reverse("worklist:item_action", args=[item.pk, "return"]), {"reason": ""})
    assert empty.status_code == 400 and "请填写退回原因" in text(empty)
    # Filters: by status and overdue.
    services.progress_report(item=item, by=staff, text="已完成初稿", percent=100, today=today)
    only = text(client.get(reverse("worklist:list", args=[task_list.pk]), {"status": "reported"}))
    assert "起草年度巡察工作要点" in only and "整理档案" not in only
    none = text(client.get(reverse("worklist:list", args=[task_list.pk]), {"overdue": "on"}))
    assert "没有符合当前筛选条件的事项" in none
    wrong = client.get(reverse("worklist:list", args=[task_list.pk]), {"responsible": 999999})
    assert "筛选条件有误" in text(wrong)
    closed = client.post(reverse("worklist:item_action", args=[item.pk, "close"]), {})
    item.refresh_from_db()
    assert closed.status_code == 302 and item.status == ItemStatus.CLOSED


def test_a_leader_reads_and_decides_only_its_own_items_extensions(client, setup) -> None:
    world, task_list, items, staff = setup
    leader = world.users["leader"]
    other_leader = UserFactory(role=Role.LEADER)
    today = timezone.localdate()
    mine, theirs = items[0], items[1]
    TaskItem.objects.filter(pk=theirs.pk).update(lead_leader=other_leader)
    for item in (mine, theirs):
        services.extension_request(item=item, by=staff, today=today, reason="等待材料",
                                   new_deadline=item.deadline + dt.timedelta(days=15))  # fmt: skip
    client.force_login(leader)
    index = text(client.get(reverse("worklist:index")))
    assert "待我审批的延期申请（1）" in index and "新建月度任务清单" not in index
    raw = client.get(reverse("worklist:item", args=[mine.pk])).content.decode()
    assert 'id="decide-form"' in raw
    assert not {'id="remind-form"', 'id="close-form"', 'id="report-form"'} & {
        x for x in re.findall(r'id="[a-z]+-form"', raw)
    }
    assert "审批延期申请" not in text(client.get(reverse("worklist:item", args=[theirs.pk])))
    listing = text(client.get(reverse("worklist:list", args=[task_list.pk])))
    assert "添加任务事项" not in listing and "起草年度巡察工作要点" in listing
    # Managing is refused: no new list, no reminder, no closure.
    assert (
        client.post(
            reverse("worklist:list_new"), {"month": "2027-01", "report_day": 25}
        ).status_code
        == 404
    )
    refused = client.post(reverse("worklist:item_action", args=[mine.pk, "remind"]), {"note": "催"})
    assert refused.status_code == 400 and not Reminder.objects.exists()
    other = client.post(
        reverse("worklist:item_action", args=[theirs.pk, "decide"]), {"approved": "1"}
    )
    assert other.status_code == 400 and "牵头领导" in text(other)
    ok = client.post(
        reverse("worklist:item_action", args=[mine.pk, "decide"]), {"approved": "1", "note": "同意"}
    )
    assert ok.status_code == 302
    mine.refresh_from_db()
    assert mine.deadline == today + dt.timedelta(days=25)
    assert ExtensionRequest.objects.filter(decided_at__isnull=True).count() == 1


def test_my_tasks_show_the_responsible_persons_items_and_reminders(client, setup) -> None:
    world, _, items, staff = setup
    services.reminder_add(
        item=items[0], by=world.users["office"], note="请抓紧起草", today=timezone.localdate()
    )
    client.force_login(staff)
    page = text(client.get(reverse("worklist:mine")))
    assert "起草年度巡察工作要点" in page and "请抓紧起草" in page
    client.force_login(world.users["office"])
    assert "您没有未完成的任务" in text(client.get(reverse("worklist:mine")))


def test_the_list_exports_as_text_and_prints(client, setup) -> None:
    world, task_list, *_ = setup
    client.force_login(world.users["leader"])
    response = client.get(reverse("worklist:list_export", args=[task_list.pk]))
    assert response.status_code == 200
    assert quote("月度任务清单") in response["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][:3] == ["序号", "任务内容", "牵头领导"]
    assert [r[1] for r in rows[1:]] == ["起草年度巡察工作要点", '=HYPERLINK("x")组织业务培训']
    assert all(c.data_type == "s" for row in ws.iter_rows(min_row=2) for c in row if c.value)
    printed = text(client.get(reverse("worklist:list_print", args=[task_list.pk])))
    assert task_list.title in printed and "组织业务培训" in printed
    empty = client.get(reverse("worklist:list_export", args=[task_list.pk]), {"status": "closed"})
    assert empty.status_code == 302


def test_the_breakdown_exports_its_lines(client, setup) -> None:
    world, task_list, items, _ = setup
    services.item_close(item=items[1], by=world.users["office"])
    client.force_login(world.users["office"])
    page = text(client.get(reverse("worklist:breakdown")))
    assert "王小燕" in page and "巡察办综合科" in page
    response = client.get(reverse("worklist:breakdown_export"), {"list": task_list.pk})
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows(values_only=False)]
    got = {(r[0], r[1]): (r[2], r[4]) for r in rows[1:]}
    assert got[("责任人", "王小燕")] == (1, 1) and got[("牵头部门", "巡察办综合科")] == (1, 1)


def test_the_week_page_and_a_bad_date(client, setup) -> None:
    world, *_ = setup
    client.force_login(world.users["office"])
    page = text(client.get(reverse("worklist:week")))
    assert "本周新增 2 项" in page
    bad = client.get(reverse("worklist:week"), {"date": "2026-13-01"})
    assert bad.status_code == 400 and "不是 YYYY-MM-DD 格式" in text(bad)
    assert TaskList.objects.count() == 1


def test_carrying_over_on_the_page_keeps_the_earlier_record(client, setup) -> None:
    world, task_list, items, staff = setup
    office = world.users["office"]
    today = timezone.localdate()
    item = items[0]
    services.milestone_add(item=item, by=staff, what="形成初稿", due=item.deadline, today=today)
    services.progress_report(item=item, by=staff, text="已收集各组意见", percent=30, today=today)
    TaskList.objects.filter(pk=task_list.pk).update(
        month=task_list.month.replace(year=task_list.month.year - 1)
    )
    later = services.list_create(by=office, month=today, today=today)
    client.force_login(office)
    page = text(client.get(reverse("worklist:list", args=[later.pk])))
    assert "延续未完成事项" in page
    done = client.post(
        reverse("worklist:list_carry", args=[later.pk]), {"source": task_list.pk}, follow=True
    )
    assert "延续 2 项未完成事项" in text(done)
    new = later.items.get(carried_from=item)
    page = text(client.get(reverse("worklist:item", args=[new.pk])))
    assert "延续前" in page and "已收集各组意见" in page and "形成初稿" in page
    old = text(client.get(reverse("worklist:item", args=[item.pk])))
    assert "已延续至" in old and "已延续至下月" in old
    # The carried milestone is marked done from the new item's page.
    milestone = new.milestones.get()
    client.post(reverse("worklist:milestone_done", args=[milestone.pk]))
    milestone.refresh_from_db()
    assert milestone.done_at == today and item.milestones.get().done_at is None
    # A choice missing from a form stays on the page with the reason.
    missing = client.post(
        reverse("worklist:item_action", args=[new.pk, "extend"]), {"reason": "等待"}
    )
    assert missing.status_code == 400 and "请填写申请延至" in text(missing)


def test_the_home_page_counts_ones_own_items_as_the_linked_lists_show_them(client, setup) -> None:
    from xuncha.worklist.home import sections

    world, task_list, items, staff = setup
    today = timezone.localdate()
    services.list_issue(task_list=task_list, by=world.users["office"])
    TaskItem.objects.filter(pk=items[0].pk).update(deadline=today - dt.timedelta(days=1))
    services.reminders_derive(today)
    services.progress_report(item=items[1], by=staff, text="已办完", percent=100, today=today)
    entries = {e.label: (e.count, e.url) for e in sections(user=staff, today=today)[0].entries}
    assert entries["我负责的未完成事项"][0] == 2 and entries["其中已逾期"][0] == 1
    assert entries["今天被催办的事项"][0] >= 1 and entries["已报结待审结的事项"][0] == 1
    client.force_login(staff)
    home = text(client.get(reverse("home")))
    assert "月度任务清单" in home and "我负责的未完成事项 2" in home
    for label, (count, url) in entries.items():
        response = client.get(url)
        assert response.context["page"].paginator.count == count, label
        assert len(re.findall(r'data-label="任务内容"', response.content.decode())) == count, label
    for role in ("team", "unit", "supervisor"):
        assert sections(user=world.users[role], today=today) == []
    services.extension_request(item=items[0], by=staff, today=today, reason="等待数据",
                               new_deadline=today + dt.timedelta(days=30))  # fmt: skip
    leader = {e.label: e for e in sections(user=world.users["leader"], today=today)[0].entries}
    assert "已报结待审结的事项" not in leader and leader["待我审批的延期申请"].count == 1
    client.force_login(world.users["leader"])
    asked = client.get(leader["待我审批的延期申请"].url)
    assert asked.context["page"].paginator.count == 1 and "起草年度巡察工作要点" in text(asked)


def test_the_list_pages_queries_do_not_grow_with_its_items(client, setup) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world, task_list, _items, staff = setup
    client.force_login(world.users["office"])
    today = timezone.localdate()

    def queries(name: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name, args=[task_list.pk])).status_code == 200
        return len(ctx.captured_queries)

    few = {
        name: queries(name)
        for name in ("worklist:list", "worklist:list_print", "worklist:list_export")
    }
    for n in range(10):
        item = services.item_add(
            task_list=task_list, by=world.users["office"], what=f"事项{n}", lead_leader=world.users["leader"],
            lead_department="综合科", responsible=UserFactory(role=Role.OFFICE), today=today,
            deadline=today + dt.timedelta(days=5), milestones=(services.MilestoneIn("节点", today),),
        )  # fmt: skip
        services.progress_report(item=item, by=staff, text="进展", percent=10, today=today)
    many = {name: queries(name) for name in few}
    assert many == few
