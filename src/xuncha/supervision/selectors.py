"""Reads for indicator systems and assessments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.shortcuts import get_object_or_404

from xuncha.accounts.access import restrict
from xuncha.accounts.models import User
from xuncha.units.models import Unit

from .indicators import DimensionSpec, IndicatorSpec, VersionSpec
from .models import (
    Assessment,
    CheckResult,
    FollowUp,
    Grade,
    IndicatorKind,
    IndicatorSystem,
    IndicatorVersion,
    ReverseCheck,
    ReverseCheckSample,
    Score,
)


def indicator_systems() -> QuerySet[IndicatorSystem]:
    """Every system with its latest version number."""
    return IndicatorSystem.objects.annotate(latest=Max("versions__number")).order_by("name")


def current_version(system: IndicatorSystem) -> IndicatorVersion | None:
    """The version new assessments use: the latest."""
    return system.versions.order_by("-number").first()


def current_versions() -> QuerySet[IndicatorVersion]:
    """Every system's latest version (what new assessments use), with its system, in one
    query."""
    latest = IndicatorVersion.objects.filter(system=OuterRef("system")).order_by("-number")
    return (
        IndicatorVersion.objects.filter(number=Subquery(latest.values("number")[:1]))
        .select_related("system")
        .order_by("system__name")
    )


def assessments_between(start: dt.date, end: dt.date) -> Q:
    """Assessments of a period: those whose round began in it; one of chosen units (no
    round) when it was opened in it. The list's ``?year=`` / ``?term=`` and the figures
    page both count by this."""
    return Q(round__start_date__range=(start, end)) | Q(
        round__isnull=True, created_at__date__range=(start, end)
    )


def assessment_list(*, year: int | None = None, term: int | None = None) -> QuerySet[Assessment]:
    """Every assessment with what its list shows; ``year`` / ``term`` as
    :func:`assessments_between` (an unknown term: none)."""
    from xuncha.planning.models import Term

    found = Assessment.objects.select_related("indicator_version__system", "round", "supervisor")
    if year:
        found = found.filter(assessments_between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    if term:
        t = Term.objects.filter(pk=term).first()
        if t is None:
            return found.none()
        found = found.filter(
            assessments_between(dt.date(t.start_year, 1, 1), dt.date(t.end_year, 12, 31))
        )
    return found.order_by("-created_at", "-id")


def version_spec(version: IndicatorVersion) -> VersionSpec:
    """A stored version as its declaration (for the Excel export)."""
    dims = []
    for dim in version.dimensions.prefetch_related("indicators").order_by("order", "id"):
        dims.append(DimensionSpec(dim.name, dim.points, [
            IndicatorSpec(i.name, i.kind, i.points, i.veto_threshold, i.evidence_required, i.prefill)
            for i in sorted(dim.indicators.all(), key=lambda x: (x.order, x.id))
        ]))  # fmt: skip
    return VersionSpec(dims, version.grade_good, version.grade_fair, version.grade_average)


# Measures the ledger decides, for the pre-filled points (docs/decisions/0015).
PLAN_DAYS = 30  # a plan accepted more than this many days after feedback counts as late


@dataclass(frozen=True)
class Measures:
    """One unit's ledger figures behind the pre-filled points."""

    total: int = 0
    closed: int = 0
    overdue: int = 0
    closed_without_evidence: int = 0
    plan_accepted_late: int = 0
    not_as_reported: int = 0  # items a reverse check found not as reported (销号反向核查)

    @property
    def rate(self) -> Decimal | None:
        if not self.total:
            return None
        return (Decimal(100 * self.closed) / self.total).quantize(Decimal("0.01"), ROUND_HALF_UP)


def ledger_measures(
    *, unit_ids: list[int], round_id: int | None, today: dt.date
) -> dict[int, Measures]:
    """Each unit's measures over its ledger items (of ``round_id`` if given): one query
    for all units, whatever their number of items."""
    from xuncha.rectifications.models import ProgressReport, RectificationItem, Status

    items = RectificationItem.objects.filter(unit_id__in=unit_ids)
    if round_id is not None:
        items = items.filter(round_id=round_id)
    with_evidence = ProgressReport.evidence.through.objects.filter(
        progressreport__item=OuterRef("pk")
    )
    contradicted = ReverseCheckSample.objects.filter(
        item=OuterRef("pk"), result=CheckResult.NOT_AS_REPORTED
    )
    closed = Q(status=Status.CLOSED)
    # A plan is late when accepted (on the local day) more than PLAN_DAYS after the
    # finding was fed back, or still not accepted that long after.
    waited = ExpressionWrapper(
        TruncDate("plan_accepted_at") - F("finding__fed_back_on"), output_field=DurationField()
    )
    fed_back = Q(finding__fed_back_on__isnull=False)
    late = fed_back & (
        Q(
            plan_accepted_at__isnull=True,
            finding__fed_back_on__lt=today - dt.timedelta(days=PLAN_DAYS),
        )
        | Q(plan_accepted_at__isnull=False, waited__gt=dt.timedelta(days=PLAN_DAYS))
    )
    rows = (
        items.annotate(
            evidenced=Exists(with_evidence), contradicted=Exists(contradicted), waited=waited
        )
        .values("unit_id")
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=closed),
            overdue=Count("id", filter=~closed & Q(deadline__lt=today)),
            closed_without_evidence=Count("id", filter=closed & Q(evidenced=False)),
            not_as_reported=Count("id", filter=Q(contradicted=True)),
            plan_accepted_late=Count("id", filter=late),
        )
        .order_by()
    )
    counts = {r.pop("unit_id"): r for r in rows}
    return {u: Measures(**counts.get(u, {})) for u in unit_ids}


@dataclass(frozen=True)
class UnitResult:
    """A unit's standing in an assessment: total so far, grade once every item is scored."""

    unit_id: int
    unit_name: str
    total: Decimal
    scored: int
    indicators: int
    vetoed: bool

    @property
    def complete(self) -> bool:
        return self.scored == self.indicators


def grade_of(total: Decimal, version: IndicatorVersion) -> Grade:
    if total >= version.grade_good:
        return Grade.GOOD
    if total >= version.grade_fair:
        return Grade.FAIR
    return Grade.AVERAGE if total >= version.grade_average else Grade.POOR


def unit_total(scores: list[Score]) -> tuple[Decimal, bool]:
    """Deduction items' points plus bonus minus penalty, never below 0; 0 when a veto
    triggers (its count of contradicted items reaches the threshold)."""
    total, vetoed = Decimal(0), False
    for s in scores:
        kind = s.indicator.kind
        if kind == IndicatorKind.VETO:
            threshold = s.indicator.veto_threshold or 1
            vetoed = vetoed or (s.contradicted is not None and s.contradicted >= threshold)
        elif s.points is not None:
            total += -s.points if kind == IndicatorKind.PENALTY else s.points
    return (Decimal(0) if vetoed else max(total, Decimal(0))), vetoed


def unit_results(assessment_ids: Iterable[int]) -> dict[int, list[UnitResult]]:
    """Each assessment's units, by name, with their totals, summed in one grouped query by
    the rules of :func:`unit_total` (penalty points count against, a veto reaching its
    threshold scores 0, never below 0)."""
    points = Case(
        When(indicator__kind=IndicatorKind.PENALTY, then=-F("points")),
        When(indicator__kind=IndicatorKind.VETO, then=Value(Decimal(0))),
        default=F("points"), output_field=DecimalField(max_digits=10, decimal_places=2),
    )  # fmt: skip
    veto = Q(indicator__kind=IndicatorKind.VETO,
             contradicted__gte=Coalesce(F("indicator__veto_threshold"), 1))  # fmt: skip
    rows = (
        Score.objects.filter(assessment_id__in=list(assessment_ids))
        .values("assessment_id", "unit_id", "unit__name")
        .annotate(total=Sum(points), indicators=Count("id"), vetoes=Count("id", filter=veto),
                  filled=Count("id", filter=Q(points__isnull=False) | Q(contradicted__isnull=False)))
        .order_by("assessment_id", "unit__name", "unit_id")
    )  # fmt: skip
    out: dict[int, list[UnitResult]] = {}
    for r in rows:
        vetoed = r["vetoes"] > 0
        total = Decimal(0) if vetoed else max(r["total"] or Decimal(0), Decimal(0))
        out.setdefault(r["assessment_id"], []).append(UnitResult(
            r["unit_id"], r["unit__name"], total, r["filled"], r["indicators"], vetoed
        ))  # fmt: skip
    return out


def assessment_results(assessment: Assessment) -> list[UnitResult]:
    """Every unit's total, in one query over the assessment's scores."""
    return unit_results([assessment.pk]).get(assessment.pk, [])


def assessment_detail(*, user: User, pk: int) -> Assessment:
    """An assessment the user may see (404 otherwise)."""
    queryset = Assessment.objects.select_related("indicator_version__system", "round", "supervisor")
    return get_object_or_404(restrict(queryset, user), pk=pk)


# Follow-up (回头看) and reverse checks (销号反向核查)


def follow_up_list(
    *, user: User, round_id: int | None = None, assessment_id: int | None = None,
    status: str = "", year: int | None = None, term: int | None = None,
) -> QuerySet[FollowUp]:  # fmt: skip
    """The 回头看 list the user may see, filtered by round, assessment and status;
    ``year`` / ``term``: the entries of the period's assessments (:func:`assessment_list`)."""
    rows = restrict(FollowUp.objects.all(), user).select_related(
        "assessment__round", "unit", "interview"
    )
    if year or term:
        rows = rows.filter(assessment__in=assessment_list(year=year, term=term).values("pk"))
    if round_id is not None:
        rows = rows.filter(assessment__round_id=round_id)
    if assessment_id is not None:
        rows = rows.filter(assessment_id=assessment_id)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("status", "-created_at", "-id")


def follow_up_detail(*, user: User, pk: int) -> FollowUp:
    queryset = FollowUp.objects.select_related(
        "assessment__round", "unit", "interview", "closed_by"
    )
    return get_object_or_404(restrict(queryset, user), pk=pk)


def follow_ups_of(assessment: Assessment) -> dict[int, FollowUp]:
    """The assessment's 回头看 entries by unit id (for its results page)."""
    return {f.unit_id: f for f in assessment.follow_ups.all()}


def follow_up_of(assessment: Assessment, unit_id: int) -> FollowUp | None:
    """The unit's 回头看 entry from this assessment, if it has one."""
    return assessment.follow_ups.filter(unit_id=unit_id).first()


def reverse_check_list(*, user: User) -> QuerySet[ReverseCheck]:
    return (
        restrict(ReverseCheck.objects.all(), user)
        .select_related("round", "drawn_by")
        .annotate(
            sampled=Count("samples"),
            contradicted=Count("samples", filter=Q(samples__result=CheckResult.NOT_AS_REPORTED)),
        )
    )


def reverse_check_detail(*, user: User, pk: int) -> ReverseCheck:
    queryset = ReverseCheck.objects.select_related("round", "drawn_by")
    return get_object_or_404(restrict(queryset, user), pk=pk)


def reverse_check_samples(check: ReverseCheck) -> QuerySet[ReverseCheckSample]:
    return (
        check.samples.select_related("item__finding", "unit", "recorded_by")
        .prefetch_related("evidence")
        .order_by("unit__name", "unit_id", "id")
    )


@dataclass(frozen=True)
class UnitCheck:
    """A unit's line of a reverse check: its closed items, sampled, and results."""

    unit_id: int
    unit_name: str
    candidates: int
    sampled: int
    confirmed: int
    not_as_reported: int

    @property
    def pending(self) -> int:
        return self.sampled - self.confirmed - self.not_as_reported


def reverse_check_units(check: ReverseCheck) -> list[UnitCheck]:
    """Per unit: candidates (from the stored draw), sampled and results (one query)."""
    have: dict[int, int] = {}
    for unit_id, _ in check.candidate_ids:
        have[unit_id] = have.get(unit_id, 0) + 1
    rows = (
        check.samples.values("unit_id", "unit__name")
        .annotate(
            sampled=Count("id"),
            confirmed=Count("id", filter=Q(result=CheckResult.CONFIRMED)),
            contradicted=Count("id", filter=Q(result=CheckResult.NOT_AS_REPORTED)),
        )
        .order_by("unit__name", "unit_id")
    )
    return [
        UnitCheck(r["unit_id"], r["unit__name"], have.get(r["unit_id"], 0), r["sampled"],
                  r["confirmed"], r["contradicted"])
        for r in rows
    ]  # fmt: skip


def sample_detail(*, user: User, pk: int) -> ReverseCheckSample:
    queryset = ReverseCheckSample.objects.select_related("reverse_check", "item", "unit")
    return get_object_or_404(restrict(queryset, user), pk=pk)


def units_with_closed_items() -> QuerySet[Unit]:
    """The units a reverse check can sample from (they have closed items)."""
    from xuncha.rectifications.models import RectificationItem, Status

    closed = RectificationItem.objects.filter(status=Status.CLOSED).values("unit_id")
    return Unit.objects.filter(pk__in=closed).order_by("name", "id")
