"""The figures page on the demo city: it opens on the latest year with data, and the
term's ranking shows the seed's Yiyang figure (40 of 43 closed out, 93.02%) with a
drill-down to exactly those 43 ledger items."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import reverse

from web.demo_world import TODAY, DemoStack
from xuncha.accounts.models import Role, User
from xuncha.dashboards.selectors import Period, default_period, ranking
from xuncha.demo.city import DemoCity
from xuncha.planning.models import Term
from xuncha.units.models import Unit

pytestmark = pytest.mark.demo_city()


@pytest.fixture(scope="module")
def city(demo_city: DemoStack) -> Iterator[DemoCity]:
    """The session's demo city, nothing over it (web.demo_world)."""
    with demo_city.module():
        yield demo_city.city


def _user(city: DemoCity, role: Role) -> User:
    return User.objects.get(username=city.accounts[role.value])


def test_opens_on_the_latest_year_with_data(city, db) -> None:
    leader = _user(city, Role.LEADER)
    assert default_period(user=leader, today=TODAY) == Period.year(2025)


def test_term_ranking_shows_the_seed_figure(city, db, client) -> None:
    term = Term.objects.get()
    leader, office = _user(city, Role.LEADER), _user(city, Role.OFFICE)
    rows = {c.key: c for c in ranking(user=leader, period=Period.term(term))}
    yiyang = rows[city.yiyang_unit_id]
    assert (yiyang.total, yiyang.closed, str(yiyang.rate)) == (43, 40, "93.02")
    client.force_login(office)
    page = client.get(reverse("dashboards:figures"), {"term": term.pk}).content.decode()
    name = Unit.objects.get(pk=city.yiyang_unit_id).name
    row = re.search(rf"<td>{re.escape(name)}</td>\s*<td><a class=\"unit-total\" href=\"([^\"]+)\">43</a>"
                    r".*?<td>93\.02%</td>", page, re.S)  # fmt: skip
    assert row, "益阳的排名行应为 43 项、93.02%"
    listed = client.get(row.group(1).replace("&amp;", "&"))
    assert listed.context["page"].paginator.count == 43
