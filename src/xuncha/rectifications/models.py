"""The rectification ledger (整改台账): one item per finding fed back to a unit.

The unit proposes measures, an owner and a deadline; the office accepts the plan (a
changed plan or deadline needs acceptance again); the unit reports progress with
evidence; only the inspecting side closes an item out (对账销号), with evidence, and
never the person who reported it done. Every change is kept in the item's history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import models
from simple_history.models import HistoricalRecords

from xuncha.common.choices import Tone, Toned, toned
from xuncha.common.models import BaseModel

DUE_SOON_DAYS = 7


@toned("rectification")
class Status(Toned):
    AWAITING_PLAN = "awaiting_plan", "待制定整改措施"
    PLAN_SUBMITTED = "plan_submitted", "整改方案待认可"
    IN_PROGRESS = "in_progress", "整改中"
    CLOSE_REQUESTED = "close_requested", "已申请销号"
    CLOSED = "closed", "已销号"

    @classmethod
    def tones(cls) -> Mapping[str, Tone]:
        # WARN where the unit or the office must act next; INFO while work goes on.
        return {cls.AWAITING_PLAN: Tone.WARN, cls.PLAN_SUBMITTED: Tone.WARN,
                cls.IN_PROGRESS: Tone.INFO, cls.CLOSE_REQUESTED: Tone.WARN,
                cls.CLOSED: Tone.MUTED}  # fmt: skip


@toned("due")
class DueState(Toned):
    ON_TIME = "on_time", "正常"
    DUE_SOON = "due_soon", "即将到期"
    OVERDUE = "overdue", "已逾期"
    CLOSED = "closed", "已销号"

    @classmethod
    def tones(cls) -> Mapping[str, Tone]:
        return {cls.ON_TIME: Tone.OK, cls.DUE_SOON: Tone.WARN, cls.OVERDUE: Tone.BAD,
                cls.CLOSED: Tone.MUTED}  # fmt: skip


class RectificationItem(BaseModel):
    finding = models.OneToOneField(
        "findings.Finding",
        verbose_name="问题",
        on_delete=models.PROTECT,
        related_name="rectification",
    )
    round = models.ForeignKey(
        "planning.Round", verbose_name="轮次", on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "planning.Team", verbose_name="巡察组", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name="整改单位", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.AWAITING_PLAN, db_index=True
    )
    # The customary ledger's columns (整改目标、责任部门) beside the measures and the owner.
    goal = models.TextField("整改目标", blank=True)
    measures = models.TextField("整改措施", blank=True)
    owner = models.CharField("责任人", max_length=50, blank=True)
    department = models.CharField("责任部门", max_length=100, blank=True)
    deadline = models.DateField("整改时限", null=True, blank=True)
    plan_accepted_by = models.ForeignKey(
        "accounts.User",
        verbose_name="方案认可人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    plan_accepted_at = models.DateTimeField("方案认可时间", null=True, blank=True)
    done_reported_by = models.ForeignKey(
        "accounts.User",
        verbose_name="申请销号人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_by = models.ForeignKey(
        "accounts.User",
        verbose_name="销号人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    close_note = models.TextField("销号意见", blank=True)
    # Set when the office or the supervisor returns a plan or a close-out request; the
    # unit's next plan or progress report clears it (the history keeps every reason).
    returned_reason = models.TextField("退回原因", blank=True)
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    money_recovered = models.DecimalField(
        "追回金额（元）", max_digits=14, decimal_places=2, default=0
    )
    # Optimistic locking: every write bumps it; a write based on an older version is refused.
    version = models.PositiveIntegerField("版本", default=1)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改台账"
        ordering = ["deadline", "id"]
        indexes = [
            # The ledger's order: its pages (even ?page=500) read ids from this index alone.
            models.Index(fields=["deadline", "id"], name="item_ledger_order"),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["round", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="closed") | models.Q(closed_by__isnull=False, closed_at__isnull=False),
                name="closed_item_has_closer", violation_error_message="已销号的事项必须记录销号人和时间。",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(closed_by=models.F("done_reported_by")),
                name="closer_is_not_reporter", violation_error_message="销号人不能是申请销号的人。",
            ),
            models.CheckConstraint(condition=models.Q(money_recovered__gte=0), name="recovered_not_negative",
                                   violation_error_message="追回金额不能为负数。"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.unit}：{self.finding}"

    def due_state(self, today: dt.date) -> DueState:
        """Derived from the deadline, never stored: a list shows it for every item."""
        if self.status == Status.CLOSED:
            return DueState.CLOSED
        if self.deadline is None or self.deadline > today + dt.timedelta(days=DUE_SOON_DAYS):
            return DueState.ON_TIME
        return DueState.OVERDUE if self.deadline < today else DueState.DUE_SOON


class ProgressReport(BaseModel):
    item = models.ForeignKey(
        RectificationItem, verbose_name="整改事项", on_delete=models.CASCADE, related_name="reports"
    )
    text = models.TextField("进展情况")
    done = models.BooleanField("申请销号", default=False)
    reported_by = models.ForeignKey(
        "accounts.User", verbose_name="报告人", on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.ManyToManyField(
        "common.Evidence", verbose_name="证据材料", blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "整改进展"
        verbose_name_plural = "整改进展"
        ordering = ["created_at", "id"]


class RuleKind(models.TextChoices):
    MADE = "made", "制定"
    REVISED = "revised", "修订"


class RuleMade(BaseModel):
    """建章立制: a rule a unit made or revised as part of rectifying one item (seed 004
    counts 911 of them). The unit records it until the item is closed; the office may
    correct it at any time; the history keeps who changed what."""

    item = models.ForeignKey(
        RectificationItem, verbose_name="整改事项", on_delete=models.PROTECT, related_name="rules"
    )
    # The item's unit and round, copied when recorded: the duplicate-number constraint
    # and the counts per unit and round read them without a join.
    unit = models.ForeignKey(
        "units.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    round = models.ForeignKey(
        "planning.Round", verbose_name="轮次", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("制度名称", max_length=200)
    kind = models.CharField("类型", max_length=10, choices=RuleKind.choices)
    issued_on = models.DateField("印发日期")
    doc_number = models.CharField("文号", max_length=100, blank=True)
    evidence = models.ForeignKey(
        "common.Evidence",
        verbose_name="制度文件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = "建章立制"
        verbose_name_plural = "建章立制"
        ordering = ["issued_on", "id"]
        indexes = [models.Index(fields=["unit", "round"])]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "doc_number"], condition=~models.Q(doc_number=""),
                name="rule_doc_number_unique_in_unit",
                violation_error_message="本单位已有相同文号的制度。",
            ),
            models.CheckConstraint(condition=models.Q(kind__in=["made", "revised"]), name="rule_kind_known"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.title
