"""Every write to surveys: open and close them (office, supervisors), record an answer
(the public, through the public page, after its proof of work and rate limit)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from xuncha.accounts.access import allowed
from xuncha.accounts.models import User
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.planning.models import Round
from xuncha.units.models import Unit

from .models import Answer, Group, Response, State, Survey

COMMENT_MAX = 1000


def survey_open(
    *, unit: Unit, by: User, title: str, opens_on: dt.date, closes_on: dt.date,
    round: Round | None = None,
) -> Survey:  # fmt: skip
    """A survey of ``unit`` (optionally for ``round``) with a fresh unguessable link."""
    if not allowed(by, "survey.manage"):
        raise PermissionDenied("只有巡察办或整改督查可以发起满意度测评。")
    if not title.strip():
        raise ServiceError("请填写测评名称。")
    if closes_on < opens_on:
        raise ServiceError("截止日期不能早于开始日期。")
    survey = Survey(unit=unit, round=round, title=title.strip(), opens_on=opens_on,
                    closes_on=closes_on, created_by=by, token=secrets.token_urlsafe(18))  # fmt: skip
    survey._history_user = by  # type: ignore[attr-defined]
    survey.save()
    return survey


def survey_close(*, survey: Survey, by: User) -> Survey:
    """Close a survey before its end date; its answers stay and still count."""
    if not allowed(by, "survey.manage"):
        raise PermissionDenied("只有巡察办或整改督查可以关闭满意度测评。")
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.closed_at is not None:
            raise ServiceError("该测评已经关闭。")
        survey.closed_at, survey.closed_by = timezone.now(), by
        survey._history_user = by  # type: ignore[attr-defined]
        survey.save(update_fields=["closed_at", "closed_by", "updated_at"])
    return survey


def response_submit(*, survey: Survey, group: str, answer: str, comment: str = "") -> Response:
    """Record one anonymous answer; refused when the survey is not open or a value is
    not one of the choices offered."""
    today = timezone.localdate()
    state = Survey.objects.get(pk=survey.pk).state(today)  # as it is now, not as rendered
    if state == State.CLOSED:
        raise ServiceError("该测评已关闭，不再接收答卷。")
    if state == State.ENDED:
        raise ServiceError("该测评已过截止日期，不再接收答卷。")
    if state == State.NOT_YET:
        raise ServiceError("该测评尚未开始，请在开始日期后再填写。")
    if group not in Group.values:
        raise ServiceError("请选择您的身份类别（群众、党员、干部职工或服务对象）。")
    if answer not in Answer.values:
        raise ServiceError("请选择总体评价（满意、基本满意或不满意）。")
    if len(comment) > COMMENT_MAX:
        raise ServiceError(f"意见建议不能超过 {COMMENT_MAX} 字。")
    return Response.objects.create(
        survey=survey, group=group, answer=answer, comment=comment.strip(), answered_on=today
    )
