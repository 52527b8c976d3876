"""The figures of 整改督查 (issue 18): completion per kind of unit, assessments, red and
yellow cards, sham-rectification signals, rules made or revised, self-checks.

Each part is one or two grouped queries over what the user may count
(:func:`xuncha.accounts.access.restrict_figures`), whatever the number of rows: the
office, leaders and supervisors count everything, a team its own items, a unit its own.
A part the user counts nothing of (a team's assessments) is ``None`` and not shown.

Each number is built beside the list it drills down to (``links``), counted the way
that list filters by the period (``?year=`` / ``?term=``): items and rules by their
round's start, an assessment by its round's start (else the day it was opened), a
signal by the day it was first found, a common problem by the day it was set down, a
self-check task by the day it was pushed to its unit.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from xuncha.accounts.access import restrict_figures
from xuncha.accounts.models import User
from xuncha.planning.selectors import in_period
from xuncha.rectifications.models import RectificationItem
from xuncha.rectifications.selectors import (
    Completion,
    completion,
    countable_rules,
    rule_counts,
)
from xuncha.selfchecks.models import CommonProblem, SelfCheckTask, TaskStatus
from xuncha.selfchecks.selectors import PROBLEM_PERIOD, TASK_PERIOD, by_unit_kind
from xuncha.sham.models import Signal, SignalKind, SignalStatus
from xuncha.sham.selectors import PERIOD_PATH as SIGNAL_PERIOD
from xuncha.supervision.cards import card_counts
from xuncha.supervision.models import Assessment, Card, CardColour, FollowUp, Grade
from xuncha.supervision.selectors import assessments_between, grade_of, unit_results

from .selectors import Period


def _counts(model: type[Any], user: User) -> QuerySet[Any] | None:
    """The model's rows the user's figures count, or None when that is none by role."""
    rows = restrict_figures(model._default_manager.all(), user)
    return None if rows.query.is_empty() else rows


def _avg(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)


# ------------------------------------------------------------------ assessments


@dataclass
class AssessmentRow:
    """One assessment of the period: units scored (the rows of its page), units whose
    every item is scored (graded), the grade distribution and average over those."""

    pk: int
    name: str
    round_name: str
    units: int = 0
    graded: int = 0
    grades: dict[str, int] = field(default_factory=dict)  # Grade value -> units
    average: Decimal | None = None
    follow_ups: int = 0

    @property
    def grade_counts(self) -> list[int]:
        """Units per grade, in the grades' order (好、较好、一般、差)."""
        return [self.grades.get(g, 0) for g in Grade.values]

    @property
    def grade_links(self) -> list[tuple[str, int]]:
        """(grade value, units) in the grades' order: the assessment page's ``?grade=``."""
        return [(g, self.grades.get(g, 0)) for g in Grade.values]


@dataclass
class Assessments:
    rows: list[AssessmentRow]
    units: int  # units scored, summed over the assessments
    graded: int
    grades: list[tuple[str, str, int]]  # (value, label, units) in Grade order
    average: Decimal | None
    follow_ups: int


def _in_period(period: Period) -> Q:
    """An assessment is the period's when its round began in it; one of chosen units
    (no round) when it was opened in it (the assessment list's period filter)."""
    return assessments_between(period.start, period.end)


def _of(rows: QuerySet[Any], period: Period, path: str) -> QuerySet[Any]:
    """``rows`` of the period by the date at ``path``, as the list's ``?year=`` /
    ``?term=`` filters them (:func:`xuncha.planning.selectors.in_period`)."""
    return in_period(rows, **dict(period.params), path=path)


def assessments(*, user: User, period: Period) -> Assessments | None:
    """Three queries: the assessments, their units' totals, their 回头看 entries."""
    visible = _counts(Assessment, user)
    if visible is None:
        return None
    found = list(
        visible.filter(_in_period(period)).select_related("indicator_version", "round")
        .order_by("round__start_date", "created_at", "id")
    )  # fmt: skip
    results = unit_results([a.pk for a in found])
    entries = dict(
        FollowUp.objects.filter(assessment__in=[a.pk for a in found]).order_by()
        .values_list("assessment_id").annotate(n=Count("id"))
    )  # fmt: skip
    rows, totals_all = [], []
    for a in found:
        row = AssessmentRow(
            a.pk, a.name, a.round.name if a.round else "", follow_ups=entries.get(a.pk, 0)
        )
        totals = []
        for r in results.get(a.pk, []):
            row.units += 1
            if r.complete:
                grade = grade_of(r.total, a.indicator_version)
                row.grades[grade.value] = row.grades.get(grade.value, 0) + 1
                totals.append(r.total)
        row.graded, row.average = len(totals), _avg(totals)
        totals_all += totals
        rows.append(row)
    grades: Counter[str] = Counter()
    for row in rows:
        grades.update(row.grades)
    return Assessments(
        rows, sum(r.units for r in rows), len(totals_all),
        [(g.value, str(g.label), grades.get(g.value, 0)) for g in Grade], _avg(totals_all),
        sum(r.follow_ups for r in rows),
    )  # fmt: skip


# ------------------------------------------------------------------ cards


@dataclass(frozen=True)
class Cards:
    red: int  # the period's items with a red card today (the ledger's ?card=red)
    yellow: int
    recorded_red: int  # cards the daily derivation recorded on those items, cleared or not
    recorded_yellow: int
    open: int  # ... of which not yet cleared


def cards(*, user: User, period: Period, today: dt.date) -> Cards:
    items = restrict_figures(RectificationItem.objects.all(), user).filter(
        round__start_date__range=(period.start, period.end)
    )
    now = card_counts(items, today)
    recorded = Card.objects.filter(item__in=items.values("pk")).aggregate(
        red=Count("id", filter=Q(colour=CardColour.RED)),
        yellow=Count("id", filter=Q(colour=CardColour.YELLOW)),
        open=Count("id", filter=Q(cleared_on__isnull=True)),
    )  # fmt: skip
    return Cards(now[CardColour.RED], now[CardColour.YELLOW], recorded["red"],
                 recorded["yellow"], recorded["open"])  # fmt: skip


# ------------------------------------------------------------------ signals


@dataclass(frozen=True)
class Signals:
    """The period's signals (by the day each was first found), by status and by kind."""

    total: int
    by_status: list[tuple[str, str, int]]  # (value, label, count)
    by_kind: list[tuple[str, str, int, int]]  # (value, label, found, confirmed)


def signals(*, user: User, period: Period) -> Signals | None:
    visible = _counts(Signal, user)
    if visible is None:
        return None
    rows = (
        _of(visible, period, SIGNAL_PERIOD)
        .order_by()
        .values_list("kind", "status")
        .annotate(n=Count("id"))
    )
    counts = {(kind, status): n for kind, status, n in rows}
    status_n = {s: sum(n for (_k, st), n in counts.items() if st == s) for s in SignalStatus.values}
    return Signals(
        sum(counts.values()),
        [(s.value, str(s.label), status_n[s.value]) for s in SignalStatus],
        [(k.value, str(k.label), sum(n for (kk, _s), n in counts.items() if kk == k.value),
          counts.get((k.value, SignalStatus.CONFIRMED.value), 0)) for k in SignalKind],
    )  # fmt: skip


# ------------------------------------------------------------------ rules


@dataclass(frozen=True)
class RuleRow:
    round_id: int
    round_name: str
    unit_id: int | None  # None: the round's total
    unit_name: str
    made: int
    revised: int

    @property
    def total(self) -> int:
        return self.made + self.revised


def rules(*, user: User, period: Period) -> list[RuleRow]:
    """Rules made or revised on the period's rounds, per round and, under each, per unit
    (one grouped query; counted as :func:`rules_made_counts` counts them)."""
    made = countable_rules(user, round__start_date__range=(period.start, period.end))
    grouped = (
        made.order_by().values("round_id", "round__name", "round__start_date", "unit_id", "unit__name")
        .annotate(**rule_counts())
        .order_by("round__start_date", "round_id", "unit__name", "unit_id")
    )  # fmt: skip
    units: dict[int, list[RuleRow]] = {}
    for r in grouped:
        units.setdefault(r["round_id"], []).append(RuleRow(
            r["round_id"], r["round__name"], r["unit_id"], r["unit__name"], r["made"], r["revised"]
        ))  # fmt: skip
    out: list[RuleRow] = []
    for round_id, rows in units.items():  # in the rounds' start order
        out.append(RuleRow(round_id, rows[0].round_name, None, "",
                           sum(x.made for x in rows), sum(x.revised for x in rows)))  # fmt: skip
        out += rows
    return out


# ------------------------------------------------------------------ self-checks


@dataclass(frozen=True)
class SelfChecks:
    """The period's common problems (set down then) and self-check tasks (pushed then)."""

    problems: int | None  # None for a unit: it counts its tasks, not the office's problems
    tasks: int
    by_status: list[tuple[str, str, int]]
    overdue: int
    by_kind: list[Any]  # xuncha.selfchecks.selectors.KindRow


def selfchecks(*, user: User, period: Period, today: dt.date) -> SelfChecks | None:
    tasks = _counts(SelfCheckTask, user)
    if tasks is None:
        return None
    tasks = _of(tasks, period, TASK_PERIOD)
    problems = _counts(CommonProblem, user)
    rows = dict(tasks.order_by().values_list("status").annotate(n=Count("id")))
    by_kind = by_unit_kind(user=user, today=today, **dict(period.params))  # the same tasks
    return SelfChecks(
        _of(problems, period, PROBLEM_PERIOD).count() if problems is not None else None,
        sum(rows.values()),
        [(s.value, str(s.label), rows.get(s.value, 0)) for s in TaskStatus],
        sum(k.overdue for k in by_kind),
        by_kind,
    )


# ------------------------------------------------------------------ all


@dataclass
class SupervisionFigures:
    by_kind: list[Completion]
    assessments: Assessments | None
    cards: Cards
    signals: Signals | None
    rules: list[RuleRow]
    selfchecks: SelfChecks | None

    @property
    def rules_total(self) -> tuple[int, int]:
        heads = [r for r in self.rules if r.unit_id is None]
        return sum(r.made for r in heads), sum(r.revised for r in heads)


def supervision_figures(*, user: User, period: Period, today: dt.date) -> SupervisionFigures:
    by_kind = completion(
        user=user, by="unit_kind", round__start_date__range=(period.start, period.end)
    )
    return SupervisionFigures(
        by_kind=by_kind,
        assessments=assessments(user=user, period=period),
        cards=cards(user=user, period=period, today=today),
        signals=signals(user=user, period=period),
        rules=rules(user=user, period=period),
        selfchecks=selfchecks(user=user, period=period, today=today),
    )
