"""工作台首页: every role's to-do numbers, each equal to the count of the filtered list
it links to, and the leader's read-only reach (findings and ledger items, never
petitions or full ID numbers)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from web.factories import FindingFactory, pdf
from web.test_view_matrix import urls_for
from xuncha.accounts.access import can_unmask
from xuncha.common.home import Entry
from xuncha.findings.choices import Receiver
from xuncha.findings.models import ImmediateItem, Lead
from xuncha.planning.models import Assignment
from xuncha.rectifications.services import (
    rectification_accept_plan,
    rectification_create,
    rectification_propose_plan,
    rectification_report_progress,
    rectification_return,
)

TODAY = timezone.localdate()


def ledger(world, unit, team, *, deadline_in: int, stage: str):
    """One ledger item of ``unit`` brought to ``stage``, due ``deadline_in`` days from today."""
    u = world.users
    liaison = u["unit"] if unit == world.unit else u["other_unit"]
    finding = FindingFactory(team=team, round=team.round, unit=unit)
    item = rectification_create(finding=finding, by=u["office"], fed_back_on=TODAY)
    if stage == "awaiting_plan":
        return item
    deadline = TODAY + dt.timedelta(days=deadline_in)
    item = rectification_propose_plan(
        item=item, by=liaison, measures="清退", owner="李四", deadline=deadline
    )
    if stage == "plan_submitted":
        return item
    if stage == "returned":
        return rectification_return(item=item, by=u["supervisor"], reason="措施不具体")
    item = rectification_accept_plan(item=item, by=u["office"])
    if stage == "close_requested":
        rectification_report_progress(
            item=item, by=liaison, text="已清退", files=[(pdf(), "凭证.pdf")], done=True
        )
    return item


@pytest.fixture
def busy(world):
    """A working day's worth of everything, for two teams and two units."""
    for unit, team in ((world.unit, world.team), (world.other_unit, world.other_team)):
        urls_for(world, team, unit)  # a finding fed back, a petition, a code, a finished check run
        for stage, days in (("awaiting_plan", 0), ("plan_submitted", 20), ("returned", 20),
                            ("in_progress", -3), ("in_progress", 3), ("in_progress", 30),
                            ("close_requested", 10)):  # fmt: skip
            ledger(world, unit, team, deadline_in=days, stage=stage)
        common = {
            "team": team,
            "round": team.round,
            "unit": unit,
            "recorded_by": world.users["office"],
        }
        for days in (-2, 4, 40):
            ImmediateItem.objects.create(
                **common, description="立改", deadline=TODAY + dt.timedelta(days=days)
            )
        Lead.objects.create(**common, description="线索", handed_to=Receiver.DISCIPLINE,
                            handed_on=TODAY - dt.timedelta(days=60), receiver="李", due_on=TODAY - dt.timedelta(days=1))  # fmt: skip
    return world


def list_count(response) -> int:
    context = response.context
    if "page" in context:
        return context["page"].paginator.count
    return context["rounds"].count()


def entries(client, user) -> list[Entry]:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200 and "欢迎" in response.content.decode()
    return [e for s in response.context["sections"] for e in s.entries]


@pytest.mark.parametrize("role", ["office", "team", "unit", "supervisor", "leader"])
def test_every_number_is_its_lists_count(client, busy, role) -> None:
    numbers = [e for e in entries(client, busy.users[role]) if isinstance(e.count, int)]
    assert numbers and any(e.count for e in numbers), role
    for e in numbers:
        response = client.get(e.url)
        assert response.status_code == 200, (role, e.label, e.url)
        assert list_count(response) == e.count, (role, e.label, e.url)


def counts(client, user) -> dict[str, int | str]:
    return {e.label: e.count for e in entries(client, user)}


def test_what_each_role_is_asked_to_do(client, busy) -> None:
    office = counts(client, busy.users["office"])
    assert office["整改方案待认可"] == 2 and office["销号申请待审核"] == 2
    assert office["已逾期事项"] == 2 and office["逾期未办结的线索"] == 2
    unit = counts(client, busy.users["unit"])
    assert unit["待制定整改措施"] == 3  # one fed back by urls_for, one awaiting, one returned
    assert (
        unit["被退回的事项"] == 1 and unit["整改中、已逾期"] == 1 and unit["整改中、7日内到期"] == 1
    )
    assert unit["本单位未完成的立行立改事项"] == 4  # three here, one from urls_for (overdue)
    team = counts(client, busy.users["team"])
    assert team["待分办"] == 1 and team["已逾期"] == 2 and team["7日内到期"] == 1
    assert any(label.endswith("待核实疑点") for label in team)
    supervisor = counts(client, busy.users["supervisor"])
    assert supervisor["有逾期事项的单位"] == 2 and supervisor["东江街道 逾期事项"] == 1
    leader = counts(client, busy.users["leader"])
    assert leader["整改事项"] == 16 and leader["发现问题"] == 16


def test_the_team_reaches_each_unit_still_to_visit(client, busy) -> None:
    todo = [e for e in entries(client, busy.users["team"]) if e.count == "去开展"]
    assignment = Assignment.objects.get(team=busy.team, unit=busy.unit)
    assert [e.url for e in todo] == [reverse("findings:work", args=[assignment.pk])]
    assert client.get(todo[0].url).status_code == 200


def test_the_leader_reads_findings_and_items_but_no_petition_nor_full_ids(client, world) -> None:
    urls = urls_for(world, world.team, world.unit)
    leader = world.users["leader"]
    client.force_login(leader)
    assert client.get(urls["finding"]).status_code == 200
    page = client.get(urls["item"])
    assert page.status_code == 200 and "<form" not in page.content.decode().split("<main", 1)[1]
    assert client.get(urls["petition"]).status_code in (403, 404)
    assert client.get(urls["suspects"] + "?unmask=1").status_code == 404
    assert not can_unmask(leader, world.team.pk)


@pytest.mark.parametrize("role", ["office", "team", "unit", "supervisor", "leader"])
def test_home_query_count_does_not_grow_with_data(client, world, role) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.users[role])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home")).status_code == 200
        return len(ctx.captured_queries)

    urls_for(world, world.team, world.unit)
    before = queries()
    for days in (-5, 2, 3, 30):
        ledger(world, world.unit, world.team, deadline_in=days, stage="in_progress")
        ledger(world, world.other_unit, world.other_team, deadline_in=days, stage="close_requested")
    urls_for(world, world.other_team, world.other_unit)
    assert queries() == before
