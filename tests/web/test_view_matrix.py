"""Every role × every object page × its own object and another's: 200 or 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from web.factories import FindingFactory
from xuncha.planning.models import Assignment
from xuncha.rectifications.services import rectification_create

# page -> role -> (own, other)
EXPECTED = {
    "finding": {"office": (200, 200), "team": (200, 404), "unit": (200, 404), "supervisor": (200, 200), "leader": (404, 404)},
    "item": {"office": (200, 200), "team": (200, 404), "unit": (200, 404), "supervisor": (200, 200), "leader": (404, 404)},
    "work": {"office": (200, 200), "team": (200, 404), "unit": (404, 404), "supervisor": (200, 200), "leader": (404, 404)},
    "round": {"office": (200, 200), "team": (200, 404), "unit": (404, 404), "supervisor": (200, 200), "leader": (404, 404)},
}  # fmt: skip


def urls_for(world, team, unit) -> dict[str, str]:
    finding = FindingFactory(team=team, round=team.round, unit=unit)
    item = rectification_create(
        finding=finding, by=world.users["office"], fed_back_on=dt.date(2024, 4, 1)
    )
    assignment = Assignment.objects.get(team=team, unit=unit)
    return {
        "finding": reverse("findings:detail", args=[finding.pk]),
        "item": reverse("rectifications:detail", args=[item.pk]),
        "work": reverse("findings:work", args=[assignment.pk]),
        "round": reverse("planning:round", args=[team.round.pk]),
    }


@pytest.mark.parametrize("role", ["office", "team", "unit", "supervisor", "leader"])
def test_object_pages(client, world, role) -> None:
    own = urls_for(world, world.team, world.unit)
    other = urls_for(world, world.other_team, world.other_unit)
    client.force_login(world.users[role])
    for page, by_role in EXPECTED.items():
        got = (client.get(own[page]).status_code, client.get(other[page]).status_code)
        assert got == by_role[role], (role, page)


@pytest.mark.parametrize("role", ["office", "team", "unit", "supervisor", "leader"])
def test_list_pages_load_for_every_role(client, world, role) -> None:
    client.force_login(world.users[role])
    for name in (
        "home",
        "findings:list",
        "rectifications:list",
        "planning:rounds",
        "dashboards:figures",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    expected = 404 if role == "unit" else 200
    assert client.get(reverse("units:list")).status_code == expected
