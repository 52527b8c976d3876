"""Reads of surveys: the lists and results pages, and :func:`satisfaction_by_unit`,
what the assessment's satisfaction indicator takes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from xuncha.accounts.access import allowed
from xuncha.accounts.models import User

from .models import SATISFIED_ANSWERS, Answer, Group, Response, Survey


def rate(satisfied: int, total: int) -> Decimal | None:
    """满意 + 基本满意 over all answers, in percent with two decimals (None without any)."""
    if not total:
        return None
    return (Decimal(100 * satisfied) / total).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Satisfaction:
    responses: int
    rate: Decimal | None  # percent, 2 decimals; None when nobody answered
    source: str  # the survey(s) it comes from, in Chinese: names, dates, counts


@dataclass(frozen=True)
class GroupResult:
    group: str
    label: str
    counts: dict[str, int]  # answer value -> responses
    total: int
    rate: Decimal | None

    @property
    def cells(self) -> list[int]:
        """The counts in the answers' order (the table's columns)."""
        return [self.counts[a] for a in Answer.values]


@dataclass(frozen=True)
class Results:
    rows: list[GroupResult]  # the four groups in their order, then 合计
    answers: list[tuple[str, str]]  # (value, label) of the columns


def _require(user: User) -> None:
    if not allowed(user, "survey.manage"):
        raise Http404


def survey_list(*, user: User) -> QuerySet[Survey]:
    _require(user)
    surveys = Survey.objects.select_related("unit", "round")
    return surveys.annotate(answered=Count("responses")).order_by("-opens_on", "-id")


def survey_detail(*, user: User, pk: int) -> Survey:
    """One survey for its staff pages (404 for other roles and unknown ids)."""
    _require(user)
    return get_object_or_404(Survey.objects.select_related("unit", "round", "created_by"), pk=pk)


def survey_public(*, token: str) -> Survey:
    """The survey a public link names (404 for a forged or mistyped token)."""
    return get_object_or_404(Survey.objects.select_related("unit"), token=token)


def survey_results(survey: Survey) -> Results:
    """Counts per respondent group and answer, the rate per group and overall (one query)."""
    counts: dict[tuple[str, str], int] = {
        (row["group"], row["answer"]): row["n"]
        for row in survey.responses.values("group", "answer").annotate(n=Count("id")).order_by()
    }
    rows = []
    for group, label in [*Group.choices, ("", "合计")]:
        by_answer = {
            answer: sum(n for (g, a), n in counts.items() if a == answer and (g == group or not group))
            for answer in Answer.values
        }  # fmt: skip
        total = sum(by_answer.values())
        satisfied = sum(by_answer[a] for a in SATISFIED_ANSWERS)
        rows.append(GroupResult(group, str(label), by_answer, total, rate(satisfied, total)))
    return Results(rows=rows, answers=[(v, str(lbl)) for v, lbl in Answer.choices])


def survey_comments(survey: Survey) -> QuerySet[Response]:
    return survey.responses.exclude(comment="").order_by("-answered_on", "-id")


def satisfaction_by_unit(
    unit_ids: Iterable[int], *, round_id: int | None = None
) -> dict[int, Satisfaction]:
    """Each unit's satisfaction over all its surveys (those of ``round_id`` only, when
    given): answers, rate and where they come from. Every unit asked for has an entry;
    a unit without a survey or without answers has ``rate=None``. One query."""
    ids = list(dict.fromkeys(unit_ids))
    surveys = Survey.objects.filter(unit_id__in=ids)
    if round_id is not None:
        surveys = surveys.filter(round_id=round_id)
    rows = surveys.annotate(
        total=Count("responses"),
        satisfied=Count("responses", filter=Q(responses__answer__in=SATISFIED_ANSWERS)),
    ).order_by("unit_id", "opens_on", "id")
    per_unit: dict[int, list[Survey]] = {}
    for survey in rows:
        per_unit.setdefault(survey.unit_id, []).append(survey)
    result = {}
    for unit_id in ids:
        found = per_unit.get(unit_id, [])
        total = sum(s.total for s in found)  # type: ignore[attr-defined]
        satisfied = sum(s.satisfied for s in found)  # type: ignore[attr-defined]
        result[unit_id] = Satisfaction(total, rate(satisfied, total), _source(found, total))
    return result


def _source(surveys: list[Survey], total: int) -> str:
    if not surveys:
        return "未开展满意度测评"
    parts = [
        f"「{s.title}」（{s.opens_on:%Y-%m-%d}至{s.closes_on:%Y-%m-%d}，答卷 {s.total} 份）"  # type: ignore[attr-defined]
        for s in surveys
    ]
    return f"满意度测评{'、'.join(parts)}，共 {total} 份答卷"
