"""The ledger's life: feedback → plan → acceptance → progress → close-out → reopen,
with every guard the issue names (evidence, who may close, double close, stale edits)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from web.factories import FindingFactory, pdf
from xuncha.common.errors import ConcurrentEdit, PermissionDenied, ServiceError
from xuncha.rectifications.models import DueState, RectificationItem, Status
from xuncha.rectifications.services import (
    rectification_accept_plan,
    rectification_close,
    rectification_create,
    rectification_propose_plan,
    rectification_reopen,
    rectification_report_progress,
    rectification_return,
)

TODAY = dt.date(2024, 6, 1)


def fed_back(world) -> RectificationItem:
    finding = FindingFactory(team=world.team, unit=world.unit, recorded_by=world.users["team"])
    return rectification_create(finding=finding, by=world.users["team"], fed_back_on=TODAY)


def in_progress(world) -> RectificationItem:
    item = fed_back(world)
    u = world.users
    rectification_propose_plan(item=item, by=u["unit"], measures="清退资金", owner="李四",
                               deadline=TODAY + dt.timedelta(days=30))  # fmt: skip
    return rectification_accept_plan(item=item, by=u["office"])


def done(world) -> RectificationItem:
    item = in_progress(world)
    rectification_report_progress(item=item, by=world.users["unit"], text="已全部清退",
                                  files=[(pdf(), "退款凭证.pdf")], done=True)  # fmt: skip
    return RectificationItem.objects.get(pk=item.pk)


def test_whole_life_and_history(world) -> None:
    item = done(world)
    assert item.status == Status.CLOSE_REQUESTED
    closed = rectification_close(
        item=item, by=world.users["office"], note="凭证核实无误", money_recovered=600
    )
    assert closed.status == Status.CLOSED and closed.closed_by == world.users["office"]
    reopened = rectification_reopen(
        item=closed, by=world.users["office"], reason="回访发现虚假整改"
    )
    assert reopened.status == Status.IN_PROGRESS
    states = [h.status for h in reopened.history.order_by("history_date")]
    assert states == [
        "awaiting_plan",
        "plan_submitted",
        "in_progress",
        "close_requested",
        "closed",
        "in_progress",
    ]
    assert reopened.history.filter(status="closed").get().history_user == world.users["office"]


def test_a_second_close_out_changes_nothing(world) -> None:
    item = done(world)
    rectification_close(item=item, by=world.users["office"], note="ok")
    before = RectificationItem.objects.get(pk=item.pk)
    with pytest.raises(ServiceError, match="已经销号"):
        rectification_close(item=item, by=world.users["team"], note="again")
    after = RectificationItem.objects.get(pk=item.pk)
    assert (after.version, after.closed_by, after.close_note) == (
        before.version,
        before.closed_by,
        "ok",
    )


def test_only_the_inspecting_side_closes(world) -> None:
    item = done(world)
    for who in ("unit", "other_team", "supervisor", "leader"):
        with pytest.raises(PermissionDenied):
            rectification_close(item=item, by=world.users[who], note="x")
    assert RectificationItem.objects.get(pk=item.pk).status == Status.CLOSE_REQUESTED
    rectification_close(item=item, by=world.users["team"], note="组内核实")


def test_close_out_needs_a_request_with_evidence(world) -> None:
    item = in_progress(world)
    with pytest.raises(ServiceError, match="尚未申请销号"):
        rectification_close(item=item, by=world.users["office"], note="x")
    with pytest.raises(ServiceError, match="证据"):
        rectification_report_progress(item=item, by=world.users["unit"], text="完成", done=True)
    assert RectificationItem.objects.get(pk=item.pk).status == Status.IN_PROGRESS


def test_the_database_refuses_a_closer_who_reported(world) -> None:
    item = done(world)
    item.status, item.closed_by, item.closed_at = (
        Status.CLOSED,
        item.done_reported_by,
        timezone.now(),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        item.save()


def test_changed_plan_needs_acceptance_again(world) -> None:
    item = in_progress(world)
    item = rectification_propose_plan(item=item, by=world.users["unit"], measures="新措施",
                                      owner="王五", deadline=TODAY + dt.timedelta(days=60))  # fmt: skip
    assert item.status == Status.PLAN_SUBMITTED and item.plan_accepted_by is None
    with pytest.raises(ServiceError):
        rectification_report_progress(item=item, by=world.users["unit"], text="进展")


def test_a_stale_edit_is_refused(world) -> None:
    item = fed_back(world)
    seen = item.version
    rectification_propose_plan(item=item, by=world.users["unit"], measures="甲", owner="甲",
                               deadline=TODAY, version=seen)  # fmt: skip
    with pytest.raises(ConcurrentEdit):
        rectification_propose_plan(item=item, by=world.users["office"], measures="乙", owner="乙",
                                   deadline=TODAY, version=seen)  # fmt: skip
    assert RectificationItem.objects.get(pk=item.pk).measures == "甲"


def test_another_unit_cannot_plan_or_report(world) -> None:
    item = in_progress(world)
    with pytest.raises(PermissionDenied):
        rectification_report_progress(item=item, by=world.users["other_unit"], text="x")
    with pytest.raises(PermissionDenied):
        rectification_propose_plan(item=item, by=world.users["other_unit"], measures="x",
                                   owner="x", deadline=TODAY)  # fmt: skip


def test_feedback_once_per_finding(world) -> None:
    item = fed_back(world)
    with pytest.raises(ServiceError, match="已经反馈"):
        rectification_create(finding=item.finding, by=world.users["office"], fed_back_on=TODAY)


@pytest.mark.parametrize(
    ("deadline", "status", "state"),
    [
        (TODAY + dt.timedelta(days=30), Status.IN_PROGRESS, DueState.ON_TIME),
        (TODAY + dt.timedelta(days=7), Status.IN_PROGRESS, DueState.DUE_SOON),
        (TODAY, Status.IN_PROGRESS, DueState.DUE_SOON),
        (TODAY - dt.timedelta(days=1), Status.PLAN_SUBMITTED, DueState.OVERDUE),
        (TODAY - dt.timedelta(days=1), Status.CLOSED, DueState.CLOSED),
        (None, Status.AWAITING_PLAN, DueState.ON_TIME),
    ],
)
def test_due_state(deadline, status, state) -> None:
    assert RectificationItem(deadline=deadline, status=status).due_state(TODAY) == state


def test_a_failed_report_keeps_no_file(world, settings) -> None:
    """A good file with a bad one: the item, the reports and the disk are unchanged."""
    from xuncha.common.models import Evidence

    item = in_progress(world)
    files_before = sorted((settings.MEDIA_ROOT).rglob("*"))
    with pytest.raises(ServiceError, match="不是允许的证据格式"):
        rectification_report_progress(
            item=item, by=world.users["unit"], text="完成", done=True,
            files=[(pdf(), "凭证.pdf"), (io.BytesIO(b"MZ" + bytes(64)), "照片.jpg")],
        )  # fmt: skip
    after = RectificationItem.objects.get(pk=item.pk)
    assert (after.status, after.version, after.reports.count()) == (
        Status.IN_PROGRESS,
        item.version,
        0,
    )
    assert not Evidence.objects.exists()
    assert sorted((settings.MEDIA_ROOT).rglob("*")) == files_before


def plan_submitted(world) -> RectificationItem:
    item = fed_back(world)
    return rectification_propose_plan(item=item, by=world.users["unit"], measures="清退资金",
                                      owner="李四", deadline=TODAY + dt.timedelta(days=30))  # fmt: skip


def test_the_office_returns_a_plan_with_its_reason(world) -> None:
    item = plan_submitted(world)
    back = rectification_return(item=item, by=world.users["office"], reason="措施不具体")
    assert back.status == Status.AWAITING_PLAN
    assert back.returned_reason == "整改方案被退回：措施不具体" and back.returned_at is not None
    assert back.history.first().history_user == world.users["office"]
    again = rectification_propose_plan(item=back, by=world.users["unit"], measures="逐户清退",
                                       owner="李四", deadline=TODAY + dt.timedelta(days=30))  # fmt: skip
    assert again.status == Status.PLAN_SUBMITTED and again.returned_at is None


def test_the_supervisor_returns_a_close_out_request(world) -> None:
    item = done(world)
    back = rectification_return(item=item, by=world.users["supervisor"], reason="凭证不清晰")
    assert back.status == Status.IN_PROGRESS and back.done_reported_by is None
    assert back.returned_reason == "销号申请被退回：凭证不清晰"
    with pytest.raises(ServiceError, match="尚未申请销号"):
        rectification_close(item=back, by=world.users["office"], note="")


@pytest.mark.parametrize("role", ["unit", "leader", "team"])
def test_unit_leader_and_team_cannot_return(world, role) -> None:
    item = done(world)
    with pytest.raises(PermissionDenied, match="只有巡察办或整改督查"):
        rectification_return(item=item, by=world.users[role], reason="不行")
    assert RectificationItem.objects.get(pk=item.pk).status == Status.CLOSE_REQUESTED


def test_returning_needs_a_reason(world) -> None:
    item = plan_submitted(world)
    with pytest.raises(ServiceError, match="退回必须填写原因"):
        rectification_return(item=item, by=world.users["office"], reason="  ")
    assert RectificationItem.objects.get(pk=item.pk).status == Status.PLAN_SUBMITTED


def test_returning_an_item_since_closed_says_so(world) -> None:
    item = done(world)
    seen = item.version
    rectification_close(item=item, by=world.users["office"], note="核实无误")
    with pytest.raises(ServiceError, match=r"事项现为“已销号”.*无法退回"):
        rectification_return(item=item, by=world.users["supervisor"], reason="晚了", version=seen)
