"""The rounds list honours ?year= / ?term= (rounds begun then): the figures page's round
count and the leader home's drill down to as many rounds; the page says which period it
shows; a bad value lists nothing and says why."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from web.factories import TermFactory, team_from
from xuncha.common.home import home_sections
from xuncha.dashboards.selectors import Period, figures


@pytest.fixture
def later(world):
    """Rounds begun in 2023 (world's term) and two in 2027 (a later term), beside the
    world's two of 2024."""
    term = TermFactory(name="第九届（2027—2031年）", start_year=2027, end_year=2031)
    for start, in_term in ((dt.date(2023, 3, 1), world.team.round.term), (dt.date(2027, 3, 1), term),
                           (dt.date(2027, 9, 1), term)):  # fmt: skip
        team_from(in_term, start, days=60)
    return term


def _count(response) -> int:
    assert response.status_code == 200
    return response.context["page"].paginator.count


@pytest.mark.parametrize("role", ["office", "team", "supervisor", "leader"])
def test_the_round_count_drills_down_to_as_many_rounds(client, world, later, role) -> None:
    user = world.users[role]
    client.force_login(user)
    term = world.team.round.term
    for period, query in ((Period.year(2024), {"year": 2024}), (Period.year(2027), {"year": 2027}),
                          (Period.term(later), {"term": later.pk}), (Period.term(term), {"term": term.pk})):  # fmt: skip
        page = client.get(reverse("dashboards:figures"), query).content.decode()
        found = re.search(r'<a id="rounds-total" href="([^"]+)">(\d+)</a>', page)
        assert found is not None
        href, shown = html.unescape(found.group(1)), int(found.group(2))
        assert href.startswith(reverse("planning:rounds"))
        assert shown == figures(user=user, period=period).rounds
        assert _count(client.get(href)) == shown, (role, query)
    # Not vacuous: the team sees its own round only; the others all four of the world's term.
    expected = 1 if role == "team" else 3
    assert _count(client.get(reverse("planning:rounds"), {"term": term.pk})) == expected


def test_a_unit_counts_rounds_without_a_list(client, world) -> None:
    client.force_login(world.users["unit"])
    page = client.get(reverse("dashboards:figures"), {"year": 2024}).content.decode()
    assert '<a id="rounds-total" href="#trend">1</a>' in page


def test_the_leader_homes_round_count_is_the_lists(client, world, later) -> None:
    sections = home_sections(user=world.users["leader"], today=dt.date(2027, 10, 1))
    entry = {e.label: e for e in sections[0].entries}["巡察轮次"]
    assert entry.count == 2 and f"term={later.pk}" in entry.url
    client.force_login(world.users["leader"])
    response = client.get(entry.url)
    assert _count(response) == entry.count
    assert "巡察轮次：第九届（2027—2031年）" in response.content.decode()


def test_a_bad_period_lists_no_round_and_says_why(client, world, later) -> None:
    client.force_login(world.users["office"])
    for query, message in (({"term": 999999}, "所选届期不存在"), ({"term": "x"}, "所选届期不存在"),
                           ({"year": "abcd"}, "年度应为"), ({"year": 99}, "年度应为"),
                           ({"year": 2024, "active": "1", "term": 0}, "所选届期不存在")):  # fmt: skip
        response = client.get(reverse("planning:rounds"), query)
        page = response.content.decode()
        assert _count(response) == 0 and message in page and "筛选条件有误" in page, query
    # Year and "in progress" combine: nothing of 2024 is in progress on the test's today.
    both = client.get(reverse("planning:rounds"), {"year": 2024, "active": "1"})
    assert _count(both) == 0 and "筛选条件有误" not in both.content.decode()
    assert _count(client.get(reverse("planning:rounds"), {"year": 2024})) == 2
