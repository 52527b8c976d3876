"""Pages of common problems and self-check tasks: who sees what, the office's path from
a group to pushed tasks, a unit's answer with evidence, refusals in Chinese."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from web.factories import FindingFactory, UnitFactory, pdf
from xuncha.selfchecks import services
from xuncha.selfchecks.models import CandidateGroup, CommonProblem, SelfCheckTask, TaskStatus
from xuncha.units.models import Unit, UnitKind

ROLES = ("office", "team", "unit", "supervisor", "leader")
TEXTS = [
    "村集体经济合同管理不规范，部分合同未经村民代表大会表决擅自签订。",
    "村集体经济合同管理不规范，多份合同未经村民代表大会表决即签订。",
]


@pytest.fixture
def world(world):
    Unit.objects.filter(pk__in=[world.unit.pk, world.other_unit.pk]).update(kind=UnitKind.VILLAGE)
    return world


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _pushed(world) -> tuple[CommonProblem, SelfCheckTask, SelfCheckTask]:
    problem = services.common_problem_create(
        by=world.users["office"], title="合同未经民主决策", description="对照自查。",
        unit_kinds=[UnitKind.VILLAGE], deadline=timezone.localdate() + dt.timedelta(days=10),
        today=timezone.localdate(),
    )  # fmt: skip
    services.common_problem_push(problem=problem, by=world.users["office"])
    return (problem, SelfCheckTask.objects.get(unit=world.unit),
            SelfCheckTask.objects.get(unit=world.other_unit))  # fmt: skip


def test_the_office_goes_from_a_group_to_pushed_tasks(client, world) -> None:
    for unit, description in zip((world.unit, world.other_unit), TEXTS, strict=True):
        FindingFactory(team=world.team, round=world.team.round, unit=unit, description=description)
    services.grouping_build()
    group = CandidateGroup.objects.get()
    UnitFactory(name="未巡村", kind=UnitKind.VILLAGE)
    client.force_login(world.users["office"])
    page = text(client.get(reverse("selfchecks:groups")))
    assert "合同、集体经济" in page and "东江街道" in page
    filtered = text(client.get(reverse("selfchecks:groups"), {"category": "policy"}))
    assert "没有候选共性问题" in filtered
    of_round = text(client.get(reverse("selfchecks:groups"), {"round_id": world.team.round_id}))
    assert "合同、集体经济" in of_round
    other = text(client.get(reverse("selfchecks:groups"), {"round_id": world.other_team.round_id}))
    assert "没有候选共性问题" in other
    bad = client.get(reverse("selfchecks:groups"), {"round_id": 999999})
    assert "所选轮次不存在" in text(bad) and "合同、集体经济" not in text(bad)
    detail = client.get(reverse("selfchecks:group", args=[group.pk]))
    assert "五里牌镇" in text(detail) and "村" in text(detail)
    deadline = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    made = client.post(reverse("selfchecks:group", args=[group.pk]), {
        "title": "合同未经民主决策", "description": "对照自查。", "unit_kinds": ["village"],
        "deadline": deadline})  # fmt: skip
    problem = CommonProblem.objects.get()
    assert made.status_code == 302 and made.url == reverse("selfchecks:problem", args=[problem.pk])
    pushed = client.post(reverse("selfchecks:push", args=[problem.pk]), follow=True)
    assert "已向 3 个单位推送自查自纠任务" in text(pushed)
    again = client.post(reverse("selfchecks:push", args=[problem.pk]), follow=True)
    assert "没有新推送" in text(again) and SelfCheckTask.objects.count() == 3
    tasks = text(client.get(reverse("selfchecks:tasks"), {"problem_id": problem.pk}))
    assert "未巡先改" in tasks and "共 3 项" in tasks
    assert re.search(r"村</a></td> <td data-label=\"已推送\">3</td>", tasks)


def test_naming_errors_stay_beside_the_field_with_input_kept(client, world) -> None:
    for unit, description in zip((world.unit, world.other_unit), TEXTS, strict=True):
        FindingFactory(team=world.team, round=world.team.round, unit=unit, description=description)
    services.grouping_build()
    group = CandidateGroup.objects.get()
    client.force_login(world.users["office"])
    response = client.post(reverse("selfchecks:group", args=[group.pk]),
                           {"title": "保留的名称", "description": "要求", "deadline": "2099-01-01"})  # fmt: skip
    assert response.status_code == 400
    assert "请选择至少一种适用单位类型" in text(response) and 'value="保留的名称"' in text(response)
    past = client.post(reverse("selfchecks:group", args=[group.pk]), {
        "title": "题", "description": "要求", "unit_kinds": ["village"], "deadline": "2001-01-01"})  # fmt: skip
    assert "自查时限不能早于今天" in text(past) and not CommonProblem.objects.exists()


def test_pushing_to_a_kind_without_units_says_so(client, world) -> None:
    problem = services.common_problem_create(
        by=world.users["office"], title="园区问题", description="自查。", unit_kinds=["park"],
        deadline=timezone.localdate(), today=timezone.localdate(),
    )  # fmt: skip
    client.force_login(world.users["office"])
    response = client.post(reverse("selfchecks:push", args=[problem.pk]), follow=True)
    assert "适用单位类型（园区）下没有任何单位，无法推送" in text(response)


def test_the_group_button_queues_the_grouping(client, world, monkeypatch) -> None:
    queued = []
    monkeypatch.setattr("xuncha.selfchecks.jobs.grouping_task", lambda: queued.append(1))
    client.force_login(world.users["office"])
    response = client.post(reverse("selfchecks:group_run"), follow=True)
    assert queued == [1] and "已在后台开始重新分组" in text(response)


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_which_page(client, world, role) -> None:
    problem, mine, theirs = _pushed(world)
    client.force_login(world.users[role])
    office_pages = [reverse("selfchecks:groups"), reverse("selfchecks:problems")]
    expected_office = 200 if role == "office" else 404
    assert [client.get(u).status_code for u in office_pages] == [expected_office] * 2
    assert client.post(reverse("selfchecks:push", args=[problem.pk])).status_code in (
        (302,) if role == "office" else (404,)
    )
    sees_all = role in ("office", "supervisor", "leader")
    expected = {"unit": (200, 404), "team": (404, 404)}.get(role, (200, 200))
    got = tuple(client.get(reverse("selfchecks:task", args=[t.pk])).status_code
                for t in (mine, theirs))  # fmt: skip
    assert got == expected
    listed = client.get(reverse("selfchecks:tasks"))
    assert listed.status_code == (404 if role == "team" else 200)
    if role != "team":
        page = text(listed)
        assert ("五里牌镇" in page) == sees_all and "东江街道" in page
    problem_page = client.get(reverse("selfchecks:problem", args=[problem.pk])).status_code
    assert problem_page == (200 if sees_all else 404)


def test_a_unit_answers_with_evidence_and_the_office_accepts(client, world) -> None:
    _, mine, _ = _pushed(world)
    client.force_login(world.users["unit"])
    page = text(client.get(reverse("selfchecks:task", args=[mine.pk])))
    assert "报告自查情况" in page and "认可自查情况" not in page
    url = reverse("selfchecks:task_action", args=[mine.pk, "answer"])
    response = client.post(url, {"version": 1, "found": "yes", "measures": "清理合同 12 份。",
                                  "evidence": [pdf()]})  # fmt: skip
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == TaskStatus.ANSWERED and mine.found is True
    evidence = mine.evidence.get()
    opened = client.get(reverse("selfchecks:evidence", args=[mine.pk, evidence.pk]))
    assert opened.status_code == 200 and opened["X-Content-Type-Options"] == "nosniff"
    # Another unit cannot open it, nor act on the task.
    client.force_login(world.users["other_unit"])
    assert (
        client.get(reverse("selfchecks:evidence", args=[mine.pk, evidence.pk])).status_code == 404
    )
    assert client.post(reverse("selfchecks:task_action", args=[mine.pk, "accept"]),
                       {"version": 2}).status_code == 404  # fmt: skip
    client.force_login(world.users["office"])
    accept = client.post(
        reverse("selfchecks:task_action", args=[mine.pk, "accept"]), {"version": 2}
    )
    assert accept.status_code == 302
    mine.refresh_from_db()
    assert mine.status == TaskStatus.ACCEPTED
    # An answer after acceptance: refused in Chinese, nothing changed.
    client.force_login(world.users["unit"])
    late = client.post(url, {"version": 3, "found": "no", "measures": "再报"})
    assert late.status_code == 400 and "已被认可，不能再报告" in text(late)
    mine.refresh_from_db()
    assert mine.found is True


def test_a_stale_answer_page_is_refused_with_input_kept(client, world) -> None:
    _, mine, _ = _pushed(world)
    services.selfcheck_answer(task=mine, by=world.users["unit"], found=False, measures="先报。")
    services.selfcheck_return(task=mine, by=world.users["office"], reason="补充。")
    client.force_login(world.users["unit"])
    url = reverse("selfchecks:task_action", args=[mine.pk, "answer"])
    response = client.post(url, {"version": 1, "found": "yes", "measures": "我的新内容"})
    assert response.status_code == 409
    assert "已被他人修改" in text(response) and "我的新内容" in text(response)
    blank = client.post(url, {"version": 3, "found": "yes", "measures": ""})
    assert blank.status_code == 400 and "请填写自查情况及整改措施" in text(blank)


def test_list_filters_and_a_bad_filter(client, world) -> None:
    _, mine, theirs = _pushed(world)
    SelfCheckTask.objects.filter(pk=mine.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    client.force_login(world.users["supervisor"])
    overdue = text(client.get(reverse("selfchecks:tasks"), {"overdue": "on"}))
    assert "共 1 项" in overdue and "东江街道" in overdue and theirs.unit.name not in overdue
    bad = client.get(reverse("selfchecks:tasks"), {"problem_id": 999999})
    assert "所选共性问题不存在" in text(bad) and "共 0 项" in text(bad)
    kind = text(client.get(reverse("selfchecks:tasks"), {"unit_kind": "township"}))
    assert "共 0 项" in kind


def test_the_unit_home_page_lists_its_self_checks(client, world) -> None:
    _, mine, _ = _pushed(world)
    SelfCheckTask.objects.filter(pk=mine.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    client.force_login(world.users["unit"])
    page = text(client.get(reverse("home")))
    assert "自查自纠（同类同改）" in page
    assert re.search(r"已逾期的自查任务\D*1", page)
    assert reverse("selfchecks:tasks") + "?overdue=on" in page


def test_the_list_exports_as_filtered(client, world) -> None:
    import io

    import openpyxl

    _, mine, theirs = _pushed(world)
    services.selfcheck_answer(task=mine, by=world.users["unit"], found=True, measures="清理合同。",
                              files=[(pdf(), "台账.pdf")])  # fmt: skip
    client.force_login(world.users["office"])
    page = text(client.get(reverse("selfchecks:tasks"), {"status": "answered"}))
    assert reverse("selfchecks:export") + "?status=answered" in page
    response = client.get(reverse("selfchecks:export"), {"status": "answered"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["序号", "自查单位", "单位类型", "共性问题"]
    assert len(rows) == 2 and rows[1][1] == "东江街道" and rows[1][7] == "发现同类问题"
    assert rows[1][8] == "清理合同。" and rows[1][10] == "台账.pdf"
    # A unit exports its own only; nothing to export goes back with the reason.
    client.force_login(world.users["other_unit"])
    empty = client.get(reverse("selfchecks:export"), {"status": "answered"}, follow=True)
    assert "没有自查自纠任务，未生成导出文件" in text(empty)
    assert theirs.unit.name in text(client.get(reverse("selfchecks:tasks")))


def test_the_daily_grouping_task_runs_the_grouping(world, monkeypatch) -> None:
    from huey.api import PeriodicTask

    from xuncha.common.jobs import TASK_MODULES
    from xuncha.selfchecks import jobs

    assert "xuncha.selfchecks.jobs" in TASK_MODULES  # the worker loads it
    task = jobs.grouping_daily_task.task_class
    assert issubclass(task, PeriodicTask)
    assert task().validate_datetime(dt.datetime(2026, 6, 1, 0, 40))
    assert not task().validate_datetime(dt.datetime(2026, 6, 1, 1, 40))  # once a day
    # (the job closes stale connections between runs; here that would be the test's own)
    monkeypatch.setattr(jobs, "close_old_connections", lambda: None)

    for unit, description in zip((world.unit, world.other_unit), TEXTS, strict=True):
        FindingFactory(team=world.team, round=world.team.round, unit=unit, description=description)
    jobs.grouping_daily_task.call_local()
    assert CandidateGroup.objects.get().finding_count == 2


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_entry_for_those_who_may_list_tasks(client, world, role) -> None:
    client.force_login(world.users[role])
    nav = re.search(r"<nav>(.*?)</nav>", client.get("/").content.decode(), re.S)
    assert nav is not None
    assert (f'href="{reverse("selfchecks:tasks")}">同类同改</a>' in nav.group(1)) == (
        role != "team"
    )
