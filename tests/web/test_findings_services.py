"""Talks, leads and immediate items: who may record them, and the guards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from web.factories import FindingFactory
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.findings.choices import LeadResult, Receiver
from xuncha.findings.services import (
    finding_create,
    immediate_create,
    immediate_mark_done,
    lead_create,
    lead_record_result,
    talk_create,
)
from xuncha.planning.models import Assignment

D = dt.date(2024, 4, 1)


@pytest.fixture
def own(world) -> Assignment:
    return Assignment.objects.get(team=world.team)


def test_only_the_inspecting_side_records(world, own) -> None:
    for role in ("other_team", "unit", "supervisor", "leader"):
        with pytest.raises(PermissionDenied):
            talk_create(
                assignment=own, by=world.users[role], talk_on=D, interviewee="张三", summary="要点"
            )
    talk = talk_create(
        assignment=own, by=world.users["team"], talk_on=D, interviewee=" 张三 ", summary="要点"
    )
    assert (talk.unit, talk.team, talk.interviewee) == (world.unit, world.team, "张三")


def test_finding_guards(world, own) -> None:
    args = {"assignment": own, "by": world.users["team"], "source": "talk", "description": "问题"}
    with pytest.raises(ServiceError, match="不一致"):
        finding_create(**args, category="policy", subcategory="corruption.funds")
    with pytest.raises(ServiceError, match="负数"):
        finding_create(
            **args, category="corruption", subcategory="corruption.funds", amount=Decimal(-1)
        )
    finding = finding_create(**args, category="corruption", subcategory="corruption.funds")
    assert finding.history.get().history_user == world.users["team"]


def test_lead_life(world, own) -> None:
    team = world.users["team"]
    finding = FindingFactory(team=world.team, round=world.team.round, unit=world.unit)
    with pytest.raises(ServiceError, match="办结期限"):
        lead_create(assignment=own, by=team, description="线索", handed_to=Receiver.DISCIPLINE,
                    handed_on=D, receiver="王", due_on=D - dt.timedelta(days=1))  # fmt: skip
    other = FindingFactory(
        team=world.other_team, round=world.other_team.round, unit=world.other_unit
    )
    with pytest.raises(ServiceError, match="不属于本巡察组"):
        lead_create(assignment=own, by=team, description="线索", handed_to=Receiver.DISCIPLINE,
                    handed_on=D, receiver="王", due_on=D, finding=other)  # fmt: skip
    lead = lead_create(assignment=own, by=team, description="线索", handed_to=Receiver.DISCIPLINE,
                       handed_on=D, receiver="王", due_on=D + dt.timedelta(days=30), finding=finding)  # fmt: skip
    with pytest.raises(PermissionDenied):
        lead_record_result(
            lead=lead, by=world.users["other_team"], result=LeadResult.FILED, result_on=D
        )
    lead_record_result(lead=lead, by=team, result=LeadResult.FILED, result_on=D)
    with pytest.raises(ServiceError, match="已登记办理结果"):
        lead_record_result(
            lead=lead, by=world.users["office"], result=LeadResult.CLEARED, result_on=D
        )
    assert [h.result for h in lead.history.order_by("history_date")] == ["pending", "filed"]


def test_immediate_done_once(world, own) -> None:
    item = immediate_create(
        assignment=own, by=world.users["team"], description="立即清退", deadline=D
    )
    immediate_mark_done(item=item, by=world.users["office"], done_on=D)
    with pytest.raises(ServiceError, match="已确认完成"):
        immediate_mark_done(item=item, by=world.users["team"], done_on=D)
    with pytest.raises(PermissionDenied):
        immediate_mark_done(item=item, by=world.users["unit"], done_on=D)
