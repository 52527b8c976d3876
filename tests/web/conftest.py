"""Fixtures for the workbench: one user per role, a team with a member, a unit; headless
Chromium at desktop size (``browser``) and at phone size (``phone``); the demo city
seeded once for the session (``demo_city``, see :mod:`web.demo_world`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from web.chromium import chrome
from web.demo_world import DemoStack
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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "demo_city(*layers): the test reads the shared demo city with these layers over it "
        "(web.demo_world.LAYERS); such tests run last, grouped by their layers",
    )


@pytest.hookimpl(trylast=True)  # after pytest-django's own ordering
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests on the shared demo city last: its transaction stays open until the
    session ends, and any test after them would find the city in its database."""
    shared = [item for item in items if "demo_city" in getattr(item, "fixturenames", ())]
    if not shared:
        return
    for item in shared:
        marker = item.get_closest_marker("django_db")
        fixtures = set(getattr(item, "fixturenames", ()))
        if {"transactional_db", "live_server"} & fixtures or (
            marker is not None
            and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
        ):
            raise pytest.UsageError(
                f"{item.nodeid}: a transactional test cannot use the shared demo city "
                "(it would flush it); seed a city of its own"
            )
    rest = [item for item in items if "demo_city" not in getattr(item, "fixturenames", ())]

    def layers(item: pytest.Item) -> tuple[str, ...]:
        marker = item.get_closest_marker("demo_city")
        return tuple(marker.args) if marker else ()

    items[:] = rest + sorted(shared, key=lambda item: (layers(item), str(item.path)))


@pytest.fixture(scope="session")
def demo_city(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoStack]:
    """The demo city, seeded once and rolled back when the session ends; a module takes
    its layers over it with ``demo_city.module(...)`` (see :mod:`web.demo_world`)."""
    stack = DemoStack(django_db_blocker)
    yield stack
    stack.close()
