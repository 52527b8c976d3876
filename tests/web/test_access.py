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
    # The leader reads every finding and ledger item, changes nothing, and sees no talks,
    # leads or immediate items (nor petitions or cross-checks).
    "leader": {"finding": (1, 0, 1, 0), "talk": (0, 0, 0, 0), "lead": (0, 0, 0, 0),
               "immediate": (0, 0, 0, 0), "item": (1, 0, 1, 0)},
}  # fmt: skip

# role -> named action -> (on own object, on another's): declared once in access.ACTIONS.
ACTION_MATRIX = {
    "office": {"rectification.plan": (1, 1), "rectification.accept": (1, 1), "rectification.return": (1, 1),
               "rectification.progress": (0, 0), "rectification.close": (1, 1), "rectification.reopen": (1, 1),
               "immediate.report": (0, 0), "immediate.done": (1, 1)},
    "team": {"rectification.plan": (0, 0), "rectification.accept": (0, 0), "rectification.return": (0, 0),
             "rectification.progress": (0, 0), "rectification.close": (1, 0), "rectification.reopen": (0, 0),
             "immediate.report": (0, 0), "immediate.done": (1, 0)},
    "unit": {"rectification.plan": (1, 0), "rectification.accept": (0, 0), "rectification.return": (0, 0),
             "rectification.progress": (1, 0), "rectification.close": (0, 0), "rectification.reopen": (0, 0),
             "immediate.report": (1, 0), "immediate.done": (0, 0)},
    "supervisor": {"rectification.plan": (0, 0), "rectification.accept": (0, 0), "rectification.return": (1, 1),
                   "rectification.progress": (0, 0), "rectification.close": (0, 0), "rectification.reopen": (0, 0),
                   "immediate.report": (0, 0), "immediate.done": (0, 0)},
    "leader": {"rectification.plan": (0, 0), "rectification.accept": (0, 0), "rectification.return": (0, 0),
               "rectification.progress": (0, 0), "rectification.close": (0, 0), "rectification.reopen": (0, 0),
               "immediate.report": (0, 0), "immediate.done": (0, 0)},
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


@pytest.mark.parametrize("role", list(ACTION_MATRIX))
def test_named_actions(world, role) -> None:
    own = objects_of(world, world.team, world.unit)
    other = objects_of(world, world.other_team, world.other_unit)
    user = world.users[role]
    for action, expected in ACTION_MATRIX[role].items():
        target = "immediate" if action.startswith("immediate.") else "item"
        got = (can(user, action, own[target]), can(user, action, other[target]))
        assert got == tuple(map(bool, expected)), (role, action)


def test_every_declared_action_is_in_the_matrix() -> None:
    from xuncha.accounts.access import ACTIONS

    tested = {a for row in ACTION_MATRIX.values() for a in row}
    assert tested <= set(ACTIONS)
    assert {a for a in ACTIONS if a.startswith(("rectification.", "immediate."))} - tested == {
        "rectification.feed_back"
    }


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


# role -> the role-only actions it may take (access.allowed); every other one is refused.
ROLE_ONLY = {
    "office": {"plan.manage", "units.list", "units.export", "units.manage", "coverage.read", "petitions.open"},
    "team": {"units.list", "coverage.read", "petitions.open"},
    "unit": set(),
    "supervisor": {"units.list", "units.export", "coverage.read"},
    "leader": {"units.list", "units.export", "coverage.read"},
}  # fmt: skip


@pytest.mark.parametrize("role", list(ROLE_ONLY))
def test_role_only_actions(world, role) -> None:
    from xuncha.accounts.access import ACTIONS, allowed

    names = {a for a in ACTIONS if a.split(".")[0] in ("plan", "units", "coverage", "petitions")}
    got = {a for a in names if allowed(world.users[role], a)}
    assert got == ROLE_ONLY[role]
