"""Drill-downs added to the figures page (units inspected, amounts by round, coverage,
the units not yet inspected, confirmed suspects) and the leader's home counting the
current term."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from web.factories import (
    FindingFactory,
    TermFactory,
    UnitFactory,
    team_from,
)
from xuncha.common.home import home_sections
from xuncha.dashboards import links
from xuncha.rectifications.models import RectificationItem, Status


def _page(client, user, **query) -> str:
    client.force_login(user)
    response = client.get(reverse("dashboards:figures"), query)
    assert response.status_code == 200
    return response.content.decode()


def _cell(page: str, cell_id: str) -> str:
    found = re.search(rf'<td id="{cell_id}">(.*?)</td>', page, re.S)
    assert found is not None, cell_id
    return found.group(1)


def test_units_inspected_link_to_the_unit_list_of_as_many(client, world) -> None:
    term = world.team.round.term
    # World's two terms share their years; terms in use do not (a year counts the rounds
    # begun in it, a term its coverage: the rounds filed under it): one term for both rounds.
    world.other_team.round.term = term
    world.other_team.round.save()
    office = world.users["office"]
    for query in ({"term": term.pk}, {"year": 2024}):
        cell = _cell(_page(client, office, **query), "units-covered")
        found = re.search(r'<a href="([^"]+)">(\d+) 个</a>', cell)
        assert found is not None, query
        href, shown = html.unescape(found.group(1)), int(found.group(2))
        assert href.startswith(reverse("units:list")) and "inspected=1" in href
        response = client.get(href)
        assert response.status_code == 200
        assert response.context["page"].paginator.count == shown == 2, query
    # The coverage page agrees for the term.
    response = client.get(links.coverage(term.pk))
    assert sum(r.inspected for r in response.context["by_kind"]) == 2
    # A team's figure counts its own units only: no link to the list of everyone's.
    assert "<a" not in _cell(_page(client, world.users["team"], term=term.pk), "units-covered")


def test_round_amounts_link_to_the_findings_they_add_up(client, world) -> None:
    by = world.users["office"]
    for amount in ("100.50", "20.00"):
        FindingFactory(team=world.team, round=world.team.round, unit=world.unit, recorded_by=by,
                       amount=Decimal(amount))  # fmt: skip
    page = _page(client, by, year=2024)
    amounts = re.findall(r'<a href="([^"]+)" class="round-amount">([\d,.]+)</a>', page)
    assert amounts, "no amount link"
    totals = {}
    for href, shown in amounts:
        response = client.get(html.unescape(href))
        assert response.status_code == 200 and "year=2024" in href
        listed = response.context["page"].paginator.object_list.aggregate(s=Sum("amount"))["s"]
        assert Decimal(shown.replace(",", "")) == (listed or Decimal(0)), href
        totals[href] = listed
    assert Decimal("120.50") in totals.values()


def test_uninspected_units_link_to_their_pages_and_counts_to_coverage(client, world) -> None:
    left = UnitFactory(name="未巡镇")
    term = world.team.round.term
    for role in ("office", "leader", "supervisor"):
        page = _page(client, world.users[role], term=term.pk)
        href = reverse("units:detail", args=[left.pk])
        assert f'<a class="uninspected-unit" href="{href}">未巡镇</a>' in page, role
        assert client.get(href).status_code == 200, role
        left_href = links.coverage_units(term.pk, inspected=False)
        assert (
            f'href="{html.escape(left_href)}" id="uninspected-count"' in page
            and 'id="uninspected"' in page
        )
        assert f'href="{html.escape(left_href)}&amp;kind=township" class="cov-remaining"' in page, (
            role
        )


def test_confirmed_suspects_link_only_for_the_inspecting_side(client, world) -> None:
    for role, linked in (
        ("team", True),
        ("office", True),
        ("leader", False),
        ("supervisor", False),
    ):
        page = _page(client, world.users[role], year=2024)
        assert (reverse("checks:index") in _cell(page, "improper")) == linked, role
        # Petitions: the inbox is the inspecting side's too (tests/web/test_petition_drilldown.py).
        assert (reverse("petitions:inbox") in _cell(page, "petitions")) == linked, role


def _leader_entries(world, today: dt.date):
    # The leader's home: the term's work, then the office's monthly task lists.
    sections = home_sections(user=world.users["leader"], today=today)
    assert [s.title for s in sections[1:]] == ["月度任务清单"]
    return sections[0].title, {e.label: e for e in sections[0].entries}


def test_leader_home_counts_the_current_term(client, world) -> None:
    by = world.users["office"]
    term = TermFactory(name="第九届（2027—2031年）", start_year=2027, end_year=2031)
    team = team_from(term, dt.date(2027, 3, 1), world.unit)
    for rnd_team, n in ((team, 2), (world.team, 3)):  # world.team's round began in 2024
        for i in range(n):
            f = FindingFactory(team=rnd_team, round=rnd_team.round, unit=world.unit, recorded_by=by)
            RectificationItem.objects.create(
                finding=f,
                round=rnd_team.round,
                team=rnd_team,
                unit=world.unit,
            )
            if i == 0:
                closed = {"status": Status.CLOSED, "closed_by": by, "closed_at": timezone.now()}
                RectificationItem.objects.filter(finding=f).update(
                    **closed, money_recovered=Decimal("10"))  # fmt: skip
    title, e = _leader_entries(world, dt.date(2027, 6, 1))
    assert title == "本届巡察工作（第九届（2027—2031年））"
    assert (e["巡察轮次"].count, e["发现问题"].count, e["整改事项"].count, e["已销号"].count) == (
        1, 2, 2, 1)  # fmt: skip
    assert e["追回资金（元）"].count == "10.00"
    assert e["追回资金（元）"].url == reverse("dashboards:figures") + f"?term={term.pk}"
    client.force_login(world.users["leader"])
    for label in ("发现问题", "整改事项", "已销号"):
        assert f"term={term.pk}" in e[label].url
        response = client.get(e[label].url)
        assert response.context["page"].paginator.count == e[label].count, label


def test_leader_home_without_a_term_counts_all_time_and_says_so(world) -> None:
    by = world.users["office"]
    for _ in range(2):
        f = FindingFactory(team=world.team, round=world.team.round, unit=world.unit, recorded_by=by)
        RectificationItem.objects.create(finding=f, round=world.team.round, team=world.team,
                                         unit=world.unit)  # fmt: skip
    title, e = _leader_entries(world, dt.date(2019, 6, 1))  # before every term began
    assert title == "全部巡察工作（尚未设置届期）"
    assert e["发现问题"].count == 2 and e["整改事项"].count == 2
    assert "term=" not in e["发现问题"].url
