"""Report quality review (报告评查): rubrics, review rounds, samples, scores and the
automatic checks of every report of a round's period.

A rubric (评查标准) is data like an indicator system: versions → criteria with points,
plus the problem subcategories the rubric counts as low-weight (次要类别) for the
"trivial problems" check. A version is frozen once a review round uses it; importing
over a frozen version makes the next one. See docs/decisions/0022.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models
from simple_history.models import HistoricalRecords

from xuncha.common.choices import Tone, Toned, toned
from xuncha.common.models import BaseModel

_UNTRACKED = ["created_at", "updated_at"]


class Rubric(BaseModel):
    name = models.CharField("名称", max_length=100, unique=True)
    note = models.TextField("说明", blank=True)
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "评查标准"
        verbose_name_plural = "评查标准"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RubricVersion(BaseModel):
    rubric = models.ForeignKey(
        Rubric, verbose_name="评查标准", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    frozen = models.BooleanField("已使用（冻结）", default=False)
    # findings.choices.Subcategory codes the "trivial problems" check counts as low-weight.
    low_weight = models.JSONField("次要问题类别", default=list, blank=True)
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "评查标准版本"
        verbose_name_plural = "评查标准版本"
        ordering = ["rubric", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "number"], name="rubric_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.rubric} 第{self.number}版"


class Criterion(BaseModel):
    version = models.ForeignKey(
        RubricVersion, verbose_name="版本", on_delete=models.CASCADE, related_name="criteria"
    )
    name = models.CharField("评查项目", max_length=200)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2)
    guidance = models.TextField("评查要点", blank=True)
    order = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "评查项目"
        verbose_name_plural = "评查项目"
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="criterion_name_unique"),
            models.CheckConstraint(condition=models.Q(points__gt=0), name="criterion_points_positive",
                                   violation_error_message="分值须大于 0。"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name


class ReviewRound(BaseModel):
    """A review of the reports dated within a period: every one checked automatically,
    a sample scored by the reviewers. A random draw stores its seed, size and candidates
    (report ids in ascending order), so :func:`xuncha.reviews.draw.redraw` reproduces it."""

    name = models.CharField("名称", max_length=200)
    starts_on = models.DateField("报告日期起")
    ends_on = models.DateField("报告日期止")
    rubric_version = models.ForeignKey(
        RubricVersion, verbose_name="评查标准版本", on_delete=models.PROTECT, related_name="rounds"
    )
    reviewers = models.ManyToManyField("accounts.User", verbose_name="评查人", related_name="+")
    # The last random draw (None when the sample was chosen by hand).
    seed = models.BigIntegerField("随机种子", null=True, blank=True)
    draw_count = models.PositiveIntegerField("抽取份数", null=True, blank=True)
    candidate_ids = models.JSONField("候选报告（按编号排序）", default=list, blank=True)
    drawn_by = models.ForeignKey(
        "accounts.User", verbose_name="抽取人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    checked_at = models.DateTimeField("自动检查时间", null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "评查批次"
        verbose_name_plural = "评查批次"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="review_period_ordered",
                                   violation_error_message="报告日期止不能早于报告日期起。"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name


@toned("review")
class SampleStatus(Toned):
    PENDING = "pending", "待评查"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "已退回"

    @classmethod
    def tones(cls) -> Mapping[str, Tone]:
        return {cls.PENDING: Tone.INFO, cls.SUBMITTED: Tone.OK, cls.RETURNED: Tone.WARN}


class ReviewSample(BaseModel):
    """One sampled report and its review: scored criterion by criterion, submitted once
    complete; the office may return it (with a reason) for the reviewer to correct."""

    review_round = models.ForeignKey(
        ReviewRound, verbose_name="评查批次", on_delete=models.CASCADE, related_name="samples"
    )
    report = models.ForeignKey(
        "documents.Report", verbose_name="巡察报告", on_delete=models.PROTECT, related_name="+"
    )
    drawn = models.BooleanField("随机抽取", default=True)  # False: chosen by hand
    status = models.CharField(
        "状态", max_length=20, choices=SampleStatus.choices, default=SampleStatus.PENDING
    )
    total = models.DecimalField("总分", max_digits=6, decimal_places=2, null=True, blank=True)
    summary = models.TextField("总体评价", blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User", verbose_name="评查人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    returned_reason = models.TextField("退回理由", blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "评查报告"
        verbose_name_plural = "评查报告"
        ordering = ["review_round", "report_id"]
        constraints = [
            models.UniqueConstraint(fields=["review_round", "report"], name="review_sample_unique"),
            models.CheckConstraint(
                condition=~models.Q(status="submitted") | models.Q(total__isnull=False, submitted_at__isnull=False),
                name="submitted_sample_has_total", violation_error_message="提交的评查须有总分。",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.review_round}：{self.report_id}"


class ReviewScore(BaseModel):
    """A sample's points on one criterion, with the reviewer's comment, anchored to a
    section of the report (its heading as the report shows it; "" = the whole report)."""

    sample = models.ForeignKey(
        ReviewSample, verbose_name="评查报告", on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name="评查项目", on_delete=models.PROTECT, related_name="scores"
    )
    points = models.DecimalField("得分", max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField("评查意见", blank=True)
    section = models.CharField("针对章节", max_length=300, blank=True)
    scored_by = models.ForeignKey(
        "accounts.User", verbose_name="评分人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "评查得分"
        verbose_name_plural = "评查得分"
        ordering = ["sample", "criterion__order", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "criterion"], name="review_score_unique"),
            models.CheckConstraint(condition=models.Q(points__gte=0) | models.Q(points__isnull=True),
                                   name="review_points_not_negative", violation_error_message="得分不能为负数。"),
        ]  # fmt: skip


class FlagKind(models.TextChoices):
    """The automatic checks, in the order the pages show them."""

    UNSIGNED_PAPER = "unsigned_paper", "问题无签批完成的底稿"
    INCOMPLETE = "incomplete", "问题缺定性依据或责任指向"
    UNSOURCED = "unsourced", "数字在数据中无出处"
    LEAD_NO_ROUTE = "lead_no_route", "线索无处置去向"
    TRIVIAL = "trivial", "次要问题过半"
    UNMATCHED = "unmatched", "意见建议未对应问题"


class CheckedReport(BaseModel):
    """A report of the round's period as the automatic checks last saw it."""

    review_round = models.ForeignKey(
        ReviewRound, verbose_name="评查批次", on_delete=models.CASCADE, related_name="checked"
    )
    report = models.ForeignKey(
        "documents.Report", verbose_name="巡察报告", on_delete=models.CASCADE, related_name="+"
    )
    flag_count = models.PositiveIntegerField("发现问题数", default=0)

    class Meta:
        verbose_name = "自动检查结果"
        verbose_name_plural = "自动检查结果"
        ordering = ["review_round", "report_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review_round", "report"], name="checked_report_unique"
            ),
        ]


class Flag(BaseModel):
    """One check that fired on a report, with its explanation (which problems, leads,
    recommendations or numbers; ``items`` the indexes into the report's content lists,
    or the numbers found)."""

    checked = models.ForeignKey(
        CheckedReport, verbose_name="检查结果", on_delete=models.CASCADE, related_name="flags"
    )
    kind = models.CharField("检查项", max_length=20, choices=FlagKind.choices)
    explanation = models.TextField("说明")
    items = models.JSONField("涉及条目", default=list, blank=True)

    class Meta:
        verbose_name = "自动检查发现"
        verbose_name_plural = "自动检查发现"
        ordering = ["checked", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["checked", "kind"], name="flag_kind_once"),
        ]
        indexes = [models.Index(fields=["kind"], name="flag_kind")]
