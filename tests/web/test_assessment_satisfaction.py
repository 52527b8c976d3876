"""The satisfaction item of an assessment is pre-filled from the unit's satisfaction
surveys (满意 + 基本满意 over all answers), with the survey named as its source; a unit
nobody has answered for is left to the supervisor; the measure fits deduction items only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from web.test_supervision_indicators import good_rows, row
from xuncha.common.errors import ServiceError
from xuncha.supervision import assessment as svc
from xuncha.supervision import services
from xuncha.supervision.indicators import DimensionSpec, IndicatorSpec, VersionSpec, parse_rows
from xuncha.supervision.models import IndicatorKind, PrefillKey
from xuncha.surveys import services as surveys

TODAY = dt.date(2024, 7, 1)
SPEC = VersionSpec([
    DimensionSpec("群众满意度", Decimal(100), [
        IndicatorSpec("群众满意度测评", IndicatorKind.DEDUCTION, Decimal(10),
                      prefill=PrefillKey.SATISFACTION),
        IndicatorSpec("其他", IndicatorKind.DEDUCTION, Decimal(90)),
    ]),
])  # fmt: skip


def _survey(world, unit, answers: dict[str, int]):
    today = timezone.localdate()
    survey = surveys.survey_open(unit=unit, by=world.users["office"], title="整改满意度测评",
                                 round=None, opens_on=today - dt.timedelta(days=1),
                                 closes_on=today + dt.timedelta(days=9))  # fmt: skip
    for answer, n in answers.items():
        for _ in range(n):
            surveys.response_submit(survey=survey, group="public", answer=answer)
    return survey


def test_the_satisfaction_item_is_prefilled_from_the_units_surveys(world) -> None:
    # 5 满意 + 2 基本满意 of 8 answers: 87.50%, so 8.75 of 10 points.
    _survey(world, world.unit, {"satisfied": 5, "fairly": 2, "unsatisfied": 1})
    version = services.indicator_version_import(
        spec=SPEC, system_name="满意度", by=world.users["office"]
    )
    a = svc.assessment_create(name="评估", version=version, by=world.users["supervisor"], today=TODAY,
                              units=[world.unit, world.other_unit])  # fmt: skip
    mine = a.scores.get(unit=world.unit, indicator__name="群众满意度测评")
    assert mine.points == mine.prefilled_points == Decimal("8.75")
    assert "整改满意度测评" in mine.prefill_source and "87.50%" in mine.prefill_source
    # Nobody answered for the other unit: nothing is pre-filled, the supervisor scores it.
    other = a.scores.get(unit=world.other_unit, indicator__name="群众满意度测评")
    assert other.points is None and other.prefilled_points is None and other.prefill_source == ""
    # Changing the pre-filled points needs a reason, as for the ledger's measures.
    with pytest.raises(ServiceError, match="请写明理由"):
        svc.score_save(score=mine, by=world.users["supervisor"], version=mine.version,
                       indicator_version_id=version.pk, points=Decimal(10))  # fmt: skip


def test_the_satisfaction_measure_is_refused_on_a_penalty_item() -> None:
    rows = [*good_rows(), row("", "", "满意度", "减分项", "5", prefill="群众满意度测评满意率")]
    with pytest.raises(ServiceError, match="群众满意度测评满意率只用于扣分项"):
        parse_rows(rows)
