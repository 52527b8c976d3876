"""受理信访举报 and 信访转为问题 drill down to the inbox filtered by the same year or term
(and "turned into a finding"), which counts exactly the figure; only the office and the
receiving team get the links (petition content stays out of the leader's reach)."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from web.factories import TermFactory, team_from
from xuncha.dashboards.selectors import Period, figures
from xuncha.petitions.models import Channel
from xuncha.petitions.services import Content, petition_record, petition_to_finding


def petitions(world, team, unit, n: int, to_findings: int = 0) -> None:
    for i in range(n):
        petition, _ = petition_record(team=team, by=world.users["office"], channel=Channel.LETTER,
                                      received_on=team.round.start_date, unit_id=unit.pk,
                                      content=Content(what=f"反映问题{i}"), identity=None)  # fmt: skip
        if i < to_findings:
            petition_to_finding(petition=petition, by=world.users["office"], category="corruption",
                                subcategory="corruption.style", description=f"信访问题{i}")  # fmt: skip


@pytest.fixture
def spread(world):
    """Petitions of 2024 (two teams), 2023 (world's term) and 2019 (an earlier term):
    received on their round's first day (a receipt date may not be in the future)."""
    earlier = TermFactory(name="第七届（2017—2021年）", start_year=2017, end_year=2021)
    r2019 = team_from(earlier, dt.date(2019, 3, 1), world.unit)
    r2023 = team_from(world.team.round.term, dt.date(2023, 3, 1), world.unit)
    petitions(world, world.team, world.unit, 4, to_findings=2)
    petitions(world, world.other_team, world.other_unit, 3, to_findings=1)
    petitions(world, r2023, world.unit, 2, to_findings=2)
    petitions(world, r2019, world.unit, 5, to_findings=1)
    return earlier


def _links(client, user, **period) -> dict[str, tuple[str, int]]:
    client.force_login(user)
    page = client.get(reverse("dashboards:figures"), period).content.decode()
    found = {}
    for cell in ("petitions", "petitions-to-findings"):
        content = re.search(rf'<td id="{cell}">(.*?)</td>', page, re.S)
        assert content is not None, cell
        link = re.search(r'<a href="([^"]+)">(\d+)</a>', content.group(1))
        if link:
            found[cell] = (html.unescape(link.group(1)), int(link.group(2)))
    return found


def _count(response) -> int:
    assert response.status_code == 200
    return response.context["page"].paginator.count


@pytest.mark.parametrize("role", ["office", "team"])
def test_petition_figures_drill_down_to_as_many_in_the_inbox(client, world, spread, role) -> None:
    user = world.users[role]
    term = world.team.round.term
    for period, query in ((Period.year(2024), {"year": 2024}), (Period.year(2023), {"year": 2023}),
                          (Period.term(spread), {"term": spread.pk}),
                          (Period.term(term), {"term": term.pk})):  # fmt: skip
        f = figures(user=user, period=period)
        found = _links(client, user, **query)
        assert found["petitions"][1] == f.petitions
        assert found["petitions-to-findings"][1] == f.petitions_to_findings
        for href, shown in found.values():
            assert href.startswith(reverse("petitions:inbox"))
            assert _count(client.get(href)) == shown, (role, query, href)
    # Not vacuous: the team counts its own 4 (2 turned into findings), the office all 2024's.
    own, office = _links(client, user, year=2024), (7, 3)
    assert (own["petitions"][1], own["petitions-to-findings"][1]) == (
        (4, 2) if role == "team" else office
    )


def test_the_channel_chart_links_to_the_inbox_by_channel(client, world, spread) -> None:
    for role, linked in (("office", True), ("leader", False)):
        client.force_login(world.users[role])
        response = client.get(reverse("dashboards:figures"), {"year": 2024})
        chart = response.context["charts"]["by_channel"]
        assert bool(chart["links"]) == linked, role
        if not linked:
            continue
        for href, n in zip(chart["links"], chart["series"][0]["values"], strict=True):
            assert f"channel={Channel.LETTER}" not in href or n == 7
            assert _count(client.get(href)) == n, href


@pytest.mark.parametrize("role", ["leader", "supervisor", "unit"])
def test_petition_counts_stay_plain_numbers_for_others(client, world, spread, role) -> None:
    assert _links(client, world.users[role], year=2024) == {}
    assert client.get(reverse("petitions:inbox"), {"year": 2024}).status_code == 403


def test_bad_period_in_the_inbox_lists_nothing_and_says_why(client, world, spread) -> None:
    client.force_login(world.users["office"])
    url = reverse("petitions:inbox")
    for query, message in (({"term": 999999}, "所选届期不存在"), ({"year": "二〇二四"}, "年度应为"),
                           ({"year": 3000, "to_finding": "1"}, "年度应为")):  # fmt: skip
        response = client.get(url, query)
        page = response.content.decode()
        assert _count(response) == 0 and message in page and "筛选条件有误" in page, query
    # The filter shows what it is filtering by.
    page = client.get(url, {"term": spread.pk, "to_finding": "1"}).content.decode()
    assert "第七届（2017—2021年）" in page and "已转为问题" in page
