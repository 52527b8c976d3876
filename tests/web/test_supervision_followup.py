"""回头看 and 约谈: a low fixed grade puts the unit on the list with an interview task,
once; a rising grade leaves it for the office to close with a reason; the pages, who
sees them, and the refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from web.factories import ledger_item
from web.supervision_world import small_system
from xuncha.common.errors import ConcurrentEdit, PermissionDenied, ServiceError
from xuncha.supervision import assessment as svc
from xuncha.supervision import followup
from xuncha.supervision.models import FollowUp, FollowUpStatus, Grade, Interview, InterviewStatus

TODAY = dt.date(2024, 7, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def opened(world):
    """An assessment of the world's unit: 2 items, none closed, so the completion rate
    pre-fills 0 of 60; the 40-point item and the veto count are left to score."""
    ledger_item(world), ledger_item(world)
    return svc.assessment_create(name="2024 年整改评估", version=small_system(world),
                                 by=world.users["supervisor"], today=TODAY, units=[world.unit])  # fmt: skip


def _set(a, name: str, by, **values):
    s = a.scores.get(indicator__name=name)
    return svc.score_save(score=s, by=by, version=s.version,
                          indicator_version_id=a.indicator_version_id, **values)  # fmt: skip


def _fix(a, world, by="supervisor"):
    return followup.unit_grade_fix(assessment=a, unit=world.unit, by=world.users[by], today=TODAY)


def test_a_grade_is_fixed_only_when_every_indicator_is_scored(world, opened) -> None:
    with pytest.raises(
        ServiceError, match="尚有 1 项指标未评分（整改工作组织有力），全部评分后才能确定等次"
    ):
        _fix(opened, world)
    assert not FollowUp.objects.exists()
    with pytest.raises(PermissionDenied):
        _fix(opened, world, by="leader")


def test_a_poor_grade_puts_the_unit_on_the_list_once(world, opened) -> None:
    sup = world.users["supervisor"]
    _set(opened, "整改工作组织有力", sup, points=Decimal(30))
    grade, entry, created = _fix(opened, world)  # 0 + 30 = 30 < 60: 差
    assert grade == Grade.POOR and created
    assert (entry.grade, entry.total, entry.status) == (
        Grade.POOR,
        Decimal(30),
        FollowUpStatus.OPEN,
    )
    task = entry.interview
    assert task.interviewee == "东江街道主要负责人" and task.status == InterviewStatus.PENDING
    assert task.due_on == TODAY + dt.timedelta(days=followup.INTERVIEW_DAYS)
    assert entry.history.get().history_user == sup
    # Fixed again, after a rescore that is still poor: no second entry, no second task.
    _set(opened, "整改工作组织有力", sup, points=Decimal(20))
    grade, again, created = _fix(opened, world)
    assert not created and again.pk == entry.pk and again.latest_total == Decimal(20)
    assert FollowUp.objects.count() == 1 and Interview.objects.count() == 1


def test_a_rising_grade_is_not_removed_silently(world, opened) -> None:
    sup, office = world.users["supervisor"], world.users["office"]
    _set(opened, "整改工作组织有力", sup, points=Decimal(10))
    _, entry, _ = _fix(opened, world)
    s = opened.scores.get(indicator__name="反馈问题整改完成率")
    svc.score_save(score=s, by=sup, version=s.version, indicator_version_id=opened.indicator_version_id,
                   points=Decimal(55), override_reason="两项已于评估当日现场核实整改到位")  # fmt: skip
    grade, entry, created = _fix(opened, world)
    assert grade == Grade.AVERAGE and not created  # 65
    entry.refresh_from_db()
    assert entry.status == FollowUpStatus.OPEN and entry.grade == Grade.POOR
    assert entry.latest_grade == Grade.AVERAGE
    with pytest.raises(PermissionDenied, match="只有巡察办"):
        followup.follow_up_close(
            follow_up=entry, by=sup, reason="等次已提高", version=entry.version
        )
    with pytest.raises(ServiceError, match="须写明理由"):
        followup.follow_up_close(follow_up=entry, by=office, reason="  ", version=entry.version)
    with pytest.raises(ConcurrentEdit):
        followup.follow_up_close(
            follow_up=entry, by=office, reason="等次已提高", version=entry.version - 1
        )
    closed = followup.follow_up_close(follow_up=entry, by=office, reason="复评为一般，整改已到位",
                                      version=entry.version)  # fmt: skip
    assert closed.status == FollowUpStatus.CLOSED and closed.closed_by == office
    assert [h.status for h in closed.history.order_by("history_date")] == ["open", "open", "closed"]
    with pytest.raises(ServiceError, match="已经关闭"):
        followup.follow_up_close(follow_up=closed, by=office, reason="再关", version=closed.version)


def test_a_good_grade_stays_off_the_list_unless_the_setting_says(world, opened, settings) -> None:
    sup = world.users["supervisor"]
    s = opened.scores.get(indicator__name="反馈问题整改完成率")
    svc.score_save(score=s, by=sup, version=s.version, indicator_version_id=opened.indicator_version_id,
                   points=Decimal(30), override_reason="半数事项已整改")  # fmt: skip
    _set(opened, "整改工作组织有力", sup, points=Decimal(35))
    grade, entry, _ = _fix(opened, world)
    assert grade == Grade.AVERAGE and entry is None  # 65: 一般, not 差
    settings.FOLLOW_UP_GRADES = ["poor", "一般"]  # a value and a name
    grade, entry, created = _fix(opened, world)
    assert created and entry.grade == Grade.AVERAGE


def test_a_veto_puts_the_unit_on_the_list(world, opened) -> None:
    sup = world.users["supervisor"]
    s = opened.scores.get(indicator__name="整改报告与事实不符")
    assert s.contradicted == 0 and s.prefilled_contradicted == 0  # no reverse check yet
    _set(opened, "整改工作组织有力", sup, points=Decimal(40))
    with pytest.raises(ServiceError, match="改动了台账预填的事项数（0 项"):
        _set(opened, "整改报告与事实不符", sup, contradicted=2)
    _set(opened, "整改报告与事实不符", sup, contradicted=2, override_reason="巡察组另查实 2 项")
    grade, entry, _ = _fix(opened, world)
    assert grade == Grade.POOR and entry.total == 0


def test_the_interview_is_recorded_once_by_the_office(world, opened) -> None:
    _set(opened, "整改工作组织有力", world.users["supervisor"], points=Decimal(5))
    _, entry, _ = _fix(opened, world)
    office, task = world.users["office"], entry.interview
    with pytest.raises(PermissionDenied):
        followup.interview_record(interview=task, by=world.users["supervisor"], done_on=TODAY,
                                  record="约谈", version=task.version, today=TODAY)  # fmt: skip
    with pytest.raises(ServiceError, match="不能晚于今天"):
        followup.interview_record(interview=task, by=office, done_on=TODAY + dt.timedelta(days=1),
                                  record="约谈", version=task.version, today=TODAY)  # fmt: skip
    task = followup.interview_update(interview=task, by=office, interviewee="张某（党委书记）",
                                     due_on=TODAY + dt.timedelta(days=5), version=task.version)  # fmt: skip
    with pytest.raises(ConcurrentEdit):
        followup.interview_record(interview=task, by=office, done_on=TODAY, record="约谈",
                                  version=task.version - 1, today=TODAY)  # fmt: skip
    done = followup.interview_record(interview=task, by=office, done_on=TODAY, version=task.version,
                                     record="指出整改完成率低，要求一个月内补齐", today=TODAY)  # fmt: skip
    assert done.status == InterviewStatus.DONE and done.recorded_by == office
    with pytest.raises(ServiceError, match="已于 2024-07-01 记录"):
        followup.interview_record(interview=done, by=office, done_on=TODAY, record="再记",
                                  version=done.version, today=TODAY)  # fmt: skip
    assert done.history.count() == 3


# Pages


def test_the_list_filters_and_links_back(client, world, opened) -> None:
    _set(opened, "整改工作组织有力", world.users["supervisor"], points=Decimal(5))
    _fix(opened, world)
    client.force_login(world.users["supervisor"])
    page = client.get(reverse("supervision:follow_ups"), {"assessment": opened.pk}).content.decode()
    assert "东江街道" in page and reverse("supervision:assessment", args=[opened.pk]) in page
    closed = client.get(reverse("supervision:follow_ups"), {"status": "closed"}).content.decode()
    assert "没有符合条件的回头看单位" in closed
    other_round = client.get(reverse("supervision:follow_ups"),
                             {"round": world.other_team.round_id}).content.decode()  # fmt: skip
    assert "没有符合条件的回头看单位" in other_round
    detail = client.get(reverse("supervision:assessment", args=[opened.pk])).content.decode()
    entry = FollowUp.objects.get()
    assert reverse("supervision:follow_up", args=[entry.pk]) in detail
    unit_page = client.get(reverse("supervision:assessment_unit", args=[opened.pk, world.unit.pk]))
    assert 'id="unit-follow-up"' in unit_page.content.decode()


def test_the_grade_is_fixed_from_the_unit_page(client, world, opened) -> None:
    client.force_login(world.users["supervisor"])
    url = reverse("supervision:unit_grade_fix", args=[opened.pk, world.unit.pk])
    page = client.post(url, follow=True).content.decode()
    assert "尚有 1 项指标未评分" in page and not FollowUp.objects.exists()
    _set(opened, "整改工作组织有力", world.users["supervisor"], points=Decimal(5))
    page = client.post(url, follow=True).content.decode()
    assert "等次已确定：差。已列入回头看名单，并生成约谈任务。" in page
    page = client.post(url, follow=True).content.decode()
    assert "未重复列入" in page and FollowUp.objects.count() == 1
    assert (
        client.post(reverse("supervision:unit_grade_fix", args=[opened.pk, 999999])).status_code
        == 404
    )
    outside = reverse("supervision:unit_grade_fix", args=[opened.pk, world.other_unit.pk])
    assert client.post(outside).status_code == 404  # a unit the assessment does not score


def test_who_sees_the_pages_and_who_acts(client, world, opened) -> None:
    _set(opened, "整改工作组织有力", world.users["supervisor"], points=Decimal(5))
    _, entry, _ = _fix(opened, world)
    url = reverse("supervision:follow_up", args=[entry.pk])
    for role in ("leader", "team", "unit"):
        client.force_login(world.users[role])
        assert client.get(reverse("supervision:follow_ups")).status_code == 404
        assert client.get(url).status_code == 404
    client.force_login(world.users["supervisor"])
    page = client.get(url).content.decode()
    assert "东江街道主要负责人" in page and 'id="record-form"' not in page
    assert (
        client.post(url, {"action": "close", "close-reason": "x", "close-version": 1}).status_code
        == 404
    )
    client.force_login(world.users["office"])
    assert client.get(reverse("supervision:follow_up", args=[entry.pk + 1000])).status_code == 404
    page = client.get(url).content.decode()
    assert 'id="record-form"' in page and 'id="close-form"' in page


def test_the_office_records_the_interview_with_errors_beside_the_field(
    client, world, opened
) -> None:
    _set(opened, "整改工作组织有力", world.users["supervisor"], points=Decimal(5))
    _, entry, _ = _fix(opened, world)
    client.force_login(world.users["office"])
    url, task = reverse("supervision:follow_up", args=[entry.pk]), entry.interview
    bad = client.post(url, {"action": "record", "record-done_on": "2024-06-30", "record-record": "",
                            "record-version": task.version})  # fmt: skip
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "这个字段是必填项" in text and 'value="2024-06-30"' in text
    stale = client.post(url, {"action": "record", "record-done_on": "2024-06-30",
                              "record-record": "已约谈", "record-version": task.version + 5})  # fmt: skip
    assert stale.status_code == 400 and "已被他人修改" in stale.content.decode()
    ok = client.post(url, {"action": "record", "record-done_on": "2024-06-30",
                           "record-record": "已约谈书记", "record-version": task.version}, follow=True)  # fmt: skip
    assert "约谈已记录" in ok.content.decode()
    task.refresh_from_db()
    assert task.status == InterviewStatus.DONE and task.record == "已约谈书记"
