"""Satisfaction surveys (群众满意度 / 四方测评): the office or a supervisor opens one for a
unit, the public answers it anonymously by link or QR code.

A response keeps only what the results need: the respondent group, the answer, an
optional comment and when it came. Nothing about the respondent (no address, no browser,
no cookie) is stored; abuse is held off as on the petition channel, by a one-use proof
of work and a rate limit kept in the cache under a salted hash (docs/decisions/0019).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import models
from simple_history.models import HistoricalRecords

from xuncha.common.choices import Tone, Toned, toned
from xuncha.common.models import BaseModel


class Group(models.TextChoices):
    """四方测评: the four kinds of respondent."""

    PUBLIC = "public", "群众"
    MEMBER = "member", "党员"
    STAFF = "staff", "干部职工"
    SERVED = "served", "服务对象"


@toned("survey_answer")
class Answer(Toned):
    SATISFIED = "satisfied", "满意"
    FAIRLY = "fairly", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"

    @classmethod
    def tones(cls) -> Mapping[str, Tone]:
        return {cls.SATISFIED: Tone.OK, cls.FAIRLY: Tone.INFO, cls.UNSATISFIED: Tone.BAD}


# The answers that count as satisfied in the rate (满意 + 基本满意 over all).
SATISFIED_ANSWERS = (Answer.SATISFIED, Answer.FAIRLY)


@toned("survey_state")
class State(Toned):
    NOT_YET = "not_yet", "未开始"
    OPEN = "open", "进行中"
    ENDED = "ended", "已截止"
    CLOSED = "closed", "已关闭"

    @classmethod
    def tones(cls) -> Mapping[str, Tone]:
        return {cls.NOT_YET: Tone.INFO, cls.OPEN: Tone.OK, cls.ENDED: Tone.MUTED,
                cls.CLOSED: Tone.MUTED}  # fmt: skip


class Survey(BaseModel):
    token = models.CharField("链接标识", max_length=32, unique=True)
    unit = models.ForeignKey(
        "units.Unit", verbose_name="测评单位", on_delete=models.PROTECT, related_name="+"
    )
    round = models.ForeignKey(
        "planning.Round",
        verbose_name="轮次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField("测评名称", max_length=100)
    opens_on = models.DateField("开始日期")
    closes_on = models.DateField("截止日期")
    closed_at = models.DateTimeField("提前关闭时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User",
        verbose_name="关闭人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = "满意度测评"
        verbose_name_plural = "满意度测评"
        ordering = ["-opens_on", "-id"]
        indexes = [models.Index(fields=["unit", "round"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")), name="survey_window_ordered",
                                   violation_error_message="截止日期不能早于开始日期。"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.unit}·{self.title}"

    def state(self, today: dt.date) -> State:
        if self.closed_at is not None:
            return State.CLOSED
        if today < self.opens_on:
            return State.NOT_YET
        return State.ENDED if today > self.closes_on else State.OPEN

    def is_open(self, today: dt.date) -> bool:
        return self.state(today) == State.OPEN


class Response(models.Model):
    """One anonymous answer. Only the day it came is kept (no time of day), so answers
    cannot be matched to visits in a server's access log."""

    survey = models.ForeignKey(
        Survey, verbose_name="测评", on_delete=models.PROTECT, related_name="responses"
    )
    group = models.CharField("测评对象类别", max_length=10, choices=Group.choices)
    answer = models.CharField("总体评价", max_length=12, choices=Answer.choices)
    comment = models.TextField("意见建议", blank=True)
    answered_on = models.DateField("日期")

    class Meta:
        verbose_name = "测评答卷"
        verbose_name_plural = "测评答卷"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(group__in=Group.values), name="response_group_known"),
            models.CheckConstraint(condition=models.Q(answer__in=Answer.values), name="response_answer_known"),
        ]  # fmt: skip
