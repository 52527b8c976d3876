"""Fixtures for the workbench: one user per role, a team with a member, a unit; headless
Chromium at desktop size (``browser``) and at phone size (``phone``)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from web.chromium import chrome
from web.factories import CadreFactory, TeamFactory, UnitFactory, UserFactory
from xuncha.accounts.models import Role, User
from xuncha.planning.models import Team
from xuncha.planning.services import assignment_add, team_member_add
from xuncha.units.models import Unit


@dataclass
class World:
    unit: Unit
    other_unit: Unit
    team: Team
    other_team: Team
    users: dict[str, User]  # office, team, other_team, unit, other_unit, supervisor, leader


@pytest.fixture
def world(db) -> World:
    unit, other_unit = UnitFactory(name="东江街道"), UnitFactory(name="五里牌镇")
    team, other_team = TeamFactory(name="第一巡察组"), TeamFactory(name="第二巡察组")
    users = {
        "office": UserFactory(role=Role.OFFICE),
        "team": UserFactory(role=Role.TEAM),
        "other_team": UserFactory(role=Role.TEAM),
        "unit": UserFactory(role=Role.UNIT, unit=unit),
        "other_unit": UserFactory(role=Role.UNIT, unit=other_unit),
        "supervisor": UserFactory(role=Role.SUPERVISOR),
        "leader": UserFactory(role=Role.LEADER),
    }
    for t, key in ((team, "team"), (other_team, "other_team")):
        team_member_add(team=t, cadre=CadreFactory(user=users[key]))
    assignment_add(team=team, unit=unit)
    assignment_add(team=other_team, unit=other_unit)
    return World(unit, other_unit, team, other_team, users)


@pytest.fixture
def browser():
    """Headless Chromium in a desktop window (drive it with :class:`web.chromium.Page`)."""
    driver = chrome()
    yield driver
    driver.quit()


@pytest.fixture
def phone():
    """Headless Chromium as a phone: a 390 px wide touch screen."""
    driver = chrome(phone=True)
    yield driver
    driver.quit()
