"""The filters issue 18's figures drill down through: the ledger by kind of unit, and
the period (``?year=`` / ``?term=``) on the rules, signals, common problems, self-check
tasks and assessments; a bad value lists nothing, with the reason beside the field (as
the ledger treats a bad ``?status=``). And a ledger item's open sham signals on its page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from web.factories import ledger_item
from web.supervision_world import small_system
from xuncha.rectifications import services as rectifications
from xuncha.selfchecks import services as selfchecks
from xuncha.selfchecks.models import CommonProblem, SelfCheckTask
from xuncha.sham.models import Signal, SignalKind, SignalStatus
from xuncha.supervision import assessment as scoring
from xuncha.supervision.models import Assessment, FollowUp, Grade
from xuncha.units.models import Unit, UnitKind


def _count(client, url: str, **params: object) -> int:
    response = client.get(url, params)
    assert response.status_code == 200, (url, params)
    if "page" in response.context:
        return response.context["page"].paginator.count
    name = next(n for n in ("rules", "problems", "assessments") if n in response.context)
    return len(response.context[name])


def _refused(client, url: str, **params: object) -> None:
    """A bad filter value: the page opens, names the field's error, and lists nothing."""
    response = client.get(url, params)
    assert response.status_code == 200, (url, params)
    assert response.context["filter_error"], (url, params)
    assert "筛选条件有误" in response.content.decode()
    assert _count(client, url, **params) == 0


def test_ledger_by_kind_of_unit(client, world) -> None:
    Unit.objects.filter(pk=world.unit.pk).update(kind=UnitKind.VILLAGE)
    Unit.objects.filter(pk=world.other_unit.pk).update(kind=UnitKind.COMMUNITY)
    mine = [ledger_item(world) for _ in range(3)]
    ledger_item(world, team=world.other_team, unit=world.other_unit)
    client.force_login(world.users["office"])
    url = reverse("rectifications:list")
    assert _count(client, url, unit_kind=UnitKind.VILLAGE) == 3
    assert _count(client, url, unit_kind=UnitKind.COMMUNITY) == 1
    assert _count(client, url, unit_kind=UnitKind.PARK) == 0
    assert _count(client, url, unit_kind=UnitKind.VILLAGE, year=2024) == 3
    assert _count(client, url, unit_kind=UnitKind.VILLAGE, year=2023) == 0
    _refused(client, url, unit_kind="planet")
    page = client.get(url, {"unit_kind": "planet"}).content.decode()
    assert 'id="id_unit_kind"' in page and "planet 不在可用的选项中" in page  # beside the field
    # Kept in the export link and the item pages' previous / next.
    page = client.get(url, {"unit_kind": UnitKind.VILLAGE}).content.decode()
    assert "unit_kind=village" in page
    detail = client.get(reverse("rectifications:detail", args=[mine[0].pk]),
                        {"unit_kind": UnitKind.VILLAGE})  # fmt: skip
    assert detail.context["nav"].total == 3 and detail.context["nav"].in_list
    other = client.get(reverse("rectifications:detail", args=[mine[0].pk]),
                       {"unit_kind": UnitKind.COMMUNITY})  # fmt: skip
    assert other.context["nav"].total == 1 and not other.context["nav"].in_list
    export = client.get(reverse("rectifications:export"), {"unit_kind": UnitKind.VILLAGE})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_rules_by_period(client, world) -> None:
    for n in range(2):  # the world's rounds began on 2024-03-01
        rectifications.rule_record(item=ledger_item(world), by=world.users["unit"], title=f"制度{n}",
                                   kind="made", issued_on=dt.date(2024, 6, 1))  # fmt: skip
    client.force_login(world.users["office"])
    url = reverse("rectifications:rules")
    assert _count(client, url) == 2
    assert _count(client, url, year=2024) == 2
    assert _count(client, url, year=2023) == 0
    assert _count(client, url, term=world.team.round.term_id) == 2
    assert _count(client, url, term=999999) == 0
    assert _count(client, url, year=2024, round_id=world.team.round_id) == 2
    page = client.get(url, {"year": 2024}).content.decode()
    assert "共 2 项" in page and "2024年" in page
    _refused(client, url, year="abc")
    _refused(client, url, year=1800)
    _refused(client, url, term="x")
    assert _count(client, url, year=2024, kind="made") == 2
    assert _count(client, url, year=2024, kind="revised") == 0
    _refused(client, url, kind="burnt")


def _signal(n: int, first_seen: dt.date, items, status=SignalStatus.OPEN, by=None) -> Signal:
    decided = {} if by is None else {"decided_by": by, "decided_at": timezone.now()}
    signal = Signal.objects.create(kind=SignalKind.SAME_FILE, key=f"f{n}", explanation=f"说明{n}",
                                   first_seen=first_seen, status=status, **decided)  # fmt: skip
    signal.items.set(items)
    return signal


def test_signals_by_the_day_first_found(client, world) -> None:
    item = ledger_item(world)
    _signal(1, dt.date(2024, 1, 1), [item])
    _signal(2, dt.date(2024, 12, 31), [item])
    _signal(3, dt.date(2025, 1, 1), [item])
    client.force_login(world.users["supervisor"])
    url = reverse("sham:list")
    assert _count(client, url, year=2024) == 2
    assert _count(client, url, year=2025) == 1
    term = world.team.round.term
    in_term = [y for y in (2024, 2024, 2025) if term.start_year <= y <= term.end_year]
    assert 2024 in in_term  # the world's term holds its rounds' year
    assert _count(client, url, term=term.pk, kind=SignalKind.SAME_FILE) == len(in_term)
    _refused(client, url, year="二〇二四")
    _refused(client, url, term=999999)


def test_problems_and_tasks_by_period(client, world) -> None:
    Unit.objects.filter(pk__in=[world.unit.pk, world.other_unit.pk]).update(kind=UnitKind.VILLAGE)
    today = timezone.localdate()
    problem = selfchecks.common_problem_create(
        by=world.users["office"], title="共性问题", description="自查。", unit_kinds=[UnitKind.VILLAGE],
        deadline=today + dt.timedelta(days=30), today=today,
    )  # fmt: skip
    selfchecks.common_problem_push(problem=problem, by=world.users["office"])
    # Set down and first pushed in 2024; one unit's task pushed in 2025.
    at = timezone.make_aware(dt.datetime(2024, 7, 1, 10))
    CommonProblem.objects.filter(pk=problem.pk).update(created_at=at)
    SelfCheckTask.objects.filter(problem=problem).update(created_at=at)
    SelfCheckTask.objects.filter(problem=problem, unit=world.other_unit).update(
        created_at=at.replace(year=2025)
    )
    client.force_login(world.users["office"])
    tasks, problems = reverse("selfchecks:tasks"), reverse("selfchecks:problems")
    assert _count(client, tasks, year=2024) == 1 and _count(client, tasks, year=2025) == 1
    assert _count(client, tasks, year=2024, unit_kind=UnitKind.VILLAGE) == 1
    assert _count(client, problems, year=2024) == 1 and _count(client, problems, year=2025) == 0
    # The per-kind table of the task list counts the period's tasks too.
    kinds = client.get(tasks, {"year": 2025}).context["kinds"]
    assert [(k.kind, k.pushed) for k in kinds] == [(UnitKind.VILLAGE, 1)]
    _refused(client, tasks, year=3000)
    _refused(client, problems, term="abc")
    # A unit's own task, by the same filter.
    client.force_login(world.users["unit"])
    assert _count(client, tasks, year=2024) == 1 and _count(client, tasks, year=2025) == 0


def test_assessments_by_round_start_else_opening(client, world) -> None:
    version = small_system(world)
    by_round = scoring.assessment_create(name="按轮次", version=version, round=world.team.round,
                                         by=world.users["supervisor"], today=dt.date(2024, 7, 1))  # fmt: skip
    chosen = scoring.assessment_create(name="按单位", version=version, units=[world.unit],
                                       by=world.users["supervisor"], today=dt.date(2025, 7, 1))  # fmt: skip
    # Opened in 2025, but its round began in 2024: it is 2024's. The chosen units' is the
    # year it was opened in.
    Assessment.objects.filter(pk=by_round.pk).update(
        created_at=timezone.make_aware(dt.datetime(2025, 2, 1, 9))
    )
    Assessment.objects.filter(pk=chosen.pk).update(
        created_at=timezone.make_aware(dt.datetime(2025, 3, 1, 9))
    )
    client.force_login(world.users["supervisor"])
    url = reverse("supervision:assessments")
    assert _count(client, url) == 2
    response = client.get(url, {"year": 2024})
    assert [a.name for a in response.context["page"]] == ["按轮次"]
    assert [a.name for a in client.get(url, {"year": 2025}).context["page"]] == ["按单位"]
    _refused(client, url, year="20x4")
    # The 回头看 list by the same period: the entries of the period's assessments.
    FollowUp.objects.create(assessment=chosen, unit=world.unit, grade=Grade.POOR, total=Decimal(40),
                            latest_grade=Grade.POOR, latest_total=Decimal(40))  # fmt: skip
    follow_ups = reverse("supervision:follow_ups")
    assert len(client.get(follow_ups, {"year": 2025}).context["rows"]) == 1
    assert len(client.get(follow_ups, {"year": 2024}).context["rows"]) == 0
    bad = client.get(follow_ups, {"year": "x"})
    assert len(bad.context["rows"]) == 0 and bad.context["filter_error"]


@pytest.mark.parametrize("role", ["office", "supervisor", "leader", "team", "unit"])
def test_item_page_names_its_open_signals(client, world, role) -> None:
    item = ledger_item(world)
    open_one = _signal(1, dt.date(2024, 7, 1), [item])
    dismissed = _signal(
        2, dt.date(2024, 7, 2), [item], SignalStatus.DISMISSED, world.users["office"]
    )
    elsewhere = _signal(3, dt.date(2024, 7, 3), [ledger_item(world)])
    client.force_login(world.users[role])
    page = client.get(reverse("rectifications:detail", args=[item.pk])).content.decode()
    href = reverse("sham:detail", args=[open_one.pk])
    if role in ("office", "supervisor"):
        assert 'id="sham-signals"' in page and href in page
        assert reverse("sham:detail", args=[dismissed.pk]) not in page
        assert reverse("sham:detail", args=[elsewhere.pk]) not in page
        assert SignalKind.SAME_FILE.label in page
        assert client.get(href).status_code == 200
    else:
        assert 'id="sham-signals"' not in page and href not in page


def test_assessment_page_by_grade(client, world) -> None:
    """The figures' per-grade counts open the assessment page filtered by ``?grade=``:
    units whose every indicator is scored, of that grade."""
    version = small_system(world)
    opened = scoring.assessment_create(name="评估", version=version, units=[world.unit, world.other_unit],
                                       by=world.users["supervisor"], today=dt.date(2024, 7, 1))  # fmt: skip
    s = opened.scores.get(unit=world.unit, indicator__name="整改工作组织有力")
    scoring.score_save(score=s, by=world.users["supervisor"], version=s.version,
                       indicator_version_id=opened.indicator_version_id, points=Decimal(30))  # fmt: skip
    client.force_login(world.users["supervisor"])
    url = reverse("supervision:assessment", args=[opened.pk])
    assert _results(client, url) == 2  # both units, one not fully scored
    assert _results(client, url, grade="graded") == 1
    by_grade = {g: _results(client, url, grade=g) for g in Grade.values}
    assert sum(by_grade.values()) == 1
    bad = client.get(url, {"grade": "excellent"})
    assert bad.status_code == 200 and len(bad.context["results"]) == 0
    assert "筛选条件有误" in bad.content.decode()


def _results(client, url: str, **params: object) -> int:
    response = client.get(url, params)
    assert response.status_code == 200
    return len(response.context["results"])
