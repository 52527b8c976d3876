"""Reads of the plan: rounds with their teams, and coverage of a term."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, When
from django.shortcuts import get_object_or_404

from xuncha.accounts.access import restrict, team_ids
from xuncha.accounts.models import User
from xuncha.common.history import Entry, entries
from xuncha.units.models import RiskLevel, Unit, UnitKind

from .models import Assignment, Cadre, MemberRole, Round, Team, TeamMember, Term


def term_list() -> QuerySet[Term]:
    """Every term, the latest first, with its number of rounds."""
    return Term.objects.annotate(rounds_count=Count("rounds")).order_by("-start_year", "-id")


def term_detail(*, pk: int) -> Term:
    return get_object_or_404(Term, pk=pk)


def cadre_list(*, q: str = "") -> QuerySet[Cadre]:
    """The cadre pool with home units and accounts; ``q`` matches a name, a title or the
    home unit's name (namesakes are told apart by their unit)."""
    cadres = Cadre.objects.select_related("home_unit", "user")
    if q.strip():
        q = q.strip()
        cadres = cadres.filter(
            Q(name__icontains=q) | Q(title__icontains=q) | Q(home_unit__name__icontains=q)
        )
    return cadres.annotate(teams_count=Count("teams")).order_by("name", "home_unit__code", "id")


def cadre_detail(*, pk: int) -> Cadre:
    cadres = Cadre.objects.select_related("home_unit", "user")
    return get_object_or_404(cadres, pk=pk)


def cadre_teams(cadre: Cadre) -> QuerySet[TeamMember]:
    """The cadre's places in teams, the latest round first."""
    return (
        TeamMember.objects.filter(cadre=cadre).select_related("team__round")
        .order_by("-team__round__start_date", "team__number")
    )  # fmt: skip


def round_list(*, user: User, active_on: dt.date | None = None, year: int | None = None,
               term: int | None = None) -> QuerySet[Round]:  # fmt: skip
    """Rounds the user may see; ``active_on`` keeps those in progress that day, ``year``
    / ``term`` those begun then (as the figures page and the leader's home count them)."""
    rounds = restrict(Round.objects.all(), user).select_related("term")
    rounds = in_period(rounds, year=year, term=term, path="start_date")
    if active_on is not None:
        rounds = rounds.filter(start_date__lte=active_on, end_date__gte=active_on)
    return rounds.order_by("-start_date", "-id")


# Leader first, then deputies, then members.
_ROLE_ORDER = Case(
    When(role=MemberRole.LEADER, then=0), When(role=MemberRole.DEPUTY, then=1), default=2
)
_MEMBERS = TeamMember.objects.select_related("cadre__home_unit").order_by(
    _ROLE_ORDER, "cadre__name", "id"
)
_ASSIGNED = Assignment.objects.select_related("unit").order_by("unit__code")


def _teams(user: User) -> QuerySet[Team]:
    """Teams the user may see, each with its members (leader first) and assigned units."""
    return restrict(Team.objects.all(), user).prefetch_related(
        Prefetch("teammember_set", queryset=_MEMBERS), Prefetch("assignments", queryset=_ASSIGNED)
    )


def round_rows(*, user: User, **filters: Any) -> QuerySet[Round]:
    """The rounds list: :func:`round_list` with each round's number of teams and of
    assigned units (counted in the same query)."""
    return round_list(user=user, **filters).annotate(
        teams_count=Count("teams", distinct=True),
        units_count=Count("assignments", distinct=True),
    )


def round_detail(*, user: User, pk: int) -> Round:
    """A round the user may see, with the teams they may see in order (第一、第二…),
    each with its members (leader first) and assigned units."""
    teams = _teams(user).order_by("number", "id")
    rounds = restrict(Round.objects.all(), user).prefetch_related(Prefetch("teams", queryset=teams))
    return get_object_or_404(rounds.select_related("term"), pk=pk)


def round_for_change(*, user: User, pk: int) -> Round:
    """A round the user may change (404 for anyone else: no hint that it exists)."""
    rounds = restrict(Round.objects.all(), user, "change").select_related("term")
    return get_object_or_404(rounds, pk=pk)


def team_detail(*, user: User, pk: int) -> Team:
    """A team the user may see, with its round, members and assigned units."""
    return get_object_or_404(_teams(user).select_related("round__term"), pk=pk)


def member_detail(*, team: Team, pk: int) -> TeamMember:
    members = TeamMember.objects.filter(team=team).select_related("cadre__home_unit")
    return get_object_or_404(members, pk=pk)


def assignment_detail(*, team: Team, pk: int) -> Assignment:
    return get_object_or_404(Assignment.objects.filter(team=team).select_related("unit"), pk=pk)


def round_history(rnd: Round) -> list[Entry]:
    """The round's own changes and the teams made or removed in it."""
    teams = Team.history.filter(round_id=rnd.pk, history_type__in=["+", "-"])
    rows = [*rnd.history.select_related("history_user"), *teams.select_related("history_user")]
    return entries(rows, hide=("round",), subjects={Team: "巡察组"}, newest_first=True)


def team_history(team: Team) -> list[Entry]:
    """The team's changes with its members' and assigned units' (added, changed,
    removed, with the reason), newest first."""
    rows = [
        *team.history.select_related("history_user"),
        *TeamMember.history.filter(team_id=team.pk).select_related("history_user"),
        *Assignment.history.filter(team_id=team.pk).select_related("history_user"),
    ]
    subjects: dict[type[Any], str] = {TeamMember: "巡察组成员", Assignment: "被巡察单位"}
    return entries(rows, hide=("round", "team"), subjects=subjects, newest_first=True)


def recorded_work(assignment: Assignment) -> list[str]:
    """What the team has recorded for the assigned unit, as the refusal to unassign it
    says it: the findings by their descriptions, the rest counted (four queries)."""
    from xuncha.findings.models import Finding, ImmediateItem, Lead, Talk

    where = {"round_id": assignment.round_id, "team_id": assignment.team_id,
             "unit_id": assignment.unit_id}  # fmt: skip
    out = []
    findings = list(
        Finding.objects.filter(**where).order_by("id").values_list("description", flat=True)[:6]
    )
    if findings:
        shown = "、".join(f"「{_short(d)}」" for d in findings[:5])
        more = Finding.objects.filter(**where).count() if len(findings) > 5 else len(findings)
        out.append(f"问题 {more} 条（{shown}{'等' if more > 5 else ''}）")
    for model, label in ((Talk, "谈话记录"), (Lead, "问题线索"), (ImmediateItem, "立行立改事项")):
        if n := model.objects.filter(**where).count():
            out.append(f"{label} {n} 条")
    return out


def _short(text: str, limit: int = 20) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def unit_assignments(*, user: User, unit: Unit) -> QuerySet[Assignment]:
    """The rounds in which the unit was assigned, as far as the user may see, latest first."""
    rows = restrict(Assignment.objects.filter(unit=unit), user)
    return rows.select_related("round__term", "team").order_by("-round__start_date", "-id")


def unit_cadres(unit: Unit) -> QuerySet[Cadre]:
    """The pool's cadres whose home unit this is (they must recuse from it)."""
    return Cadre.objects.filter(home_unit=unit).select_related("home_unit").order_by("name", "id")


def team_units(user: User) -> QuerySet[Assignment]:
    """The units assigned to the user's teams (their work pages), in team order."""
    return (
        restrict(Assignment.objects.all(), user).filter(team_id__in=team_ids(user))
        .select_related("team", "unit", "round").order_by("-round__start_date", "team__number", "unit__code")
    )  # fmt: skip


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


def inspected_q(term: Term | int | None = None, year: int | None = None) -> Exists:
    """The coverage test: the unit has been assigned to a round filed under the term
    (and, given a year, begun that year); with neither, to any round."""
    assigned = Assignment.objects.filter(unit=OuterRef("pk"))
    if term:
        assigned = assigned.filter(round__term=term)
    if year:
        assigned = assigned.filter(round__start_date__year=year)
    return Exists(assigned)


def by_coverage(units: QuerySet[Unit], *, inspected: bool, term: Term | int | None = None,
                year: int | None = None) -> QuerySet[Unit]:  # fmt: skip
    """The units already inspected (or not yet) in the term, or in the year: the units
    list's ``?inspected=`` with the figures page's coverage test (:func:`coverage`,
    :func:`uninspected`), so the list counts what the figures say."""
    done = inspected_q(term, year)
    return units.filter(done if inspected else ~done)


def coverage(*, term: Term, by: CoverageBy = "kind") -> list[CoverageRow]:
    """Units inspected in the term so far against all units, by kind, county or risk
    level (全覆盖: every unit once in the term)."""
    key, label, labels = _COVERAGE[by]
    rows = (
        Unit.objects.annotate(done=inspected_q(term)).values(key, label)
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
        Unit.objects.annotate(done=inspected_q(term)).filter(done=False)
        .select_related("county").order_by("code")
    )  # fmt: skip


def current_term(today: dt.date) -> Term | None:
    """The term whose years include today's, else the latest that has begun."""
    terms = Term.objects.filter(start_year__lte=today.year).order_by("-start_year", "-id")
    return terms.filter(end_year__gte=today.year).first() or terms.first()


def in_period(
    queryset: QuerySet[Any], *, year: int | None = None, term: int | Term | None = None,
    path: str = "round__start_date",
) -> QuerySet[Any]:  # fmt: skip
    """Rows whose round started in the year or within the term's years: the same test
    the figures page counts by, so a figure's drill-down list shows the same rows.
    ``term`` is an id (from a URL) or a term already read (not read again)."""
    if year:
        queryset = queryset.filter(**{f"{path}__year": year})
    t = term if isinstance(term, Term) else None
    if isinstance(term, int) and term:
        t = Term.objects.filter(pk=term).first()
    if t is not None:
        queryset = queryset.filter(**{f"{path}__year__range": (t.start_year, t.end_year)})
    elif term:
        queryset = queryset.none()
    return queryset


# The term plan (届内全覆盖规划) and its progress --------------------------------------


def term_plans(term: Term) -> QuerySet[Any]:
    """The term's plan proposals, the latest first."""
    from .models import TermPlan

    return TermPlan.objects.filter(term=term).select_related("created_by").order_by("-number")


def current_plan(term: Term) -> Any:
    """The term's plan in force: the latest proposal that is neither refused nor superseded."""
    from .models import TermPlanStatus

    return term_plans(term).filter(status__in=[TermPlanStatus.DRAFT, TermPlanStatus.PARTLY]).first()


def plan_detail(*, pk: int) -> Any:
    from .models import TermPlan

    return get_object_or_404(TermPlan.objects.select_related("term", "created_by"), pk=pk)


def plan_entries(plan: Any) -> QuerySet[Any]:
    """The plan's entries with their units (township, county) and slots, in slot, team
    and code order."""
    return plan.entries.select_related(
        "unit__parent", "unit__county", "slot__round", "moved_by"
    ).order_by("slot__index", "team_key", "unit__code")


@dataclass(frozen=True)
class SlotProgress:
    slot: Any
    planned: int
    committed: int  # units assigned in the slot's committed round
    inspected: int  # planned units with an assignment in a round of the term
    past: bool  # the slot's period is over
    late: list[Unit]  # planned for a past slot, not inspected yet


def plan_progress(plan: Any, *, today: dt.date) -> list[SlotProgress]:
    """Planned vs committed vs inspected per slot; units planned for past slots but not
    yet inspected (their slot ended before ``today``)."""
    from .termplan import Params, slot_dates

    per_year = Params.of(plan.params).rounds_per_year
    done = set(
        Assignment.objects.filter(round__term=plan.term_id).values_list("unit_id", flat=True)
    )
    by_slot: dict[int, list[Unit]] = {}
    for e in plan.entries.select_related("unit").order_by("unit__code"):
        by_slot.setdefault(e.slot_id, []).append(e.unit)
    rows = []
    for slot in plan.slots.select_related("round").order_by("index"):
        units = by_slot.get(slot.pk, [])
        committed = slot.round.assignments.count() if slot.round_id else 0
        past = slot_dates(slot.year, slot.number, per_year)[1] < today
        late = [u for u in units if u.pk not in done] if past else []
        rows.append(SlotProgress(slot, len(units), committed,
                                 sum(u.pk in done for u in units), past, late))  # fmt: skip
    return rows
