"""The figures page counts exactly what the data holds, for a year or a term."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
from django.urls import reverse
from django.utils import timezone

from web.factories import (
    FindingFactory,
    RoundFactory,
    TeamFactory,
    TermFactory,
    UnitFactory,
    UserFactory,
)  # fmt: skip
from xuncha.accounts.models import Role
from xuncha.dashboards.selectors import Period, default_period, figures, ranking, trend
from xuncha.findings.choices import Category, Receiver, Source, Subcategory
from xuncha.findings.models import ImmediateItem, Lead, Talk
from xuncha.planning.selectors import coverage, uninspected
from xuncha.planning.services import assignment_add
from xuncha.rectifications.models import RectificationItem, Status
from xuncha.units.models import RiskLevel, Unit, UnitKind

D = dt.date(2024, 4, 1)


def record(world, team, unit, *, findings: int, closed: int, immediate: tuple[int, int]) -> None:
    by = world.users["office"]
    common = {"team": team, "round": team.round, "unit": unit, "recorded_by": by}
    Talk.objects.bulk_create(
        [Talk(**common, talk_on=D, interviewee=f"对象{i}", summary="要点") for i in range(3)]
    )
    for i in range(findings):
        category = Category.CORRUPTION if i % 3 else Category.ORGANISATION
        sub = Subcategory.BENEFIT_FUNDS if i % 3 else Subcategory.WEAK_ORGANISATION
        f = FindingFactory(
            **common,
            category=category,
            subcategory=sub,
            source=Source.CROSSCHECK,
            amount=Decimal("100.50"),
        )
        item = RectificationItem.objects.create(finding=f, round=team.round, team=team, unit=unit)
        if i < closed:
            RectificationItem.objects.filter(pk=item.pk).update(
                status=Status.CLOSED,
                closed_by=by,
                closed_at=timezone.now(),
                money_recovered=Decimal("50"),
            )
    Lead.objects.create(
        **common,
        description="线索",
        handed_to=Receiver.DISCIPLINE,
        handed_on=D,
        receiver="李",
        due_on=D,
    )
    assigned, done = immediate
    ImmediateItem.objects.bulk_create(
        [ImmediateItem(**common, description="立改", deadline=D, status="done" if i < done else "open",
                       done_on=D if i < done else None) for i in range(assigned)]
    )  # fmt: skip


def test_year_figures_are_exact(world) -> None:
    world.team.round.start_date = D
    world.team.round.save()
    record(world, world.team, world.unit, findings=43, closed=40, immediate=(10, 8))
    earlier = TeamFactory(
        round=RoundFactory(start_date=dt.date(2023, 3, 1), end_date=dt.date(2023, 5, 1))
    )
    assignment_add(team=earlier, unit=world.other_unit)
    record(world, earlier, world.other_unit, findings=5, closed=5, immediate=(2, 2))

    f = figures(user=world.users["leader"], period=Period.year(2024))
    # The fixture's second team also has a 2024 round with one assigned unit.
    assert (f.rounds, f.units_covered, f.talks, f.findings, f.leads) == (2, 2, 3, 43, 1)
    assert dict(f.findings_by_category)["群众身边不正之风和腐败问题"] == 28
    assert (f.immediate_assigned, f.immediate_done) == (10, 8)
    assert (f.rectification.total, f.rectification.closed, f.rectification.rate) == (
        43,
        40,
        Decimal("93.02"),
    )
    assert (f.money_involved, f.money_recovered) == (Decimal("4321.50"), Decimal("2000"))
    term = figures(
        user=world.users["leader"],
        period=Period(label="届", start=dt.date(2022, 1, 1), end=dt.date(2026, 12, 31)),
    )
    assert (term.findings, term.immediate_assigned, term.rectification.closed) == (48, 12, 45)
    # Others count only what they may see.
    assert figures(user=world.users["other_team"], period=Period.year(2024)).findings == 0
    assert figures(user=world.users["unit"], period=Period.year(2024)).rectification.total == 43


def test_page_and_export(client, world) -> None:
    world.team.round.start_date = D
    world.team.round.save()
    record(world, world.team, world.unit, findings=4, closed=3, immediate=(5, 4))
    client.force_login(world.users["leader"])
    page = client.get(reverse("dashboards:figures"), {"year": 2024}).content.decode()
    assert "巡察工作数据：2024年" in page and "75.00%" in page and "交办 5 个，已完成 4 个" in page
    response = client.get(reverse("dashboards:export"), {"year": 2024})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = {r[0]: r[1] for r in ws.iter_rows(min_row=4, values_only=True)}
    assert (
        rows["发现问题（个）"] == 4
        and rows["整改完成率"] == "75.00%"
        and rows["已完成立行立改事项（个）"] == 4
    )


def _round(start: dt.date, **kwargs):
    return RoundFactory(start_date=start, end_date=start + dt.timedelta(days=60), **kwargs)


def test_opens_on_latest_year_with_data(world) -> None:
    # world's rounds began 2024-03-01; an earlier round and a planned future one do not win.
    earlier = TeamFactory(round=_round(dt.date(2023, 3, 1)))
    assignment_add(team=earlier, unit=world.unit)
    future = TeamFactory(round=_round(dt.date(2099, 3, 1)))
    assignment_add(team=future, unit=world.other_unit)
    today = dt.date(2026, 12, 2)
    assert default_period(user=world.users["leader"], today=today) == Period.year(2024)
    # A unit counts the rounds that inspected it (2023 and 2024 here), not other units'.
    assert default_period(user=world.users["unit"], today=today) == Period.year(2024)
    # A unit never inspected, with no ledger item: the current term.
    term = TermFactory(start_year=2026, end_year=2030)
    fresh = UserFactory(role=Role.UNIT, unit=UnitFactory(name="新设社区"))
    assert default_period(user=fresh, today=today) == Period.term(term)


def test_opens_on_current_year_without_any_term(db) -> None:
    leader = UserFactory(role=Role.LEADER)
    assert default_period(user=leader, today=dt.date(2026, 5, 1)) == Period.year(2026)


def _items(team, unit, *, total: int, closed: int, by) -> None:
    for i in range(total):
        f = FindingFactory(team=team, round=team.round, unit=unit, recorded_by=by)
        done = {"status": Status.CLOSED, "closed_by": by, "closed_at": timezone.now()}
        RectificationItem.objects.create(finding=f, round=team.round, team=team, unit=unit,
                                         **(done if i < closed else {}))  # fmt: skip


def test_ranking_orders_by_rate_then_closed(world) -> None:
    by = world.users["office"]
    third = UnitFactory(name="白沙镇")
    assignment_add(team=world.team, unit=third)
    _items(world.team, world.unit, total=4, closed=3, by=by)  # 75%, 3 closed
    _items(world.team, world.other_unit, total=2, closed=2, by=by)  # 100%
    _items(world.team, third, total=8, closed=6, by=by)  # 75%, 6 closed
    rows = ranking(user=world.users["leader"], period=Period.year(2024))
    assert [(c.label, c.total, c.closed) for c in rows] == [
        ("五里牌镇", 2, 2), ("白沙镇", 8, 6), ("东江街道", 4, 3)
    ]  # fmt: skip
    assert ranking(user=world.users["leader"], period=Period.year(2023)) == []


def test_trend_per_round_in_start_order(world) -> None:
    by = world.users["office"]
    later = TeamFactory(round=_round(dt.date(2024, 9, 1), name="2024年第二轮"))
    assignment_add(team=later, unit=world.unit)
    world.team.round.name = "2024年第一轮"
    world.team.round.save()
    _items(world.team, world.unit, total=4, closed=1, by=by)
    _items(later, world.unit, total=2, closed=2, by=by)
    FindingFactory(team=later, round=later.round, unit=world.unit, recorded_by=by)  # not fed back
    rows = trend(user=world.users["leader"], period=Period.year(2024))
    got = [(r.name, r.findings, r.rectification.total, r.rectification.rate) for r in rows]
    # The other team's round (same start, made later) has nothing yet: it shows with zeros.
    assert got == [
        ("2024年第一轮", 4, 4, Decimal("25.00")),
        (world.other_team.round.name, 0, 0, None),
        ("2024年第二轮", 3, 2, Decimal("100.00")),
    ]


def _count(client, href: str) -> int:
    response = client.get(href)
    assert response.status_code == 200, href
    if "page" in response.context:
        return response.context["page"].paginator.count
    # Lists shown whole: rules (建章立制), 回头看 entries, an assessment's units, common problems.
    name = next(n for n in ("rules", "rows", "results", "problems") if n in response.context)
    return len(response.context[name])


def test_drill_downs_list_the_same_rows(client, world) -> None:
    by = world.users["office"]
    _items(world.team, world.unit, total=5, closed=2, by=by)
    _items(world.other_team, world.other_unit, total=3, closed=3, by=by)
    old = TeamFactory(round=_round(dt.date(2023, 3, 1)))
    assignment_add(team=old, unit=world.unit)
    _items(old, world.unit, total=4, closed=4, by=by)  # 2023: not in the 2024 figures
    for team, unit, done in (
        (world.team, world.unit, 2),
        (world.team, world.unit, 1),
        (old, world.unit, 1),
    ):
        common = {"team": team, "round": team.round, "unit": unit, "recorded_by": by}
        ImmediateItem.objects.bulk_create(
            [ImmediateItem(**common, description="立改", deadline=D, status="done" if i < done else "open",
                           done_on=D if i < done else None) for i in range(2)]
        )  # fmt: skip
    for team in (world.team, old):
        Lead.objects.create(team=team, round=team.round, unit=world.unit, recorded_by=by,
                            description="线索", handed_to=Receiver.DISCIPLINE, handed_on=D,
                            receiver="李", due_on=D)  # fmt: skip
    client.force_login(by)
    response = client.get(reverse("dashboards:figures"))  # opens on 2024, the latest year
    page = response.content.decode()
    assert "巡察工作数据：2024年" in page
    hrefs = re.findall(r'<a (?:id|class)="([\w-]+)" href="([^"]+)">(\d+)', page)
    seen = {}
    for name, href, number in hrefs:
        href = html.unescape(href)
        assert _count(client, href) == int(number), (name, href)
        seen.setdefault(name, int(number))
    assert seen["findings-total"] == 8 and seen["ledger-total"] == 8 and seen["ledger-closed"] == 5
    assert (seen["immediate-total"], seen["immediate-done"]) == (4, 3)
    assert seen["leads-total"] == 1
    assert {"unit-total", "round-findings", "breakdown"} <= seen.keys()
    # Coverage: the units list behind each count, and the units still to inspect.
    assert "覆盖率" in page and response.context["cover"]["term"] is not None
    assert 'id="figures-data" type="application/json"' in page and "<script>" not in page


def test_coverage_by_risk_and_uninspected(world) -> None:
    term = world.team.round.term
    left = UnitFactory(name="未巡镇", risk_level=RiskLevel.HIGH)
    rows = {r.key: r for r in coverage(term=term, by="risk")}
    assert rows[RiskLevel.HIGH].total >= 1 and rows[RiskLevel.HIGH].label == "重点隐患类"
    assert left in uninspected(term=term) and world.unit not in uninspected(term=term)
    kind = {r.key: r for r in coverage(term=term, by="kind")}[UnitKind.TOWNSHIP]
    # world.unit is in this term; other_unit's round is in another term; left is in none.
    townships = Unit.objects.filter(kind=UnitKind.TOWNSHIP).count()
    assert (kind.total, kind.inspected) == (townships, 1) and townships >= 3
    assert kind.rate == (Decimal(100) / townships).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_unit_account_sees_no_coverage_of_other_units(client, world) -> None:
    client.force_login(world.users["unit"])
    page = client.get(reverse("dashboards:figures")).content.decode()
    assert "巡察覆盖情况" not in page and "五里牌镇" not in page
    client.force_login(world.users["office"])
    term = world.team.round.term
    page = client.get(reverse("dashboards:figures"), {"term": term.pk}).content.decode()
    assert "巡察覆盖情况" in page and "五里牌镇" in page  # not inspected in this term


def test_a_unit_counts_the_rounds_that_inspected_it_and_itself(world) -> None:
    period = Period.year(2024)
    unit_view = figures(user=world.users["unit"], period=period)
    office_view = figures(user=world.users["office"], period=period)
    assert (unit_view.rounds, unit_view.units_covered) == (1, 1)
    assert office_view.units_covered == 2  # both world units; the unit sees only itself


def test_suspects_figure_links_only_for_the_inspecting_side_and_export_is_named(client, world):
    for role, linked in (
        ("team", True),
        ("office", True),
        ("leader", False),
        ("supervisor", False),
    ):
        client.force_login(world.users[role])
        page = client.get(reverse("dashboards:figures") + "?year=2024").content.decode()
        cell = re.search(r'<td id="suspects">(.*?)</td>', page, re.S)
        assert cell is not None
        assert (reverse("checks:index") in cell.group(1)) == linked, role
        assert 'name="year" min="1990" max="2100" value="2024"' in page
    response = client.get(reverse("dashboards:export") + "?year=2024")
    disposition = response["Content-Disposition"]
    assert "%E5%B7%A1%E5%AF%9F%E5%B7%A5%E4%BD%9C%E6%95%B0%E6%8D%AE" in disposition  # 巡察工作数据
    assert "2024" in disposition and "figures.xlsx" not in disposition
