"""月度任务清单 / 责任清单: the office's own work, month by month (issue 21 §4, seed 004).

A :class:`TaskList` is one month's list; each :class:`TaskItem` names what is to be done,
the lead leader and department, the person responsible and the deadline. The person
responsible reports progress by the list's report day each month (a later report is
marked late); the office closes an item (审结) or returns it with a reason. A missed
deadline or a missing monthly report brings a :class:`Reminder` (催办), made once a day
by the daily job. A new deadline is asked for with an :class:`ExtensionRequest` and
decided by the lead leader or another office user. An unfinished item rolls over into
the next month's list (延续) as a new item that points back to it, so its history
(reports, reminders, requests) stays with the old item and is shown along the chain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import models
from simple_history.models import HistoricalRecords

from xuncha.common.choices import Tone, Toned, toned
from xuncha.common.models import BaseModel

_UNTRACKED = ["created_at", "updated_at"]


@toned("worklist")
class ListStatus(Toned):
    DRAFT = "draft", "草稿"
    ISSUED = "issued", "已印发"

    @classmethod
    def tones(cls) -> Mapping[str, Tone]:
        return {cls.DRAFT: Tone.WARN, cls.ISSUED: Tone.OK}


@toned("workitem")
class ItemStatus(Toned):
    OPEN = "open", "未开始"
    IN_PROGRESS = "in_progress", "推进中"
    REPORTED = "reported", "已报结待审"
    CLOSED = "closed", "已审结"
    RETURNED = "returned", "已退回"
    CARRIED = "carried", "已延续至下月"

    @classmethod
    def tones(cls) -> Mapping[str, Tone]:
        return {cls.OPEN: Tone.INFO, cls.IN_PROGRESS: Tone.INFO, cls.REPORTED: Tone.WARN,
                cls.CLOSED: Tone.OK, cls.RETURNED: Tone.BAD, cls.CARRIED: Tone.MUTED}  # fmt: skip


# Unfinished: still someone's work in this list (reminders, overdue, carry-over).
UNFINISHED = (ItemStatus.OPEN, ItemStatus.IN_PROGRESS, ItemStatus.REPORTED, ItemStatus.RETURNED)
# Waiting on the person responsible (a reported item waits on the office instead).
ON_RESPONSIBLE = (ItemStatus.OPEN, ItemStatus.IN_PROGRESS, ItemStatus.RETURNED)


class ReminderKind(models.TextChoices):
    MANUAL = "manual", "人工催办"
    OVERDUE = "overdue", "逾期未完成"
    NO_REPORT = "no_report", "未按时报送进展"


class TaskList(BaseModel):
    month = models.DateField("月份", unique=True)  # the first day of the month
    title = models.CharField("清单名称", max_length=200)
    status = models.CharField(
        "状态", max_length=10, choices=ListStatus.choices, default=ListStatus.DRAFT
    )
    report_day = models.PositiveSmallIntegerField("每月进展报送日", default=25)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField("印发时间", null=True, blank=True)
    issued_by = models.ForeignKey(
        "accounts.User", verbose_name="印发人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "月度任务清单"
        verbose_name_plural = "月度任务清单"
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(report_day__gte=1, report_day__lte=28),
                name="worklist_report_day_1_28",
                violation_error_message="每月进展报送日应为 1 至 28 日。",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def month_label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"

    def report_date(self, month: dt.date) -> dt.date:
        """The day progress for ``month`` is due by."""
        return month.replace(day=self.report_day)


class TaskItem(BaseModel):
    task_list = models.ForeignKey(
        TaskList, verbose_name="清单", on_delete=models.PROTECT, related_name="items"
    )
    number = models.PositiveIntegerField("序号")
    what = models.TextField("任务内容")
    lead_leader = models.ForeignKey(
        "accounts.User", verbose_name="牵头领导", on_delete=models.PROTECT, related_name="+"
    )
    lead_department = models.CharField("牵头部门", max_length=100)
    responsible = models.ForeignKey(
        "accounts.User", verbose_name="责任人", on_delete=models.PROTECT,
        related_name="worklist_items",
    )  # fmt: skip
    deadline = models.DateField("完成时限")
    status = models.CharField(
        "状态", max_length=12, choices=ItemStatus.choices, default=ItemStatus.OPEN
    )
    closed_at = models.DateTimeField("审结时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User", verbose_name="审结人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    return_reason = models.TextField("退回原因", blank=True)
    carried_from = models.ForeignKey(
        "self", verbose_name="延续自", null=True, blank=True, on_delete=models.PROTECT,
        related_name="carried_to",
    )  # fmt: skip
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "任务事项"
        verbose_name_plural = "任务事项"
        ordering = ["task_list", "number"]
        constraints = [
            models.UniqueConstraint(fields=["task_list", "number"], name="worklist_item_number"),
            models.UniqueConstraint(fields=["carried_from"], name="worklist_carried_once"),
        ]

    def __str__(self) -> str:
        return f"{self.task_list.month_label}第{self.number}项"

    def is_overdue(self, today: dt.date) -> bool:
        return self.status in UNFINISHED and self.deadline < today

    @property
    def unfinished(self) -> bool:
        return self.status in UNFINISHED


class Milestone(BaseModel):
    item = models.ForeignKey(
        TaskItem, verbose_name="任务事项", on_delete=models.CASCADE, related_name="milestones"
    )
    what = models.CharField("节点内容", max_length=200)
    due = models.DateField("节点时限")
    done_at = models.DateField("完成日期", null=True, blank=True)
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "时间节点"
        verbose_name_plural = "时间节点"
        ordering = ["due", "id"]


class ProgressReport(BaseModel):
    item = models.ForeignKey(
        TaskItem, verbose_name="任务事项", on_delete=models.CASCADE, related_name="reports"
    )
    month = models.DateField("报送月份")  # the first day of the month reported for
    text = models.TextField("进展情况")
    percent = models.PositiveSmallIntegerField("完成进度（%）")
    late = models.BooleanField("逾期报送", default=False)
    by = models.ForeignKey(
        "accounts.User", verbose_name="报送人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__lte=100),
                name="worklist_percent_le_100",
                violation_error_message="完成进度应在 0 至 100 之间。",
            )
        ]


class Reminder(BaseModel):
    """催办: by a person (manual) or by the daily job (once per item, kind and day)."""

    item = models.ForeignKey(
        TaskItem, verbose_name="任务事项", on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField("类型", max_length=10, choices=ReminderKind.choices)
    day = models.DateField("催办日期")
    note = models.TextField("催办内容", blank=True)
    by = models.ForeignKey(
        "accounts.User", verbose_name="催办人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "催办记录"
        verbose_name_plural = "催办记录"
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "kind", "day"],
                condition=~models.Q(kind=ReminderKind.MANUAL),
                name="worklist_auto_reminder_once_a_day",
            )
        ]


class ExtensionRequest(BaseModel):
    item = models.ForeignKey(
        TaskItem, verbose_name="任务事项", on_delete=models.CASCADE, related_name="extensions"
    )
    old_deadline = models.DateField("原完成时限")
    new_deadline = models.DateField("申请延至")
    reason = models.TextField("申请理由")
    requested_by = models.ForeignKey(
        "accounts.User", verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        "accounts.User", verbose_name="审批人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    approved = models.BooleanField("是否同意", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(decided_at__isnull=True),
                name="worklist_one_pending_extension",
            )
        ]

    @property
    def pending(self) -> bool:
        return self.decided_at is None
