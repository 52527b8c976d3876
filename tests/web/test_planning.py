"""Teams and assignments: 回避 both ways, one team per unit and round, one leader."""

from __future__ import annotations

import pytest

from web.factories import CadreFactory, TeamFactory, UnitFactory
from xuncha.common.errors import ServiceError
from xuncha.planning.models import MemberRole
from xuncha.planning.services import assignment_add, team_member_add
from xuncha.units.models import UnitKind
from xuncha.units.services import unit_create


@pytest.fixture
def county(db):
    county = unit_create(name="苏仙区", code="431003", kind=UnitKind.COUNTY)
    town = unit_create(name="五里牌镇", code="431003100", kind=UnitKind.TOWNSHIP, parent=county)
    village = unit_create(name="某某村", code="431003100201", kind=UnitKind.VILLAGE, parent=town)
    return county, town, village


def test_county_is_derived(county) -> None:
    c, town, village = county
    assert (c.county, town.county, village.county) == (c, c, c)


@pytest.mark.parametrize("home_index", [0, 1, 2])
def test_member_from_the_inspected_line_is_refused(county, home_index) -> None:
    """Own unit, a unit above it, a unit below it: all conflicts (the town is inspected)."""
    team = TeamFactory()
    assignment_add(team=team, unit=county[1])
    with pytest.raises(ServiceError, match="回避"):
        team_member_add(team=team, cadre=CadreFactory(home_unit=county[home_index]))
    assert not team.members.exists()


def test_assigning_a_members_unit_is_refused(county) -> None:
    team = TeamFactory()
    team_member_add(team=team, cadre=CadreFactory(home_unit=county[2]))
    with pytest.raises(ServiceError, match="回避"):
        assignment_add(team=team, unit=county[0])
    assert not team.assignments.exists()
    assignment_add(team=team, unit=UnitFactory())  # an unrelated unit is fine


def test_one_team_per_unit_and_round(county) -> None:
    a = TeamFactory()
    b = TeamFactory(round=a.round)
    assignment_add(team=a, unit=county[2])
    with pytest.raises(ServiceError, match="已分配"):
        assignment_add(team=b, unit=county[2])


def test_one_leader_per_team(db) -> None:
    team = TeamFactory()
    team_member_add(team=team, cadre=CadreFactory(), role=MemberRole.LEADER)
    with pytest.raises(ServiceError, match="组长"):
        team_member_add(team=team, cadre=CadreFactory(), role=MemberRole.LEADER)
