"""Planning pages: the office creates a round, a team, adds members and units;
回避 and other refusals are shown as messages and change nothing."""

from __future__ import annotations

from django.urls import reverse

from web.factories import CadreFactory, TermFactory, UnitFactory
from xuncha.planning.models import Assignment, Round, Team, TeamMember
from xuncha.units.models import UnitKind
from xuncha.units.services import unit_create


def test_office_plans_a_round(client, world) -> None:
    term = TermFactory()
    client.force_login(world.users["office"])
    r = client.post(reverse("planning:round_new"), {"term": term.pk, "number": 3, "name": "第三轮巡察",
                    "kind": "routine", "start_date": "2024-09-01", "end_date": "2024-11-30"})  # fmt: skip
    rnd = Round.objects.get(name="第三轮巡察")
    assert r.url == reverse("planning:round", args=[rnd.pk])

    def act(action, **data):
        return client.post(
            reverse("planning:round_action", args=[rnd.pk, action]), data, follow=True
        )

    act("team", name="第一巡察组")
    team = Team.objects.get(round=rnd)
    county = unit_create(name="苏仙区", code="431003", kind=UnitKind.COUNTY)
    town = unit_create(name="五里牌镇", code="431003100", kind=UnitKind.TOWNSHIP, parent=county)
    local = CadreFactory(name="本地干部", home_unit=town)
    act("member", team=team.pk, cadre=CadreFactory(name="王组长").pk, role="leader")
    act("member", team=team.pk, cadre=local.pk, role="member")
    page = act("assign", team=team.pk, unit=county.pk, kind="routine").content.decode()
    assert "回避" in page and not Assignment.objects.filter(team=team).exists()
    TeamMember.objects.filter(cadre=local).delete()
    act("assign", team=team.pk, unit=county.pk, kind="routine")
    page = client.get(reverse("planning:round", args=[rnd.pk])).content.decode()
    assert "王组长（组长" in page and "苏仙区</a>（常规巡察）" in page
    # Duplicate round number and reversed dates are refused with a message.
    r = client.post(reverse("planning:round_new"), {"term": term.pk, "number": 3, "name": "重复",
                    "kind": "routine", "start_date": "2024-12-01", "end_date": "2024-11-30"})  # fmt: skip
    assert r.status_code == 400 and "结束日期不能早于进驻日期" in r.content.decode()
    cov = client.get(reverse("planning:coverage", args=[term.pk])).content.decode()
    assert "苏仙区" in cov


def test_only_the_office_plans(client, world) -> None:
    term = TermFactory()
    for role in ("team", "unit", "supervisor", "leader"):
        client.force_login(world.users[role])
        r = client.post(reverse("planning:round_new"), {"term": term.pk, "number": 9, "name": "x",
                        "kind": "routine", "start_date": "2024-09-01", "end_date": "2024-11-30"})  # fmt: skip
        assert r.status_code == 400 and "只有巡察办" in r.content.decode()
    client.force_login(world.users["team"])
    rnd = world.team.round
    page = client.post(reverse("planning:round_action", args=[rnd.pk, "assign"]),
                       {"team": world.team.pk, "unit": UnitFactory().pk, "kind": "routine"}, follow=True)  # fmt: skip
    assert "只有巡察办" in page.content.decode()
    client.force_login(world.users["other_team"])
    assert client.get(reverse("planning:round", args=[rnd.pk])).status_code == 404
