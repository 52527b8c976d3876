"""The units list by coverage (?term=&inspected=0|1, ?year=&inspected=1): 巡察单位 N 个,
已巡察, 尚未巡察 and each coverage table row on the figures page drill down to a list of
exactly as many units; the short list of units still to inspect links to all of them;
bad values say what is wrong and list nothing."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from web.factories import TermFactory, UnitFactory, team_from
from xuncha.dashboards import views as figure_views
from xuncha.dashboards.selectors import Period, coverage_term, figures
from xuncha.planning.selectors import coverage, uninspected
from xuncha.units.models import UnitKind


@pytest.fixture
def terms(world):
    """World's term (2022–2026) with rounds begun in 2024 (both world teams) and 2023, and
    a later term with a 2027 round; eight units, some never inspected."""
    term = world.team.round.term
    world.other_team.round.term = term  # world's two rounds in one term (see test_figures_links)
    world.other_team.round.save()
    later = TermFactory(name="第九届（2027—2031年）", start_year=2027, end_year=2031)
    villages = [UnitFactory(name=f"村{i}", kind=UnitKind.VILLAGE) for i in range(6)]
    team_from(term, dt.date(2023, 3, 1), *villages[:2])
    team_from(later, dt.date(2027, 3, 1), villages[1], villages[2], world.unit)
    return term, later


def _page(client, user, **query) -> str:
    client.force_login(user)
    response = client.get(reverse("dashboards:figures"), query)
    assert response.status_code == 200
    return response.content.decode()


def _count(client, href: str) -> int:
    response = client.get(html.unescape(href))
    assert response.status_code == 200, href
    return response.context["page"].paginator.count


@pytest.mark.parametrize("role", ["office", "leader", "supervisor"])
def test_units_inspected_drill_down_to_as_many_units(client, world, terms, role) -> None:
    term, later = terms
    user = world.users[role]
    for period, query in ((Period.year(2024), {"year": 2024}), (Period.year(2023), {"year": 2023}),
                          (Period.term(term), {"term": term.pk}), (Period.term(later), {"term": later.pk})):  # fmt: skip
        page = _page(client, user, **query)
        cell = re.search(r'<td id="units-covered"><a href="([^"]+)">(\d+) 个</a></td>', page)
        assert cell is not None, query
        shown = int(cell.group(2))
        assert shown == figures(user=user, period=period).units_covered
        assert _count(client, cell.group(1)) == shown, (role, query)
    # Not vacuous: 2024 has the world's two units, the term those and two villages.
    assert figures(user=user, period=Period.year(2024)).units_covered == 2
    assert figures(user=user, period=Period.term(term)).units_covered == 4


@pytest.mark.parametrize("role", ["office", "leader", "supervisor", "team"])
def test_coverage_counts_drill_down_to_as_many_units(client, world, terms, role) -> None:
    term, later = terms
    for period, query in ((Period.term(term), {"term": term.pk}), (Period.term(later), {"term": later.pk}),
                          (Period.year(2024), {"year": 2024})):  # fmt: skip
        shown_term = coverage_term(period)  # a year shows the coverage of a term it is in
        assert shown_term is not None
        page = _page(client, world.users[role], **query)
        left = re.search(r'<a href="([^"]+)" id="uninspected-count">(\d+)</a>', page)
        done = re.search(r'<a href="([^"]+)" id="inspected-count">(\d+)</a>', page)
        assert left is not None and done is not None, query
        assert (
            int(left.group(2))
            == uninspected(term=shown_term).count()
            == _count(client, left.group(1))
        )
        assert int(done.group(2)) == _count(client, done.group(1))
        # Each row of the coverage tables: inspected and remaining, by kind, county and risk.
        rows = re.findall(r'<a href="([^"]+)" class="cov-(inspected|remaining)">(\d+)</a>', page)
        assert rows, query
        for href, _, n in rows:
            assert _count(client, href) == int(n), href
    by_kind = {r.key: r for r in coverage(term=later, by="kind")}
    assert (by_kind[UnitKind.VILLAGE].inspected, by_kind[UnitKind.VILLAGE].remaining) == (2, 4)


def test_the_short_list_of_uninspected_units_links_to_all(
    client, world, terms, monkeypatch
) -> None:
    term, _ = terms
    office = world.users["office"]
    assert 'id="uninspected-all"' not in _page(client, office, term=term.pk)  # all listed
    monkeypatch.setattr(figure_views, "UNINSPECTED_SHOWN", 2)
    page = _page(client, office, term=term.pk)
    found = re.search(r'列出前 2 个，<a href="([^"]+)" id="uninspected-all">查看全部</a>', page)
    assert found is not None
    assert _count(client, found.group(1)) == uninspected(term=term).count() > 2
    listed = client.get(html.unescape(found.group(1))).content.decode()
    assert f"{term.name}尚未巡察" in listed and "村5" in listed and "村0" not in listed


def test_bad_coverage_filters_list_nothing_and_say_why(client, world, terms) -> None:
    client.force_login(world.users["office"])
    url = reverse("units:list")
    for query, message in (
        ({"term": 999999, "inspected": "0"}, "所选届期不存在"),
        ({"term": "1 OR 1=1", "inspected": "1"}, "所选届期不存在"),
        ({"term": terms[0].pk, "inspected": "2"}, "巡察情况只能选"),
        ({"term": terms[0].pk}, "请选择“已巡察”或“尚未巡察”"),
        ({"year": "24", "inspected": "1"}, "年度应为"),
    ):
        response = client.get(url, query)
        page = response.content.decode()
        assert response.context["page"].paginator.count == 0, query
        assert message in page and "筛选条件有误" in page, query
    # A unit account has no unit list, filtered or not.
    client.force_login(world.users["unit"])
    assert client.get(url, {"term": terms[0].pk, "inspected": "0"}).status_code == 404
