"""The permission matrix: every role × every model × its own object and another's."""

from __future__ import annotations

import datetime as dt

import pytest

from web.factories import FindingFactory, UserFactory
from xuncha.accounts.access import can, restrict
from xuncha.accounts.models import Role
from xuncha.findings.choices import Receiver
from xuncha.findings.models import Finding, ImmediateItem, Lead, Talk
from xuncha.rectifications.models import RectificationItem
from xuncha.rectifications.services import rectification_create

D = dt.date(2024, 4, 1)

# role -> model -> (own view, own change, other's view, other's change)
EXPECTED = {
    "office": dict.fromkeys(("finding", "talk", "lead", "immediate", "item"), (1, 1, 1, 1)),
    "team": dict.fromkeys(("finding", "talk", "lead", "immediate", "item"), (1, 1, 0, 0)),
    "unit": {"finding": (1, 0, 0, 0), "talk": (0, 0, 0, 0), "lead": (0, 0, 0, 0),
             "immediate": (1, 1, 0, 0), "item": (1, 1, 0, 0)},
    "supervisor": {"finding": (1, 0, 1, 0), "talk": (1, 0, 1, 0), "lead": (0, 0, 0, 0),
                   "immediate": (1, 0, 1, 0), "item": (1, 0, 1, 0)},
    "leader": dict.fromkeys(("finding", "talk", "lead", "immediate", "item"), (0, 0, 0, 0)),
}  # fmt: skip


def objects_of(world, team, unit) -> dict[str, object]:
    by = world.users["office"]
    common = {"team": team, "round": team.round, "unit": unit, "recorded_by": by}
    finding = FindingFactory(**common)
    return {
        "finding": finding,
        "talk": Talk.objects.create(**common, talk_on=D, interviewee="张三", summary="谈话要点"),
        "lead": Lead.objects.create(
            **common,
            description="线索",
            handed_to=Receiver.DISCIPLINE,
            handed_on=D,
            receiver="李",
            due_on=D,
        ),
        "immediate": ImmediateItem.objects.create(**common, description="立改", deadline=D),
        "item": rectification_create(finding=finding, by=by, fed_back_on=D),
    }


@pytest.mark.parametrize("role", list(EXPECTED))
def test_permission_matrix(world, role) -> None:
    own = objects_of(world, world.team, world.unit)
    other = objects_of(world, world.other_team, world.other_unit)
    user = world.users[role]
    for model, expected in EXPECTED[role].items():
        got = (can(user, "view", own[model]), can(user, "change", own[model]),
               can(user, "view", other[model]), can(user, "change", other[model]))  # fmt: skip
        assert got == tuple(map(bool, expected)), (role, model)


def test_a_finding_not_fed_back_is_not_seen_by_the_unit(world) -> None:
    finding = FindingFactory(team=world.team, round=world.team.round, unit=world.unit)
    assert not can(world.users["unit"], "view", finding)


def test_inactive_and_anonymous_see_nothing(world) -> None:
    from django.contrib.auth.models import AnonymousUser

    objects_of(world, world.team, world.unit)
    idle = UserFactory(role=Role.OFFICE, is_active=False)
    for model in (Finding, Talk, Lead, ImmediateItem, RectificationItem):
        assert not restrict(model.objects.all(), idle).exists()
        assert not restrict(model.objects.all(), AnonymousUser()).exists()  # type: ignore[arg-type]
