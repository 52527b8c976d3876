"""The talk list (个别谈话): the figures page's talk count drills down to it, filtered by
the same year or term, and the list counts exactly that; it filters by unit (with its
subordinate units), round and team; bad filters say what is wrong and list nothing; the
leader and a unit get a 404 (they count talks, they do not read them)."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from web.factories import TermFactory, UnitFactory, team_from
from xuncha.dashboards.selectors import Period, figures
from xuncha.findings.models import Talk
from xuncha.planning.services import assignment_add
from xuncha.units.models import UnitKind


def talks(world, team, unit, n: int, name: str = "谈话对象") -> None:
    for i in range(n):
        Talk.objects.create(round=team.round, team=team, unit=unit, recorded_by=world.users["office"],
                            talk_on=team.round.start_date, interviewee=f"{name}{i}", summary="要点")  # fmt: skip


@pytest.fixture
def spread(world):
    """Talks in 2023 and 2024 (world's term, 2022–2026) and in 2027 (a later term)."""
    later = TermFactory(name="第九届（2027—2031年）", start_year=2027, end_year=2031)
    r2027 = team_from(later, dt.date(2027, 3, 1), world.unit)
    r2023 = team_from(world.team.round.term, dt.date(2023, 3, 1), world.unit)
    talks(world, world.team, world.unit, 3)  # 2024, the team user's own
    talks(world, world.other_team, world.other_unit, 2)  # 2024, another team's
    talks(world, r2023, world.unit, 1)
    talks(world, r2027, world.unit, 4)
    return later


def _talk_link(client, user, **period) -> tuple[str, int]:
    client.force_login(user)
    page = client.get(reverse("dashboards:figures"), period).content.decode()
    found = re.search(r'<a id="talks-total" href="([^"]+)">(\d+)</a>', page)
    assert found is not None, page
    return html.unescape(found.group(1)), int(found.group(2))


def _count(response) -> int:
    assert response.status_code == 200
    return response.context["page"].paginator.count


@pytest.mark.parametrize("role", ["office", "team", "supervisor"])
def test_the_talk_count_drills_down_to_a_list_of_as_many(client, world, spread, role) -> None:
    user = world.users[role]
    for period, query in ((Period.year(2024), {"year": 2024}), (Period.year(2023), {"year": 2023}),
                          (Period.term(spread), {"term": spread.pk}),
                          (Period.term(world.team.round.term), {"term": world.team.round.term_id})):  # fmt: skip
        href, shown = _talk_link(client, user, **query)
        (key, value), *_ = query.items()
        assert href.startswith(reverse("findings:talks")) and f"{key}={value}" in href
        assert shown == figures(user=user, period=period).talks
        assert _count(client.get(href)) == shown, (role, query)
    # The team reads its own talks only (2024: its 3, not the other team's 2).
    expected = 3 if role == "team" else 5
    assert _count(client.get(reverse("findings:talks"), {"year": 2024})) == expected


@pytest.mark.parametrize("role", ["leader", "unit"])
def test_the_leader_and_a_unit_count_talks_but_get_no_list(client, world, spread, role) -> None:
    client.force_login(world.users[role])
    page = client.get(reverse("dashboards:figures"), {"year": 2024}).content.decode()
    assert 'id="talks-total"' not in page and reverse("findings:talks") not in page
    assert client.get(reverse("findings:talks")).status_code == 404
    assert client.get(reverse("findings:talks"), {"year": 2024}).status_code == 404


def test_talks_filter_by_unit_with_its_subordinates_round_and_team(client, world) -> None:
    county = UnitFactory(name="清河县", kind=UnitKind.COUNTY)
    village = UnitFactory(name="柳树村", parent=UnitFactory(name="东坪镇", parent=county),
                          kind=UnitKind.VILLAGE)  # fmt: skip
    assignment_add(team=world.team, unit=village)
    talks(world, world.team, village, 2, name="村干部")
    talks(world, world.team, world.unit, 1, name="街道干部")
    talks(world, world.other_team, world.other_unit, 1, name="镇干部")
    client.force_login(world.users["office"])
    url = reverse("findings:talks")
    by_county = client.get(url, {"unit": "清河"})
    assert _count(by_county) == 2 and "村干部0" in by_county.content.decode()
    assert _count(client.get(url, {"round_id": world.other_team.round_id})) == 1
    assert _count(client.get(url, {"team_id": world.team.pk})) == 3
    assert _count(client.get(url, {"team_id": world.team.pk, "unit": "东坪"})) == 2
    assert _count(client.get(url, {"q": "街道"})) == 1
    # Each row opens its unit's work page, where the team records talks.
    assert reverse("findings:work", args=[world.team.assignments.get(unit=village).pk]) in (
        by_county.content.decode())  # fmt: skip


def test_bad_or_forged_filters_list_nothing_and_say_why(client, world, spread) -> None:
    client.force_login(world.users["team"])
    url = reverse("findings:talks")
    for query, message in (
        ({"term": 999999}, "所选届期不存在"),
        ({"term": "abc"}, "所选届期不存在"),
        ({"year": "20x4"}, "年度应为 1990—2100 之间的四位数字"),
        ({"year": 1800}, "年度应为 1990—2100 之间的四位数字"),
        # Another team's round and team: not offered, refused, nothing of theirs listed.
        ({"round_id": world.other_team.round_id}, "所选轮次不存在或您无权查看"),
        ({"team_id": world.other_team.pk}, "所选巡察组不存在或您无权查看"),
    ):
        response = client.get(url, query)
        page = response.content.decode()
        assert _count(response) == 0, query
        assert message in page and "筛选条件有误" in page, query
        assert "谈话对象0" not in page, query
