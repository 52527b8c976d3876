"""The figures the seeds report, computed from the data for a year or a term.

Each number is one aggregate query over what the user may count
(:func:`xuncha.accounts.access.restrict_figures`): leaders and supervisors count
everything, a team its own work, a unit its own items.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Model, Q, QuerySet, Sum

from xuncha.accounts.access import restrict_figures
from xuncha.accounts.models import User
from xuncha.checks.models import CheckRun
from xuncha.checks.selectors import verified_totals
from xuncha.findings.choices import Category, Receiver, Source
from xuncha.findings.models import Finding, ImmediateItem, Lead, Talk
from xuncha.petitions.models import Channel, Petition
from xuncha.planning.models import Assignment, Round, Term
from xuncha.planning.selectors import current_term
from xuncha.rectifications.models import RectificationItem, Status
from xuncha.rectifications.selectors import Completion, completion


@dataclass(frozen=True)
class Period:
    """A calendar year or a term; rounds are in it by their start date."""

    label: str
    start: dt.date
    end: dt.date
    # The list pages' filter for the same rows (``?year=`` or ``?term=``), for drill-downs.
    params: tuple[tuple[str, int], ...] = ()

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(f"{year}年", dt.date(year, 1, 1), dt.date(year, 12, 31), (("year", year),))

    @classmethod
    def term(cls, term: Term) -> Period:
        start, end = dt.date(term.start_year, 1, 1), dt.date(term.end_year, 12, 31)
        return cls(term.name, start, end, (("term", term.pk),))


def default_period(*, user: User, today: dt.date) -> Period:
    """The latest year in which a round the user may count has begun with units assigned
    or items fed back; failing that the current term, failing that this year (the page
    opening on an empty current year showed every number 0)."""
    latest = [
        restrict_figures(model.objects.filter(round__start_date__lte=today), user)
        .aggregate(d=Max("round__start_date"))["d"]
        for model in (Assignment, RectificationItem)
    ]  # fmt: skip
    if dates := [d for d in latest if d]:
        return Period.year(max(dates).year)
    if term := current_term(today):
        return Period.term(term)
    return Period.year(today.year)


@dataclass
class Figures:
    period: Period
    rounds: int = 0
    units_covered: int = 0
    talks: int = 0
    petitions: int = 0
    petitions_by_channel: list[tuple[str, int]] = field(default_factory=list)
    petitions_to_findings: int = 0
    findings: int = 0
    findings_by_category: list[tuple[str, int]] = field(default_factory=list)
    findings_by_source: list[tuple[str, int]] = field(default_factory=list)
    leads: int = 0
    leads_by_receiver: list[tuple[str, int]] = field(default_factory=list)
    immediate_assigned: int = 0
    immediate_done: int = 0
    rectification: Completion = field(default_factory=lambda: Completion("overall", "合计", 0, 0))
    money_involved: Decimal = Decimal(0)
    money_recovered: Decimal = Decimal(0)
    # 数据比对, over each team's latest completed run (re-runs are not counted twice).
    suspects: int = 0
    suspects_confirmed: int = 0
    suspects_pending: int = 0
    improper_amount: Decimal = Decimal(0)
    improper_recovered: Decimal = Decimal(0)


def _in(period: Period, qs: QuerySet[Any], user: User) -> QuerySet[Any]:
    return restrict_figures(qs, user).filter(round__start_date__range=(period.start, period.end))


def _covered(period: Period, user: User) -> int:
    """Units inspected: for a year, those assigned to a round begun that year; for a
    term, its coverage (assigned to a round filed under the term, as the coverage
    section and ``planning.selectors.by_coverage`` count them, so the units list's
    ``?term=&inspected=1`` shows as many)."""
    assignments = restrict_figures(Assignment.objects.all(), user)
    term = dict(period.params).get("term")
    if term:
        assignments = assignments.filter(round__term_id=term)
    else:
        assignments = assignments.filter(round__start_date__range=(period.start, period.end))
    return assignments.values("unit").distinct().count()


def counts_every(model: type[Model], user: User) -> bool:
    """Whether the user's figures count every row of the model (the office, leaders and
    supervisors), not only their own: a drill-down to a list that is not narrowed by
    role (the units list) then shows as many as the figure."""
    return not restrict_figures(model._default_manager.all(), user).query.where


def _by(qs: QuerySet[Any], key: str, labels: dict[str, str]) -> list[tuple[str, int]]:
    counts = dict(qs.order_by().values_list(key).annotate(n=Count("id")).values_list(key, "n"))
    return [(label, counts.get(value, 0)) for value, label in labels.items()]


def figures(*, user: User, period: Period) -> Figures:
    rounds = restrict_figures(Round.objects.all(), user).filter(
        start_date__range=(period.start, period.end)
    )
    findings = _in(period, Finding.objects.all(), user)
    petitions = _in(period, Petition.objects.all(), user)
    immediate = _in(period, ImmediateItem.objects.all(), user).aggregate(
        assigned=Count("id"), done=Count("id", filter=Q(status="done"))
    )
    runs = restrict_figures(CheckRun.objects.all(), user).filter(
        team__round__start_date__range=(period.start, period.end))  # fmt: skip
    checked = verified_totals(runs, per_key=True)  # each suspect once, at its latest verdict
    items = _in(period, RectificationItem.objects.all(), user).aggregate(
        total=Count("id"), closed=Count("id", filter=Q(status=Status.CLOSED)),
        recovered=Sum("money_recovered"),
    )  # fmt: skip
    return Figures(
        period=period,
        rounds=rounds.count(),
        units_covered=_covered(period, user),
        talks=_in(period, Talk.objects.all(), user).count(),
        petitions=petitions.count(),
        petitions_by_channel=_by(petitions, "channel", dict(Channel.choices)),
        petitions_to_findings=petitions.filter(finding__isnull=False).count(),
        findings=findings.count(),
        findings_by_category=_by(findings, "category", dict(Category.choices)),
        findings_by_source=_by(findings, "source", dict(Source.choices)),
        leads=_in(period, Lead.objects.all(), user).count(),
        leads_by_receiver=_by(
            _in(period, Lead.objects.all(), user), "handed_to", dict(Receiver.choices)
        ),
        immediate_assigned=immediate["assigned"],
        immediate_done=immediate["done"],
        rectification=Completion("overall", "合计", items["total"], items["closed"]),
        money_involved=findings.aggregate(s=Sum("amount"))["s"] or Decimal(0),
        money_recovered=items["recovered"] or Decimal(0),
        suspects=checked["total"],
        suspects_confirmed=checked["confirmed"],
        suspects_pending=checked["pending"],
        improper_amount=checked["improper"],
        improper_recovered=checked["recovered"],
    )


def ranking(*, user: User, period: Period) -> list[Completion]:
    """Completion per unit, best first: rate, then more items closed, then name (a unit
    with nothing fed back has no rate and is not ranked)."""
    rows = completion(user=user, by="unit", round__start_date__range=(period.start, period.end))
    return sorted(rows, key=lambda c: (-(c.rate or 0), -c.closed, c.label))


@dataclass(frozen=True)
class RoundTrend:
    """One round's findings, money and ledger, for the trend by round."""

    round_id: int
    name: str
    start: dt.date
    findings: int
    amount: Decimal
    rectification: Completion


def trend(*, user: User, period: Period) -> list[RoundTrend]:
    """Each round of the period in start order with what it found and how far its
    ledger is closed out: one grouped query for findings, one for the ledger."""
    rounds = restrict_figures(Round.objects.all(), user).filter(
        start_date__range=(period.start, period.end)
    )
    found = {
        r["round_id"]: r
        for r in _in(period, Finding.objects.all(), user).order_by().values("round_id")
        .annotate(n=Count("id"), amount=Sum("amount"))
    }  # fmt: skip
    ledger = {
        c.key: c
        for c in completion(user=user, by="round", round__start_date__range=(period.start, period.end))
    }  # fmt: skip
    return [
        RoundTrend(
            r.pk, r.name, r.start_date, found.get(r.pk, {}).get("n", 0),
            found.get(r.pk, {}).get("amount") or Decimal(0),
            ledger.get(r.pk) or Completion(r.pk, r.name, 0, 0),
        )
        for r in rounds.order_by("start_date", "id")
    ]  # fmt: skip


def coverage_term(period: Period) -> Term | None:
    """The term whose coverage the page shows: the period's own, or the one its year is in."""
    key, value = period.params[0] if period.params else ("", 0)
    if key == "term":
        return Term.objects.filter(pk=value).first()
    year = period.start.year
    return Term.objects.filter(start_year__lte=year, end_year__gte=year).order_by("-id").first()


def term_of(term_id: str) -> Term | None:
    """The term a ?term= parameter names, or None when it is not a known term's id."""
    return Term.objects.filter(pk=int(term_id)).first() if term_id.isdigit() else None


def terms() -> QuerySet[Term]:
    """Terms offered in the period picker, latest first."""
    return Term.objects.order_by("-start_year", "-pk")
