"""Reads of the plan: rounds with their teams, and coverage of a term."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from xuncha.accounts.access import restrict
from xuncha.accounts.models import User
from xuncha.units.models import Unit, UnitKind

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

    @property
    def remaining(self) -> int:
        return self.total - self.inspected


def coverage(*, term: Term, by: str = "kind") -> list[CoverageRow]:
    """Units inspected in the term so far against all units, by kind or by county
    (全覆盖: every unit once in the term)."""
    done = Exists(Assignment.objects.filter(round__term=term, unit=OuterRef("pk")))
    key = "kind" if by == "kind" else "county__name"
    labels = dict(UnitKind.choices) if by == "kind" else {}
    rows = (
        Unit.objects.annotate(done=done).values(key)
        .annotate(total=Count("id"), inspected=Count("id", filter=Q(done=True))).order_by(key)
    )  # fmt: skip
    return [
        CoverageRow(labels.get(r[key], r[key] or "（未归属县市区）"), r["total"], r["inspected"])
        for r in rows
    ]
