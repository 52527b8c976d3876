"""The figures page's 整改督查 figures (issue 18 item 8): every number opens a list of as
many rows, each role sees what it should, the queries do not grow with the rows, and
the Excel export carries them."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from web.demo_world import DemoStack
from web.factories import ledger_item
from web.supervision_world import closed_item, small_system
from xuncha.accounts.models import User
from xuncha.dashboards.selectors import Period
from xuncha.dashboards.supervision import supervision_figures
from xuncha.planning.models import Term
from xuncha.rectifications import services as rectifications
from xuncha.rectifications.models import RuleKind
from xuncha.selfchecks import services as selfchecks
from xuncha.selfchecks.models import CommonProblem, SelfCheckTask
from xuncha.sham.models import Signal, SignalKind, SignalStatus
from xuncha.supervision import assessment as scoring
from xuncha.supervision import followup
from xuncha.supervision.cards import cards_derive
from xuncha.supervision.models import Assessment, Grade
from xuncha.units.models import Unit, UnitKind

YEAR = Period.year(2024)  # the world's rounds began on 2024-03-01


def _rule(world, item, n: int, kind: str = RuleKind.MADE, by: str = "unit") -> None:
    rectifications.rule_record(item=item, by=world.users[by], title=f"制度{n}", kind=kind,
                               issued_on=dt.date(2024, 6, 1))  # fmt: skip


def _signal(world, n: int, kind: str, items, status: str = SignalStatus.OPEN) -> Signal:
    decided = {} if status == SignalStatus.OPEN else {
        "decided_by": world.users["office"], "decided_at": timezone.now()}  # fmt: skip
    signal = Signal.objects.create(kind=kind, key=f"k{n}", explanation="说明", status=status,
                                   first_seen=dt.date(2024, 7, 1), **decided)  # fmt: skip
    signal.items.set(items)
    return signal


def _assessment(world):
    """An assessment of the world team's round (its unit): 40-point item scored 30, the
    completion rate pre-filled (1 of 4 closed: 15 of 60), so 45 in all: 差, 回头看."""
    opened = scoring.assessment_create(name="2024 年整改评估", version=small_system(world),
                                       round=world.team.round, by=world.users["supervisor"],
                                       today=dt.date(2024, 7, 1))  # fmt: skip
    s = opened.scores.get(indicator__name="整改工作组织有力")
    scoring.score_save(score=s, by=world.users["supervisor"], version=s.version,
                       indicator_version_id=opened.indicator_version_id, points=Decimal(30))  # fmt: skip
    followup.unit_grade_fix(assessment=opened, unit=world.unit, by=world.users["supervisor"],
                            today=dt.date(2024, 7, 1))  # fmt: skip
    return opened


@pytest.fixture
def scene(world):
    today = timezone.localdate()
    # The world's two units are villages: the common problem goes to those two only.
    Unit.objects.filter(pk__in=[world.unit.pk, world.other_unit.pk]).update(kind=UnitKind.VILLAGE)
    mine = [
        ledger_item(world, deadline=today - dt.timedelta(days=40)),  # red card
        ledger_item(world, deadline=today - dt.timedelta(days=5)),  # yellow card
        ledger_item(world, deadline=today + dt.timedelta(days=60)),
        closed_item(world),
    ]
    theirs = ledger_item(world, team=world.other_team, unit=world.other_unit,
                         deadline=today - dt.timedelta(days=3))  # fmt: skip
    cards_derive(today)
    _rule(world, mine[0], 1), _rule(world, mine[1], 2), _rule(world, mine[2], 3, RuleKind.REVISED)
    _rule(world, theirs, 4, by="other_unit")
    opened = _assessment(world)
    _signal(world, 1, SignalKind.SAME_FILE, [mine[0], theirs])
    _signal(world, 2, SignalKind.SAME_FILE, [mine[1]], SignalStatus.CONFIRMED)
    _signal(world, 3, SignalKind.MONEY, [mine[3]], SignalStatus.DISMISSED)
    problem = selfchecks.common_problem_create(
        by=world.users["office"], title="合同未经民主决策", description="对照自查。",
        unit_kinds=[UnitKind.VILLAGE], deadline=today - dt.timedelta(days=1),
        today=today - dt.timedelta(days=2),  # pushed two days ago, due yesterday: overdue
    )  # fmt: skip
    selfchecks.common_problem_push(problem=problem, by=world.users["office"])
    # The problem was set down and pushed in the year the figures are read for (2024).
    pushed = timezone.make_aware(dt.datetime(2024, 7, 1, 10))
    CommonProblem.objects.filter(pk=problem.pk).update(created_at=pushed, pushed_at=pushed)
    SelfCheckTask.objects.filter(problem=problem).update(created_at=pushed)
    return {"mine": mine, "theirs": theirs, "assessment": opened, "problem": problem}


def _page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("dashboards:figures"), {"year": 2024})
    assert response.status_code == 200
    page = response.content.decode()
    start = page.index('<h2 id="supervision">')
    return page[
        start : page.index('<h2 id="coverage">', start) if 'id="coverage"' in page else None
    ]


def _count(client, href: str) -> int:
    response = client.get(href)
    assert response.status_code == 200, href
    if "page" in response.context:
        return response.context["page"].paginator.count
    name = next(
        n for n in ("rules", "rows", "results", "problems", "assessments") if n in response.context
    )
    return len(response.context[name])


def _links(section: str) -> list[tuple[str, str, int]]:
    found = re.findall(r'<a (?:id|class)="([\w-]+)" href="([^"]+)">(\d+)</a>', section)
    return [(name, html.unescape(href), int(n)) for name, href, n in found]


@pytest.mark.parametrize("role", ["office", "supervisor", "leader", "unit", "team"])
def test_every_linked_number_lists_as_many_rows(client, world, scene, role) -> None:
    section = _page(client, world.users[role])
    seen: dict[str, list[int]] = {}
    for name, href, shown in _links(section):
        assert _count(client, href) == shown, (role, name, href)
        seen.setdefault(name, []).append(shown)
    # Cards today on the period's items: the world's unit 1 red, 1 yellow; the other's 1 yellow.
    red, yellow = {"unit": (1, 1), "team": (1, 1)}.get(role, (1, 2))
    assert (seen["cards-red"], seen["cards-yellow"]) == ([red], [yellow]), role
    rounds = seen["rules-round"]
    assert sorted(rounds) == ([3] if role in ("unit", "team") else [1, 3]), role
    # Every kind of unit links to the ledger by kind: all the world's units are villages.
    assert seen["kind-total"] == ([4] if role in ("unit", "team") else [5]), role
    assert seen["kind-closed"] == [1], role
    assert seen["rules-total"] == ([3] if role in ("unit", "team") else [4]), role
    assert (seen["rules-made"], seen["rules-revised"]) == (
        ([2], [1]) if role in ("unit", "team") else ([3], [1])), role  # fmt: skip
    assert sorted(seen["rules-round-made"]) == ([2] if role in ("unit", "team") else [1, 2]), role
    if role in ("office", "supervisor"):
        assert seen["signals-total"] == [3] and seen["signal-status"] == [1, 1, 1]
        assert seen["assessment-units"] == [1] and seen["assessment-follow-ups"] == [1]
        assert seen["assessments-total"] == [1] and seen["assessment-graded"] == [1]
        assert seen["assessment-grade"] == [0, 0, 0, 1]  # 好、较好、一般、差
        assert seen["follow-ups-total"] == [1]
        # One assessment in the period: its totals open its page too.
        assert (seen["assessed-units"], seen["assessed-graded"]) == ([1], [1])
        assert seen["grade-count"] == [0, 0, 0, 1]
    if role in ("office", "supervisor", "leader"):
        assert seen["tasks-total"] == [2] and seen["tasks-overdue"] == [2]
        assert seen["task-kind"] == [2, 0, 2]  # pushed, accepted, overdue: villages
    if role == "office":
        assert seen["problems-total"] == [1]
    if role == "unit":
        assert seen["tasks-total"] == [1]
    assert "不分年度或届期" not in section and "暂不能" not in section


@pytest.mark.parametrize("role", ["office", "leader"])
def test_another_year_counts_and_lists_none_of_it(client, world, scene, role) -> None:
    """Signals, tasks, problems, rules and assessments are the period's: 2023 shows 0
    and each link of 2023 lists nothing."""
    client.force_login(world.users[role])
    response = client.get(reverse("dashboards:figures"), {"year": 2023})
    sup = response.context["sup"]
    assert sup.selfchecks is not None and sup.selfchecks.tasks == 0
    if role == "office":
        assert sup.signals is not None and sup.signals.total == 0
        assert sup.selfchecks.problems == 0
    assert sup.rules_total == (0, 0)
    page = response.content.decode()
    section = page[page.index('<h2 id="supervision">') :]
    found = _links(section)
    assert any(name == "tasks-total" for name, _h, _n in found)
    for name, href, shown in found:
        if name in ("tasks-total", "signals-total", "problems-total", "rules-total",
                    "assessments-total", "kind-total"):  # fmt: skip
            assert shown == 0 == _count(client, href), (name, href)


def test_what_each_role_sees(client, world, scene) -> None:
    office = _page(client, world.users["office"])
    assert 'id="assessments"' in office and 'id="signals"' in office and 'id="selfchecks"' in office
    assert 'id="problems-total"' in office
    # The leader counts assessments and signals but lists neither: numbers without links.
    leader = _page(client, world.users["leader"])
    assert 'id="assessments"' in leader and 'class="assessment-units"' not in leader
    assert '<span id="signals-total">3</span>' in leader and reverse("sham:list") not in leader
    assert reverse("supervision:assessments") not in leader
    assert 'id="tasks-total"' in leader and 'id="problems-total"' not in leader
    # A team and a unit count neither assessments nor signals; a team no self-checks.
    for role in ("team", "unit"):
        page = _page(client, world.users[role])
        assert 'id="assessments"' not in page and 'id="signals"' not in page, role
    assert 'id="selfchecks"' not in _page(client, world.users["team"])
    # A unit's rules are its own: the other unit's name is not on its page.
    unit = _page(client, world.users["unit"])
    assert world.other_unit.name not in unit
    assert (
        'id="tasks-total"' in unit and "共性问题 " not in unit
    )  # its tasks, not the office's problems
    assert world.other_unit.name in office


def test_assessment_figures_are_exact(world, scene) -> None:
    sup = supervision_figures(user=world.users["supervisor"], period=YEAR,
                              today=timezone.localdate())  # fmt: skip
    a = sup.assessments
    assert a is not None and (a.units, a.graded, a.follow_ups) == (1, 1, 1)
    assert a.average == Decimal("45.00")
    assert {value: n for value, _label, n in a.grades} == {
        Grade.GOOD: 0, Grade.FAIR: 0, Grade.AVERAGE: 0, Grade.POOR: 1}  # fmt: skip
    # Another year holds none of it.
    other = supervision_figures(user=world.users["supervisor"], period=Period.year(2023),
                                today=timezone.localdate())  # fmt: skip
    assert other.assessments is not None and other.assessments.rows == []
    assert other.rules == [] and other.cards.red == 0


def test_completion_by_kind_of_unit(world, scene) -> None:
    Unit.objects.filter(pk=world.other_unit.pk).update(kind=UnitKind.TOWNSHIP)
    sup = supervision_figures(user=world.users["leader"], period=YEAR, today=timezone.localdate())
    rows = {c.key: (c.total, c.closed, c.rate) for c in sup.by_kind}
    assert rows == {
        UnitKind.VILLAGE: (4, 1, Decimal("25.00")),
        UnitKind.TOWNSHIP: (1, 0, Decimal(0)),
    }
    mine = supervision_figures(user=world.users["unit"], period=YEAR, today=timezone.localdate())
    assert [(c.key, c.total) for c in mine.by_kind] == [(UnitKind.VILLAGE, 4)]


def test_cards_recorded_by_the_daily_derivation(world, scene) -> None:
    sup = supervision_figures(user=world.users["office"], period=YEAR, today=timezone.localdate())
    assert (sup.cards.recorded_red, sup.cards.recorded_yellow, sup.cards.open) == (1, 2, 3)


def _queries(user) -> int:
    with CaptureQueriesContext(connection) as ctx:
        supervision_figures(user=user, period=YEAR, today=timezone.localdate())
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_rows(world, scene) -> None:
    office = world.users["office"]
    before = _queries(office)
    extra = [ledger_item(world) for _ in range(3)]
    for n, item in enumerate(extra, start=10):
        _rule(world, item, n)
        _signal(world, n, SignalKind.COPIED_TEXT, [item])
    scoring.assessment_create(name="第二次评估", version=scene["assessment"].indicator_version,
                              round=world.other_team.round, by=world.users["supervisor"],
                              today=dt.date(2024, 7, 1))  # fmt: skip
    grown = supervision_figures(user=office, period=YEAR, today=timezone.localdate())
    assert grown.assessments is not None and len(grown.assessments.rows) == 2
    assert _queries(office) == before


def test_the_export_carries_the_supervision_figures(client, world, scene) -> None:
    client.force_login(world.users["office"])
    response = client.get(reverse("dashboards:export"), {"year": 2024})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = {r[0]: r[1] for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["评估单位（个）"] == 1 and rows["　等次：差（个）"] == 1
    assert rows["今日红牌（个）"] == 1 and rows["今日黄牌（个）"] == 2
    assert rows["虚假整改疑点（条，本期间发现）"] == 3 and rows["　已确认（条）"] == 1
    assert rows["建章立制：新建（项）"] == 3 and rows["建章立制：修订（项）"] == 1
    assert rows["推送自查任务（个，本期间推送）"] == 2


@pytest.fixture(scope="module")
def demo(demo_city: DemoStack):
    """The session's demo city with its petitions and seed 004's supervision, as the demo
    seeds them (web.demo_world: shared with test_demo_supervision)."""
    with demo_city.module("petitions", "supervision") as seeded:
        yield demo_city.city, seeded["supervision"]


@pytest.mark.demo_city("petitions", "supervision")
def test_the_demo_city_shows_seed_004_on_the_figures_page(demo, db, client) -> None:
    _city, seeded = demo
    term = Term.objects.get()
    # The 45 units are assessed by chosen units (no round): the assessment is the period's
    # of the day it was opened.
    opened = Assessment.objects.get(pk=seeded.assessment_id).created_at
    client.force_login(User.objects.get(username="supervisor"))
    page = client.get(reverse("dashboards:figures"), {"year": timezone.localtime(opened).year})
    assessed = page.context["sup"].assessments
    assert assessed.units == 45 and assessed.graded == 45
    assert {v: n for v, _label, n in assessed.grades} == {
        g: seeded.grades.get(g, 0) for g in Grade.values}  # fmt: skip
    assert assessed.follow_ups == seeded.follow_ups
    section = page.content.decode()
    [(href, shown)] = re.findall(r'<a class="assessment-units" href="([^"]+)">(\d+)</a>', section)
    assert int(shown) == 45 == _count(client, html.unescape(href))
    # 911 rules over the term's rounds; each round's number opens its list of as many.
    figures = client.get(reverse("dashboards:figures"), {"term": term.pk})
    assert sum(figures.context["sup"].rules_total) == 911 == seeded.rules
    section = figures.content.decode()
    rounds = re.findall(r'<a class="rules-round" href="([^"]+)">(\d+)</a>', section)
    assert sum(int(n) for _href, n in rounds) == 911
    for href, n in rounds:
        assert _count(client, html.unescape(href)) == int(n), href
    # Every kind of planted sham case is found.
    signals = figures.context["sup"].signals
    assert all(found for _v, _label, found, _c in signals.by_kind)
