"""Talks, findings, leads and immediate-rectification items of a team for a unit.

Findings, leads and immediate items keep their whole history (who, when, what
changed) through django-simple-history; the history is shown on each item.
"""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from xuncha.common.models import BaseModel

from .choices import Category, ImmediateStatus, LeadResult, Receiver, Source, Subcategory


class TeamWork(BaseModel):
    """What a team records for one assigned unit in its round."""

    round = models.ForeignKey(
        "planning.Round", verbose_name="轮次", on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "planning.Team", verbose_name="巡察组", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name="被巡察单位", on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class Talk(TeamWork):
    talk_on = models.DateField("谈话日期")
    interviewee = models.CharField("谈话对象", max_length=100)
    position = models.CharField("职务", max_length=100, blank=True)
    summary = models.TextField("谈话要点")

    class Meta:
        verbose_name = "个别谈话"
        verbose_name_plural = "个别谈话"
        ordering = ["-talk_on", "-id"]


class Finding(TeamWork):
    category = models.CharField("问题类别", max_length=20, choices=Category.choices)
    subcategory = models.CharField("具体类别", max_length=30, choices=Subcategory.choices)
    description = models.TextField("问题描述")
    source = models.CharField("问题来源", max_length=20, choices=Source.choices)
    amount = models.DecimalField("涉及金额（元）", max_digits=14, decimal_places=2, default=0)
    evidence = models.ManyToManyField(
        "common.Evidence", verbose_name="证据材料", blank=True, related_name="+"
    )
    fed_back_on = models.DateField("反馈日期", null=True, blank=True)
    # 三段式: 现象 (description) + 定性依据 (the rule it breaches) + 责任指向 (who answers for it).
    basis = models.TextField("定性依据", blank=True)
    responsible = models.TextField("责任指向", blank=True)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = "问题"
        verbose_name_plural = "问题"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The list's order: its pages (even ?page=500) read ids from this index alone.
            models.Index(fields=["-created_at", "-id"], name="finding_list_order"),
            models.Index(fields=["amount"], name="finding_amount"),  # the amount range filter
            models.Index(fields=["round", "unit"]),
            models.Index(fields=["team", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="finding_amount_not_negative",
                                   violation_error_message="涉及金额不能为负数。"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.description[:40]


class Lead(TeamWork):
    finding = models.ForeignKey(
        Finding,
        verbose_name="相关问题",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    description = models.TextField("线索内容")
    handed_to = models.CharField("移交对象", max_length=20, choices=Receiver.choices)
    handed_on = models.DateField("移交日期")
    receiver = models.CharField("接收人", max_length=50)
    due_on = models.DateField("办结期限")
    result = models.CharField(
        "办理结果", max_length=20, choices=LeadResult.choices, default=LeadResult.PENDING
    )
    result_on = models.DateField("办结日期", null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = "问题线索"
        verbose_name_plural = "问题线索"
        ordering = ["-handed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(due_on__gte=models.F("handed_on")), name="lead_due_after_handover",
                                   violation_error_message="办结期限不能早于移交日期。"),
        ]  # fmt: skip


class ImmediateItem(TeamWork):
    description = models.TextField("立行立改事项")
    deadline = models.DateField("完成时限")
    status = models.CharField(
        "状态", max_length=10, choices=ImmediateStatus.choices, default=ImmediateStatus.OPEN
    )
    done_on = models.DateField("完成日期", null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = "立行立改事项"
        verbose_name_plural = "立行立改事项"
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=ImmediateStatus.OPEN, done_on__isnull=True) | models.Q(status=ImmediateStatus.DONE, done_on__isnull=False),
                name="immediate_done_has_date", violation_error_message="已完成的事项必须有完成日期。",
            ),
        ]  # fmt: skip


class ImmediateReport(BaseModel):
    """The unit's report on an immediate item: what it did, with evidence. The team
    still confirms the item done (``immediate_mark_done``)."""

    item = models.ForeignKey(
        ImmediateItem, verbose_name="立行立改事项", on_delete=models.CASCADE, related_name="reports"
    )
    text = models.TextField("整改情况")
    reported_by = models.ForeignKey(
        "accounts.User", verbose_name="报告人", on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.ManyToManyField(
        "common.Evidence", verbose_name="证据材料", blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "立行立改进展"
        verbose_name_plural = "立行立改进展"
        ordering = ["created_at", "id"]


class EvidenceRead(models.Model):
    """Someone opened an evidence file (of a finding, a ledger item's progress report or
    an immediate item's report): who, which file, from which item, when. Kept, never
    edited. Here rather than in ``common`` because findings own the evidence most
    sensitive (petition files, working papers); the ledger depends on this app anyway."""

    evidence = models.ForeignKey(
        "common.Evidence", verbose_name="证据材料", on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        "accounts.User", verbose_name="查阅人", on_delete=models.PROTECT, related_name="+"
    )
    # "finding:12", "rectification:5", "immediate:3": the page the file was opened from.
    subject = models.CharField("所属事项", max_length=40)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "证据材料查阅记录"
        verbose_name_plural = "证据材料查阅记录"
        ordering = ["-at", "-id"]


class WorkingPaper(BaseModel):
    """The working paper (问题底稿) of a finding: its number, the talk records that
    support it and three sign-offs in order: 承办人, 副组长审核, 组长审签. The signers
    are cadres (a cadre without an account may appear, e.g. in the demo); a change of the
    finding's substance clears the sign-offs (the history keeps them)."""

    finding = models.OneToOneField(
        Finding, verbose_name="问题", on_delete=models.CASCADE, related_name="paper"
    )
    number = models.CharField("底稿编号", max_length=40, unique=True)
    talks = models.ManyToManyField(Talk, verbose_name="谈话记录", blank=True, related_name="papers")
    handler_signed_by = models.ForeignKey(
        "planning.Cadre", verbose_name="承办人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    handler_signed_at = models.DateTimeField("承办人签署时间", null=True, blank=True)
    deputy_signed_by = models.ForeignKey(
        "planning.Cadre", verbose_name="副组长审核", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    deputy_signed_at = models.DateTimeField("副组长审核时间", null=True, blank=True)
    leader_signed_by = models.ForeignKey(
        "planning.Cadre", verbose_name="组长审签", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    leader_signed_at = models.DateTimeField("组长审签时间", null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = "问题底稿"
        verbose_name_plural = "问题底稿"
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number

    @property
    def signed(self) -> bool:
        """All three sign-offs are present."""
        return bool(
            self.handler_signed_by_id and self.deputy_signed_by_id and self.leader_signed_by_id
        )


class Recommendation(TeamWork):
    """A recommendation (意见建议) of the team to the unit and the problems it answers."""

    text = models.TextField("意见建议")
    findings = models.ManyToManyField(
        Finding, verbose_name="针对的问题", blank=True, related_name="recommendations"
    )
    order = models.PositiveSmallIntegerField("排序", default=0)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = "意见建议"
        verbose_name_plural = "意见建议"
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["round", "unit"], name="recommendation_round_unit")]
