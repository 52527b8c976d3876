"""The demo city reproduces seed 004's supervision figures from its own data, built
through the services (issue 18, item 8): 45 units assessed, completion 97.3%, 911 rules
made or revised, and planted sham cases that the signals find."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from web.demo_world import DemoStack
from xuncha.accounts.models import User
from xuncha.demo.city import DemoCity
from xuncha.demo.supervision import DemoSupervision, summary
from xuncha.rectifications.models import RectificationItem, Status
from xuncha.rectifications.selectors import completion, rules_made_counts
from xuncha.sham.models import Signal, SignalKind, SignalStatus
from xuncha.supervision.models import (
    Assessment,
    Card,
    CheckResult,
    Grade,
    PrefillKey,
    ReverseCheckSample,
    Score,
)
from xuncha.supervision.selectors import assessment_results, follow_up_list

pytestmark = pytest.mark.demo_city("petitions", "supervision")
SEEDED: dict[str, DemoSupervision] = {}


@pytest.fixture(scope="module")
def city(demo_city: DemoStack) -> Iterator[DemoCity]:
    """The session's demo city with its petitions and the supervision (web.demo_world)."""
    with demo_city.module("petitions", "supervision") as seeded:
        SEEDED["supervision"] = seeded["supervision"]
        yield demo_city.city


@pytest.fixture
def seeded(city, db) -> DemoSupervision:
    return SEEDED["supervision"]


def _office() -> User:
    return User.objects.get(username="office")


def test_45_units_assessed_and_graded(seeded) -> None:
    assessment = Assessment.objects.get(pk=seeded.assessment_id)
    assert assessment.units.count() == 45 == len(seeded.unit_ids)
    results = assessment_results(assessment)
    assert len(results) == 45 and all(r.complete for r in results)
    grades = set(seeded.grades)
    assert {Grade.GOOD, Grade.POOR} <= grades and grades & {Grade.FAIR, Grade.AVERAGE}
    assert sum(seeded.grades.values()) == 45


def test_completion_is_97_3(seeded) -> None:
    [row] = completion(user=_office(), unit_id__in=seeded.unit_ids)
    assert row.rate == Decimal("97.3") and row.total % 37 == 0
    assert (row.total, row.closed) == (seeded.rate.total, seeded.rate.closed)


def test_911_rules(seeded) -> None:
    counts = rules_made_counts(user=_office(), unit_id__in=seeded.unit_ids)["overall"]
    assert counts.total == 911 == seeded.rules
    assert counts.made and counts.revised
    assert rules_made_counts(user=_office())["overall"].total == 911


def test_every_signal_kind_found(seeded) -> None:
    found = set(Signal.objects.filter(gone_on__isnull=True).values_list("kind", flat=True))
    assert found == set(SignalKind.values)
    assert Signal.objects.filter(status=SignalStatus.CONFIRMED).exists()
    assert Card.objects.filter(cleared_on__isnull=True).exists()  # the cards were derived


def test_follow_up_and_interview(seeded) -> None:
    entries = follow_up_list(user=_office(), assessment_id=seeded.assessment_id)
    assert entries.count() == seeded.follow_ups >= 1
    entry = entries.first()
    assert entry.grade == Grade.POOR and entry.interview.status == "pending"


def test_reverse_check_reopens_an_item(seeded) -> None:
    sample = ReverseCheckSample.objects.get(
        reverse_check_id=seeded.reverse_check_id, result=CheckResult.NOT_AS_REPORTED
    )
    assert sample.reopened_at is not None and sample.priority
    item = RectificationItem.objects.get(pk=seeded.reopened_item_id)
    assert item.pk == sample.item_id and item.status == Status.IN_PROGRESS
    history = item.history.order_by("history_date", "history_id").values_list("status", flat=True)
    assert list(history)[-2:] == [Status.CLOSED, Status.IN_PROGRESS]
    assert (seeded.contradicted, seeded.sampled) == (1, 45)  # one closed item drawn per unit


def test_common_problem_pushed_and_answered(seeded) -> None:
    assert seeded.selfcheck_tasks >= 5 and seeded.selfcheck_answered == 5


def test_prefilled_points_kept_and_every_score_has_a_basis(seeded) -> None:
    scores = Score.objects.filter(assessment_id=seeded.assessment_id).select_related("indicator")
    assert scores.count() == 45 * 13
    assert not scores.exclude(override_reason="").exists()  # nothing the ledger decided overridden
    prefilled = scores.filter(prefilled_points__isnull=False)
    assert prefilled.exists() and all(s.points == s.prefilled_points for s in prefilled)
    assert all(s.note or s.prefill_source for s in scores)
    # The surveyed units' satisfaction item is pre-filled from their surveys.
    surveyed = scores.filter(
        indicator__prefill=PrefillKey.SATISFACTION, prefilled_points__isnull=False
    )
    assert surveyed.count() == 6
    assert all("满意度测评" in s.prefill_source for s in surveyed)


def test_the_demo_prints_the_figures_in_chinese(seeded) -> None:
    text = summary(seeded)
    assert "45 个单位百分制量化评估" in text and "整改完成率 97.3%（" in text
    assert "建章立制 911 项" in text and "虚假整改疑点" in text
    assert seeded.cards["red"] + seeded.cards["yellow"] > 0
