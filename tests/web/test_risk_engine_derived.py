"""Derived indicators: from petitions, findings, rectification items and assignments,
per unit and year, with the query named as the source; a refresh replaces the year's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from web.factories import FindingFactory, TermFactory, UnitFactory, UserFactory, team_from
from xuncha.accounts.models import Role
from xuncha.common.errors import PermissionDenied
from xuncha.petitions.models import Channel, Petition
from xuncha.petitions.services import Content, petition_record
from xuncha.rectifications.models import RectificationItem, Status
from xuncha.risk import derived
from xuncha.risk.models import IndicatorValue
from xuncha.units.models import UnitKind

pytestmark = pytest.mark.django_db


def _values(unit, year):
    return {v.indicator.code: v.value
            for v in IndicatorValue.objects.filter(unit=unit, year=year).select_related("indicator")}  # fmt: skip


def test_refresh_derives_from_own_records():
    office = UserFactory(role=Role.OFFICE)
    a = UnitFactory(kind=UnitKind.VILLAGE, name="甲村")
    b = UnitFactory(kind=UnitKind.VILLAGE, name="乙村")
    team = team_from(TermFactory(), dt.date(2023, 4, 1), a)
    later = team_from(team.round.term, dt.date(2026, 4, 1), b)  # after the year: not counted
    f1, f2 = (FindingFactory(team=team, round=team.round, unit=a, amount=Decimal("25000"))
              for _ in range(2))  # fmt: skip
    FindingFactory(team=later, round=later.round, unit=b, amount=Decimal("1"))
    for i, f in enumerate((f1, f2)):
        item = RectificationItem.objects.create(finding=f, round=team.round, team=team, unit=a)
        if i == 0:
            RectificationItem.objects.filter(pk=item.pk).update(
                status=Status.CLOSED, closed_by=office, closed_at=timezone.now()
            )
    petitions = [
        petition_record(team=team, by=office, channel=Channel.LETTER, received_on=day,
                        content=Content(what="反映村务问题"), identity=None, unit_id=a.pk)[0]
        for day in (dt.date(2025, 3, 10), dt.date(2025, 5, 1), dt.date(2024, 1, 5))
    ]  # fmt: skip
    Petition.objects.filter(pk=petitions[2].pk).update(finding=f1)
    Petition.objects.filter(pk=petitions[1].pk).update(duplicate_of=petitions[0])

    with pytest.raises(PermissionDenied):
        derived.refresh(2025, by=UserFactory(role=Role.TEAM))
    n = derived.refresh(2025, by=office)
    assert _values(a, 2025) == {
        "petitions_received": 1.0, "petitions_to_findings": 1.0, "findings_past": 2.0,
        "findings_money": 5.0, "rectification_rate": 50.0, "years_since_inspection": 2.0,
    }  # fmt: skip
    assert _values(b, 2025) == {"years_since_inspection": derived.NEVER_INSPECTED}
    assert n == 7
    source = IndicatorValue.objects.get(unit=a, year=2025, indicator__code="findings_money").source
    assert "巡察问题" in source and "2025年" in source
    assert derived.refresh(2025) == n and IndicatorValue.objects.filter(year=2025).count() == n
    derived.refresh(2026)
    assert _values(b, 2026)["years_since_inspection"] == 0.0
    assert _values(a, 2026)["years_since_inspection"] == 3.0


def test_assessment_grade_from_the_latest_complete_assessment(world):
    from web.supervision_world import closed_item, small_system
    from xuncha.supervision import assessment as scoring
    from xuncha.supervision.models import Score

    closed_item(world)
    opened = scoring.assessment_create(name="整改评估", version=small_system(world),
                                       round=world.team.round, by=world.users["supervisor"],
                                       today=timezone.localdate())  # fmt: skip
    year = Score.objects.filter(assessment=opened).first().created_at.year
    derived.refresh(year)
    assert "assessment_grade" not in _values(world.unit, year)  # not every item scored yet
    manual = Score.objects.get(
        assessment=opened, unit=world.unit, indicator__name="整改工作组织有力"
    )

    def score(points: int) -> float:
        s = Score.objects.get(pk=manual.pk)
        scoring.score_save(score=s, by=world.users["supervisor"], version=s.version,
                           indicator_version_id=opened.indicator_version_id, points=Decimal(points))  # fmt: skip
        derived.refresh(year)
        return _values(world.unit, year)["assessment_grade"]

    # completion rate pre-filled 60 of 60 (its one item closed), no veto: 60 + 30 = 90, 好
    assert score(30) == 1.0
    assert score(5) == 3.0  # 65: 一般 (60 ≤ total < 80)
