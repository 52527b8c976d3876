"""Common problems (共性问题) and the self-check tasks (自查自纠) they are pushed as.

Findings across units are grouped by category and text similarity (a :class:`Grouping`
and its :class:`CandidateGroup` rows, rebuilt as a whole); the office names a
:class:`CommonProblem` from a group and pushes it to every unit of the kinds it applies
to, inspected or not (同类同改 / 未巡先改): one :class:`SelfCheckTask` per unit. Each unit
reports back (found or not, with measures and optional evidence); the office accepts the
answer or returns it with a reason. See docs/decisions/0020-common-problems.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import models
from simple_history.models import HistoricalRecords

from xuncha.common.choices import Tone, Toned, toned
from xuncha.common.models import BaseModel
from xuncha.findings.choices import Category

_UNTRACKED = ["created_at", "updated_at"]


class Grouping(BaseModel):
    """One run of the grouping over all findings; pages show the latest one."""

    findings_read = models.PositiveIntegerField("参与分组的问题数")
    threshold = models.FloatField("相似度阈值")
    seconds = models.FloatField("用时（秒）")

    class Meta:
        verbose_name = "问题分组"
        verbose_name_plural = "问题分组"
        ordering = ["-created_at", "-id"]


class CandidateGroup(BaseModel):
    """Findings of one category alike in text, from at least two units."""

    grouping = models.ForeignKey(
        Grouping, verbose_name="分组", on_delete=models.CASCADE, related_name="groups"
    )
    category = models.CharField("问题类别", max_length=20, choices=Category.choices)
    words = models.CharField("共同词语", max_length=200)  # 、-joined, most shared first
    unit_count = models.PositiveIntegerField("涉及单位数")
    finding_count = models.PositiveIntegerField("问题数")
    findings = models.ManyToManyField("findings.Finding", verbose_name="问题", related_name="+")

    class Meta:
        verbose_name = "候选共性问题"
        verbose_name_plural = "候选共性问题"
        ordering = ["-unit_count", "-finding_count", "id"]


class CommonProblem(BaseModel):
    """A problem the office names from a group and pushes to units of the same kind."""

    title = models.CharField("共性问题", max_length=200)
    description = models.TextField("问题表现及自查要求")
    category = models.CharField("问题类别", max_length=20, choices=Category.choices, blank=True)
    # UnitKind values, as a list: a problem can apply to villages and communities alike.
    unit_kinds = models.JSONField("适用单位类型", default=list)
    deadline = models.DateField("自查时限")
    words = models.CharField("共同词语", max_length=200, blank=True)
    findings = models.ManyToManyField(
        "findings.Finding", verbose_name="来源问题", blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    pushed_at = models.DateTimeField("推送时间", null=True, blank=True)
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "共性问题"
        verbose_name_plural = "共性问题"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def kinds_display(self) -> str:
        from xuncha.units.models import UnitKind

        labels = dict(UnitKind.choices)
        return "、".join(str(labels.get(k, k)) for k in self.unit_kinds)


@toned("selfcheck")
class TaskStatus(Toned):
    PENDING = "pending", "待自查"
    ANSWERED = "answered", "已报告待审核"
    RETURNED = "returned", "被退回"
    ACCEPTED = "accepted", "已认可"

    @classmethod
    def tones(cls) -> Mapping[str, Tone]:
        return {cls.PENDING: Tone.WARN, cls.ANSWERED: Tone.INFO, cls.RETURNED: Tone.BAD,
                cls.ACCEPTED: Tone.MUTED}  # fmt: skip


# The unit must act in these states; past the deadline in one of them, a task is overdue.
OPEN_STATES = (TaskStatus.PENDING, TaskStatus.RETURNED)


class SelfCheckTask(BaseModel):
    problem = models.ForeignKey(
        CommonProblem, verbose_name="共性问题", on_delete=models.PROTECT, related_name="tasks"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name="自查单位", on_delete=models.PROTECT, related_name="+"
    )
    # Whether the unit had been assigned to a round when the task was pushed: 未巡先改 if not.
    inspected = models.BooleanField("推送时已被巡察")
    deadline = models.DateField("自查时限")
    status = models.CharField(
        "状态", max_length=20, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    found = models.BooleanField("自查发现同类问题", null=True, blank=True)
    measures = models.TextField("自查情况及整改措施", blank=True)
    answered_by = models.ForeignKey(
        "accounts.User", verbose_name="报告人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    answered_at = models.DateTimeField("报告时间", null=True, blank=True)
    evidence = models.ManyToManyField(
        "common.Evidence", verbose_name="证据材料", blank=True, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        "accounts.User", verbose_name="审核人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    returned_reason = models.TextField("退回原因", blank=True)
    # Optimistic locking, as on ledger items: a write based on an older version is refused.
    version = models.PositiveIntegerField("版本", default=1)
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "自查自纠任务"
        verbose_name_plural = "自查自纠任务"
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["status", "deadline"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["problem", "unit"], name="selfcheck_one_task_per_unit",
                                    violation_error_message="该单位已有此共性问题的自查任务。"),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "returned"]) | models.Q(found__isnull=False, answered_at__isnull=False),
                name="selfcheck_answer_complete", violation_error_message="已报告的任务必须有自查结论和报告时间。",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.unit}：{self.problem}"

    def overdue(self, today: dt.date) -> bool:
        return self.status in OPEN_STATES and self.deadline < today
