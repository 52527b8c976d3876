"""The demo city: every state present, the Yiyang figure exact, one account per role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from xuncha.accounts.access import restrict
from xuncha.accounts.models import Role, User
from xuncha.common.errors import ServiceError
from xuncha.demo.workbench import PASSWORD, seed_city
from xuncha.planning.models import Assignment, TeamMember
from xuncha.rectifications.models import DueState, RectificationItem, Status
from xuncha.rectifications.selectors import completion
from xuncha.units.models import RiskLevel, Unit, UnitKind
from xuncha.units.selectors import in_conflict

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def city(db):
    return seed_city(today=TODAY)


def test_the_city(city) -> None:
    assert city.units == Unit.objects.count() > 100
    villages = Unit.objects.filter(kind=UnitKind.VILLAGE)
    levels = {level: villages.filter(risk_level=level).count() for level in RiskLevel.values}
    assert levels["general"] > levels["watch"] > levels["high"] > 0
    statuses = set(RectificationItem.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    states = {i.due_state(TODAY) for i in RectificationItem.objects.all()}
    assert {DueState.OVERDUE, DueState.DUE_SOON, DueState.CLOSED} <= states
    reopened = [i for i in RectificationItem.objects.filter(status=Status.IN_PROGRESS)
                if i.history.filter(status=Status.CLOSED).exists()]  # fmt: skip
    assert reopened
    covered = Assignment.objects.values("unit").distinct().count()
    assert 0 < covered < city.units  # some units still wait for a round


def test_yiyang_figure(city) -> None:
    office = User.objects.get(username=city.accounts["office"])
    row = completion(user=office, unit_id=city.yiyang_unit_id)[0]
    assert (row.total, row.closed, row.rate) == (43, 40, Decimal("93.02"))


def test_accounts_and_what_they_see(city) -> None:
    for role in Role.values:
        user = User.objects.get(username=city.accounts[role])
        assert user.role == role and user.check_password(PASSWORD)
    team = User.objects.get(username=city.accounts["team"])
    assert restrict(RectificationItem.objects.all(), team).exists()
    unit = User.objects.get(username=city.accounts["unit"])
    seen = restrict(RectificationItem.objects.all(), unit)
    assert seen.exists() and set(seen.values_list("unit_id", flat=True)) == {unit.unit_id}


def test_avoidance_respected_and_no_second_seed(city) -> None:
    for member in TeamMember.objects.select_related("cadre__home_unit", "team"):
        for a in Assignment.objects.filter(team=member.team).select_related("unit"):
            assert not in_conflict(member.cadre.home_unit, a.unit)
    before = RectificationItem.objects.count()
    with pytest.raises(ServiceError):
        seed_city(today=TODAY)
    assert RectificationItem.objects.count() == before
