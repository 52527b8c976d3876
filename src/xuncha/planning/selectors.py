"""Reads of the plan: rounds with their teams, and coverage of a term."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from xuncha.accounts.access import restrict
from xuncha.accounts.models import User
from xuncha.units.models import RiskLevel, Unit, UnitKind

from .models import Assignment, Round, Team, TeamMember, Term


def round_list(*, user: User, active_on: dt.date | None = None) -> QuerySet[Round]:
    """Rounds the user may see; ``active_on`` keeps those in progress that day."""
    rounds = restrict(Round.objects.all(), user).select_related("term")
    if active_on is not None:
        rounds = rounds.filter(start_date__lte=active_on, end_date__gte=active_on)
    return rounds.order_by("-start_date", "-id")


def round_detail(*, user: User, pk: int) -> Round:
    teams = Team.objects.prefetch_related(
        Prefetch("teammember_set", queryset=TeamMember.objects.select_related("cadre__home_unit")),
        Prefetch("assignments", queryset=Assignment.objects.select_related("unit")),
    )
    rounds = restrict(Round.objects.all(), user).prefetch_related(Prefetch("teams", queryset=teams))
    return get_object_or_404(rounds.select_related("term"), pk=pk)


@dataclass(frozen=True)
class CoverageRow:
    label: str
    total: int
    inspected: int
    key: object = None  # the value to filter the units list by (kind, county id, risk level)

    @property
    def remaining(self) -> int:
        return self.total - self.inspected

    @property
    def rate(self) -> Decimal | None:
        """Inspected over all, a percentage with two decimals."""
        if not self.total:
            return None
        return (Decimal(100 * self.inspected) / self.total).quantize(Decimal("0.01"), ROUND_HALF_UP)


CoverageBy = Literal["kind", "county", "risk"]
# Grouping key, label field, and the labels of the key's values.
_COVERAGE: dict[str, tuple[str, str, dict[str, str]]] = {
    "kind": ("kind", "kind", dict(UnitKind.choices)),
    "county": ("county_id", "county__name", {}),
    "risk": ("risk_level", "risk_level", dict(RiskLevel.choices)),
}


def _inspected(term: Term) -> Exists:
    return Exists(Assignment.objects.filter(round__term=term, unit=OuterRef("pk")))


def coverage(*, term: Term, by: CoverageBy = "kind") -> list[CoverageRow]:
    """Units inspected in the term so far against all units, by kind, county or risk
    level (全覆盖: every unit once in the term)."""
    key, label, labels = _COVERAGE[by]
    rows = (
        Unit.objects.annotate(done=_inspected(term)).values(key, label)
        .annotate(total=Count("id"), inspected=Count("id", filter=Q(done=True))).order_by(label)
    )  # fmt: skip
    return [
        CoverageRow(
            labels.get(r[label], r[label] or "（未归属县市区）"), r["total"], r["inspected"], r[key]
        )
        for r in rows
    ]


def uninspected(*, term: Term) -> QuerySet[Unit]:
    """The units no round of the term has yet been assigned to, in code order."""
    return (
        Unit.objects.annotate(done=_inspected(term)).filter(done=False)
        .select_related("county").order_by("code")
    )  # fmt: skip


def current_term(today: dt.date) -> Term | None:
    """The term whose years include today's, else the latest that has begun."""
    terms = Term.objects.filter(start_year__lte=today.year).order_by("-start_year", "-id")
    return terms.filter(end_year__gte=today.year).first() or terms.first()


def in_period(
    queryset: QuerySet[Any], *, year: int | None = None, term: int | None = None,
    path: str = "round__start_date",
) -> QuerySet[Any]:  # fmt: skip
    """Rows whose round started in the year or within the term's years: the same test
    the figures page counts by, so a figure's drill-down list shows the same rows."""
    if year:
        queryset = queryset.filter(**{f"{path}__year": year})
    if term and (t := Term.objects.filter(pk=term).first()):
        queryset = queryset.filter(**{f"{path}__year__range": (t.start_year, t.end_year)})
    elif term:
        queryset = queryset.none()
    return queryset
