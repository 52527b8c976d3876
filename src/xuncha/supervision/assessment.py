"""Every write to assessments (评估) and their scores.

An assessment scores a round's units, or chosen units, under the current version of an
indicator system; opening it freezes that version and pre-fills the points the ledger
decides, each with its source. The supervisor confirms or overrides them (with a
reason) and scores the rest. A score is saved against the version the page showed: a
save based on an older one is refused, nothing is overwritten silently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from xuncha.accounts.access import allowed
from xuncha.accounts.models import User
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.common.models import Evidence
from xuncha.common.services import check_version, save_versioned
from xuncha.planning.models import Assignment, Round
from xuncha.rectifications.models import RectificationItem
from xuncha.surveys.selectors import Satisfaction, satisfaction_by_unit
from xuncha.units.models import Unit

from .models import Assessment, Indicator, IndicatorKind, IndicatorVersion, PrefillKey, Score
from .selectors import PLAN_DAYS, Measures, ledger_measures

PER_ITEM = Decimal(1)  # a counted item (overdue, closed without evidence, late plan) costs 1 point
CENT = Decimal("0.01")


def _check_role(by: User) -> None:
    if not allowed(by, "assessment.score"):
        raise PermissionDenied("只有巡察办或督查人员可以开展评估和评分。")


def prefill(
    indicator: Indicator, m: Measures, today: dt.date, satisfaction: Satisfaction | None = None
) -> tuple[Decimal, str] | None:
    """The points the data decide for ``indicator`` and where they come from, or None
    when the indicator names no measure (or is not a deduction or penalty item), or names
    the satisfaction rate and no survey of the unit has answers yet."""
    key = indicator.prefill
    if not key or indicator.kind not in (IndicatorKind.DEDUCTION, IndicatorKind.PENALTY):
        return None
    if key in (PrefillKey.COMPLETION_RATE, PrefillKey.SATISFACTION) and (
        indicator.kind != IndicatorKind.DEDUCTION
    ):
        return None
    if key == PrefillKey.SATISFACTION:
        if satisfaction is None or satisfaction.rate is None:
            return None
        points = (indicator.points * satisfaction.rate / 100).quantize(CENT, ROUND_HALF_UP)
        return points, f"{satisfaction.source}；按满意率 {satisfaction.rate}% 折算"
    asof = f"（台账，截至 {today:%Y-%m-%d}）"
    if key == PrefillKey.COMPLETION_RATE:
        if m.rate is None:
            return indicator.points, f"无整改事项，按满分计{asof}"
        points = (indicator.points * m.closed / m.total).quantize(CENT, ROUND_HALF_UP)
        source = (
            f"整改事项 {m.total} 项，已销号 {m.closed} 项，完成率 {m.rate}%，按完成率折算{asof}"
        )
        return points, source
    count, what = {
        PrefillKey.OVERDUE: (m.overdue, "已过整改时限未销号的事项"),
        PrefillKey.CLOSED_WITHOUT_EVIDENCE: (m.closed_without_evidence, "已销号但无整改证据的事项"),
        PrefillKey.PLAN_ACCEPTED_LATE: (m.plan_accepted_late, f"反馈后 {PLAN_DAYS} 日内未认可整改方案的事项"),
    }[PrefillKey(key)]  # fmt: skip
    cost = min(indicator.points, PER_ITEM * count)
    points = cost if indicator.kind == IndicatorKind.PENALTY else indicator.points - cost
    return points, f"{what} {count} 项，每项 {PER_ITEM} 分，扣完为止{asof}"


def prefill_contradicted(
    indicator: Indicator, m: Measures, today: dt.date
) -> tuple[int, str] | None:
    """A veto item's count of contradicted items from reverse checks, and its source."""
    if indicator.kind != IndicatorKind.VETO or indicator.prefill != PrefillKey.NOT_AS_REPORTED:
        return None
    return m.not_as_reported, (
        f"销号反向核查认定与报告不符的事项 {m.not_as_reported} 项（截至 {today:%Y-%m-%d}）"
    )


def _units_of(round_: Round | None, units: Iterable[Unit] | None) -> list[Unit]:
    if units is not None:
        return sorted({u.pk: u for u in units}.values(), key=lambda u: u.pk)
    if round_ is None:
        raise ServiceError("请选择一个轮次，或选择要评估的单位。")
    ids = Assignment.objects.filter(round=round_).values_list("unit_id", flat=True)
    return list(Unit.objects.filter(pk__in=ids).order_by("pk"))


def assessment_create(
    *, name: str, version: IndicatorVersion, by: User, today: dt.date,
    round: Round | None = None, units: Iterable[Unit] | None = None,
) -> Assessment:  # fmt: skip
    """Open an assessment of ``round``'s units (or of ``units``) under ``version``, which
    must be its system's current version; every unit × indicator gets a score row,
    pre-filled where the ledger decides."""
    _check_role(by)
    chosen = _units_of(round, units)
    if not chosen:
        raise ServiceError("没有要评估的单位：该轮次尚未安排被巡察单位，或未选择单位。")
    with transaction.atomic():
        version = IndicatorVersion.objects.select_for_update().get(pk=version.pk)
        latest = version.system.versions.order_by("-number").first()
        if latest is not None and latest.pk != version.pk:
            raise ServiceError(
                f"「{version.system}」第 {version.number} 版已被第 {latest.number} 版取代，"
                "新的评估请使用最新版本。"
            )
        if not version.frozen:
            version.frozen = True
            version._history_user = by  # type: ignore[attr-defined]
            version.save(update_fields=["frozen", "updated_at"])
        assessment = Assessment(name=name.strip() or "整改评估", indicator_version=version,
                                round=round, supervisor=by)  # fmt: skip
        assessment._history_user = by  # type: ignore[attr-defined]
        assessment.save()
        assessment.units.set(chosen)
        _create_scores(assessment, chosen, today)
    return assessment


def _create_scores(assessment: Assessment, units: list[Unit], today: dt.date) -> None:
    indicators = list(Indicator.objects.filter(dimension__version=assessment.indicator_version))
    ids = [u.pk for u in units]
    measures = ledger_measures(unit_ids=ids, round_id=assessment.round_id, today=today)
    surveyed = (
        satisfaction_by_unit(ids, round_id=assessment.round_id)
        if any(i.prefill == PrefillKey.SATISFACTION for i in indicators)
        else {}
    )
    rows = []
    for unit in units:
        for indicator in indicators:
            filled = prefill(indicator, measures[unit.pk], today, surveyed.get(unit.pk))
            count = prefill_contradicted(indicator, measures[unit.pk], today)
            rows.append(Score(
                assessment=assessment, unit=unit, indicator=indicator,
                points=filled[0] if filled else None, prefilled_points=filled[0] if filled else None,
                contradicted=count[0] if count else None,
                prefilled_contradicted=count[0] if count else None,
                prefill_source=filled[1] if filled else count[1] if count else "",
            ))  # fmt: skip
    Score.objects.bulk_create(rows)


def _check_value(indicator: Indicator, points: Decimal | None, contradicted: int | None) -> None:
    if indicator.kind == IndicatorKind.VETO:
        if contradicted is None or contradicted < 0 or points is not None:
            raise ServiceError(
                f"「{indicator.name}」是一票否决项：请填写与事实不符的事项数（不小于 0 的整数），不填得分。"
            )
        return
    if points is None or contradicted is not None:
        raise ServiceError(f"「{indicator.name}」请填写得分。")
    if not Decimal(0) <= points <= indicator.points or points != points.quantize(CENT):
        raise ServiceError(
            f"「{indicator.name}」得分须在 0 至 {indicator.points} 分之间（最多两位小数），收到 {points}。"
        )


def score_save(
    *, score: Score, by: User, version: int, indicator_version_id: int,
    points: Decimal | None = None, contradicted: int | None = None, note: str = "",
    override_reason: str = "", items: Iterable[RectificationItem] = (),
    evidence: Iterable[Evidence] = (),
) -> Score:  # fmt: skip
    """Save one score as the supervisor saw it: ``version`` is the score's version and
    ``indicator_version_id`` the indicator version the page was built from."""
    _check_role(by)
    items, evidence = list(items), list(evidence)
    with transaction.atomic():
        current = (
            Score.objects.select_for_update()
            .select_related("indicator", "assessment__indicator_version")
            .get(pk=score.pk)
        )
        used = current.assessment.indicator_version
        if indicator_version_id != used.pk:
            raise ServiceError(
                f"评分页面所依据的指标体系版本已不是本评估使用的版本（{used}），请刷新页面后重新评分。"
            )
        check_version(current, version, "评分", redo="评分")
        indicator = current.indicator
        _check_value(indicator, points, contradicted)
        current.points, current.contradicted = points, contradicted
        overridden = current.overridden
        was = current.prefilled_contradicted
        if overridden and not override_reason.strip():
            shown = f"{was} 项" if was is not None else f"{current.prefilled_points} 分"
            raise ServiceError(
                f"「{indicator.name}」改动了台账预填的{'事项数' if was is not None else '得分'}（{shown}，"
                f"来源：{current.prefill_source}），请写明理由。"
            )  # fmt: skip
        if any(item.unit_id != current.unit_id for item in items):
            raise ServiceError("关联的整改事项须是本单位的事项。")
        if indicator.evidence_required and not evidence and not items:
            raise ServiceError(f"「{indicator.name}」须附证据：请关联整改事项或证据材料。")
        current.note = note.strip()
        current.override_reason = override_reason.strip() if overridden else ""
        current.scored_by = by
        save_versioned(
            current, by, ["points", "contradicted", "note", "override_reason", "scored_by"]
        )
        current.items.set(items)
        current.evidence.set(evidence)
    return current
