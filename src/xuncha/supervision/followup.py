"""Every write to the follow-up list (回头看) and its interview tasks (约谈).

A unit's grade in an assessment becomes final when the supervisor fixes it (确定等次)
on the unit's scoring page, which needs every indicator scored. A fixed grade in
:func:`follow_up_grades` (差 unless the setting says otherwise) puts the unit on the
回头看 list and creates its 约谈 task, once per assessment and unit: fixing the grade
again updates the entry's latest grade and never adds a second one, and a grade that
rises leaves the entry open until the office closes it with a reason. See
docs/decisions/0017.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from xuncha.accounts.access import allowed
from xuncha.accounts.models import User
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.common.services import check_version, locked, save_versioned
from xuncha.units.models import Unit

from .models import (
    Assessment,
    FollowUp,
    FollowUpStatus,
    Grade,
    Interview,
    InterviewStatus,
    Score,
)
from .selectors import grade_of, unit_total

INTERVIEW_DAYS = 15  # a 约谈 is due this many days after the grade is fixed


def follow_up_grades() -> frozenset[str]:
    """The grades that put a unit on the 回头看 list: the ``FOLLOW_UP_GRADES`` setting
    (environment ``XUNCHA_FOLLOW_UP_GRADES``: grade values or their names, e.g.
    ``poor,average`` or ``差,一般``), 差 alone by default."""
    names = {label: value for value, label in Grade.choices}
    grades = frozenset(names.get(g, g) for g in settings.FOLLOW_UP_GRADES)
    unknown = grades - set(Grade.values)
    if unknown:
        raise ValueError(
            f"XUNCHA_FOLLOW_UP_GRADES：无法识别的等次 {sorted(unknown)}（可用：好、较好、一般、差）"
        )
    return grades


def unit_grade_fix(
    *, assessment: Assessment, unit: Unit, by: User, today: dt.date
) -> tuple[Grade, FollowUp | None, bool]:
    """Fix the unit's grade now that every indicator is scored; a low grade puts it on
    the 回头看 list with a 约谈 task. Returns the grade, the unit's entry (or None when
    it has none) and whether this call created it."""
    if not allowed(by, "assessment.score"):
        raise PermissionDenied("只有巡察办或督查人员可以确定评估等次。")
    with transaction.atomic():
        # One fix at a time per assessment: two supervisors cannot both create the entry.
        locked = Assessment.objects.select_for_update().select_related("indicator_version")
        assessment = locked.get(pk=assessment.pk)
        scores = list(
            Score.objects.filter(assessment=assessment, unit=unit).select_related("indicator")
        )
        if not scores:
            raise ServiceError(f"「{unit}」不在本评估的单位中。")
        missing = [s.indicator.name for s in scores if not s.scored]
        if missing:
            raise ServiceError(
                f"尚有 {len(missing)} 项指标未评分（{'、'.join(missing[:3])}{'等' if len(missing) > 3 else ''}），"
                "全部评分后才能确定等次。"
            )  # fmt: skip
        total, _ = unit_total(scores)
        grade = grade_of(total, assessment.indicator_version)
        entry, created = FollowUp.objects.filter(assessment=assessment, unit=unit).first(), False
        if entry is not None:
            entry.latest_grade, entry.latest_total = grade, total
            save_versioned(entry, by, ["latest_grade", "latest_total"])
        elif grade in follow_up_grades():
            entry, created = _follow_up_open(assessment, unit, grade, total, by, today), True
    return grade, entry, created


def _follow_up_open(
    assessment: Assessment, unit: Unit, grade: Grade, total: Decimal, by: User, today: dt.date
) -> FollowUp:
    entry = FollowUp(assessment=assessment, unit=unit, grade=grade, total=total,
                     latest_grade=grade, latest_total=total)  # fmt: skip
    entry._history_user = by  # type: ignore[attr-defined]
    entry.save()
    task = Interview(follow_up=entry, interviewee=f"{unit.name}主要负责人",
                     due_on=today + dt.timedelta(days=INTERVIEW_DAYS))  # fmt: skip
    task._history_user = by  # type: ignore[attr-defined]
    task.save()
    return entry


def _check_office(by: User) -> None:
    if not allowed(by, "followup.manage"):
        raise PermissionDenied("只有巡察办可以办理回头看和约谈。")


def follow_up_close(*, follow_up: FollowUp, by: User, reason: str, version: int) -> FollowUp:
    """The office takes a unit off the 回头看 list, saying why (the history keeps it)."""
    _check_office(by)
    if not reason.strip():
        raise ServiceError("关闭回头看须写明理由。")
    with transaction.atomic():
        entry = locked(follow_up)
        if entry.status == FollowUpStatus.CLOSED:
            raise ServiceError("该回头看已经关闭。")
        check_version(entry, version, "回头看")
        entry.status, entry.closed_reason = FollowUpStatus.CLOSED, reason.strip()
        entry.closed_by, entry.closed_at = by, timezone.now()
        return save_versioned(entry, by, ["status", "closed_reason", "closed_by", "closed_at"])


def _locked_interview(interview: Interview, version: int) -> Interview:
    task = locked(interview)
    if task.status == InterviewStatus.DONE:
        raise ServiceError(f"约谈已于 {task.done_on:%Y-%m-%d} 记录，不能再修改。")
    check_version(task, version, "约谈任务")
    return task


def interview_update(
    *, interview: Interview, by: User, interviewee: str, due_on: dt.date, version: int
) -> Interview:
    """Change who is interviewed and by when (before it is done)."""
    _check_office(by)
    if not interviewee.strip():
        raise ServiceError("请填写约谈对象。")
    with transaction.atomic():
        task = _locked_interview(interview, version)
        task.interviewee, task.due_on = interviewee.strip(), due_on
        return save_versioned(task, by, ["interviewee", "due_on"])


def interview_record(
    *, interview: Interview, by: User, done_on: dt.date, record: str, version: int,
    today: dt.date,
) -> Interview:  # fmt: skip
    """Record that the interview took place: its date and what was said."""
    _check_office(by)
    if not record.strip():
        raise ServiceError("请填写约谈记录。")
    if done_on > today:
        raise ServiceError(f"约谈日期不能晚于今天（{today:%Y-%m-%d}）。")
    with transaction.atomic():
        task = _locked_interview(interview, version)
        task.status, task.done_on, task.record = InterviewStatus.DONE, done_on, record.strip()
        task.recorded_by = by
        return save_versioned(task, by, ["status", "done_on", "record", "recorded_by"])
