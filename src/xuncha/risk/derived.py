"""Indicators derived from Xuncha's own records, per unit and year, each aggregated in
SQL (one grouped query per indicator, never a query per unit) and stored as
IndicatorValue with ``source`` naming the query in words.

- petitions_received: petitions about the unit received that year (duplicates not counted);
- petitions_to_findings: such petitions, received up to that year, that became a finding;
- findings_past, findings_money: findings in rounds begun up to that year, and their amount
  (万元);
- rectification_rate: of the rectification items of those rounds, the share closed (%);
- assessment_grade: the grade of the unit's latest complete rectification assessment made up
  to that year (1 好 … 4 差), where the supervision app has one;
- years_since_inspection: the year minus the year of the unit's latest round begun up to
  that year (an assignment); 10 for a unit never inspected (villages, communities and the
  kinds the active model classifies).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Max, Q, Sum

from xuncha.accounts.models import User
from xuncha.findings.models import Finding
from xuncha.petitions.models import Petition
from xuncha.planning.models import Assignment
from xuncha.rectifications.models import RectificationItem, Status
from xuncha.units.models import Unit, UnitKind

from .models import Indicator, IndicatorValue, RiskModel, Source
from .services import _office, install_catalogue
from .spec import Spec

NEVER_INSPECTED = 10.0
GRADE_NUMBER = {"good": 1.0, "fair": 2.0, "average": 3.0, "poor": 4.0}
Rows = Iterable[tuple[int, float]]


def _petitions_received(year: int) -> Rows:
    return (
        Petition.objects.filter(unit__isnull=False, received_on__year=year,
                                duplicate_of__isnull=True)
        .values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n")
    )  # fmt: skip


def _petitions_to_findings(year: int) -> Rows:
    return (
        Petition.objects.filter(unit__isnull=False, received_on__year__lte=year,
                                finding__isnull=False)
        .values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n")
    )  # fmt: skip


def _findings(year: int) -> Rows:
    return (
        Finding.objects.filter(round__start_date__year__lte=year)
        .values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n")
    )  # fmt: skip


def _findings_money(year: int) -> Rows:
    rows = (
        Finding.objects.filter(round__start_date__year__lte=year)
        .values("unit_id").annotate(s=Sum("amount")).values_list("unit_id", "s")
    )  # fmt: skip
    return ((u, round(float(s or 0) / 10000, 4)) for u, s in rows)


def _rectification_rate(year: int) -> Rows:
    rows = (
        RectificationItem.objects.filter(round__start_date__year__lte=year)
        .values("unit_id")
        .annotate(n=Count("pk"), closed=Count("pk", filter=Q(status=Status.CLOSED)))
        .values_list("unit_id", "n", "closed")
    )  # fmt: skip
    return ((u, round(100.0 * c / n, 2)) for u, n, c in rows if n)


def _assessment_grade(year: int) -> Rows:
    try:
        from xuncha.supervision.models import Assessment
        from xuncha.supervision.selectors import grade_of, unit_results
    except ImportError:  # pragma: no cover - the supervision app is optional
        return []
    assessments = {
        a.pk: a for a in Assessment.objects.filter(created_at__year__lte=year)
        .select_related("indicator_version").order_by("created_at", "pk")
    }  # fmt: skip
    latest: dict[int, float] = {}
    results = unit_results(list(assessments))
    for pk, a in assessments.items():  # oldest first: a later assessment replaces
        for r in results.get(pk, []):
            if r.scored == r.indicators:
                latest[r.unit_id] = GRADE_NUMBER[grade_of(r.total, a.indicator_version)]
    return latest.items()


def _years_since_inspection(year: int) -> Rows:
    last = dict(
        Assignment.objects.filter(round__start_date__year__lte=year)
        .values("unit_id").annotate(y=Max("round__start_date__year")).values_list("unit_id", "y")
    )  # fmt: skip
    model = RiskModel.objects.filter(active=True).first()
    kinds = set(Spec.from_json(model.spec).kinds) if model else set()
    kinds |= {UnitKind.VILLAGE, UnitKind.COMMUNITY}
    never = (
        Unit.objects.filter(kind__in=kinds).exclude(pk__in=list(last)).values_list("pk", flat=True)
    )
    return [(u, float(year - y)) for u, y in last.items()] + [(u, NEVER_INSPECTED) for u in never]


QUERIES = {
    "petitions_received": (_petitions_received, "本系统信访件：{year}年收到的反映本单位的信访件数（不含重复件）"),
    "petitions_to_findings": (_petitions_to_findings, "本系统信访件：{year}年及以前收到、已转为巡察问题的件数"),
    "findings_past": (_findings, "本系统巡察问题：{year}年及以前各轮巡察发现的问题个数"),
    "findings_money": (_findings_money, "本系统巡察问题：{year}年及以前各轮巡察问题涉及金额合计（万元）"),
    "rectification_rate": (_rectification_rate, "本系统整改事项：{year}年及以前各轮巡察整改事项中已销号的比例（%）"),
    "assessment_grade": (_assessment_grade, "本系统整改评估：{year}年及以前最近一次完成评分的等次（1好 2较好 3一般 4差）"),
    "years_since_inspection": (_years_since_inspection, "本系统巡察安排：{year}年与最近一轮巡察所在年度之差（从未巡察按10年计）"),
}  # fmt: skip


def refresh(year: int, *, by: User | None = None) -> int:
    """Recompute every derived indicator for ``year``: the year's earlier derived values
    are replaced whole. Returns how many values were stored."""
    _office(by)
    install_catalogue()
    indicators = dict(Indicator.objects.filter(code__in=QUERIES).values_list("code", "pk"))
    values: list[IndicatorValue] = []
    for code, (query, source) in QUERIES.items():
        text = source.format(year=year)
        values += [
            IndicatorValue(
                unit_id=u, indicator_id=indicators[code], year=year, value=float(v), source=text
            )
            for u, v in query(year)
        ]
    with transaction.atomic():
        IndicatorValue.objects.filter(
            year=year, indicator__source=Source.DERIVED, batch__isnull=True
        ).delete()
        IndicatorValue.objects.bulk_create(values, batch_size=5000)
    return len(values)
