"""Indicator systems (评估指标体系) and assessments (评估) of units' rectification.

An indicator system is data: versions → dimensions → indicators with points. A version
is frozen once an assessment uses it; editing a frozen version makes a new version, and
an assessment keeps the version it was opened under. See docs/decisions/0015.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models
from simple_history.models import HistoricalRecords

from xuncha.common.choices import Tone, Toned, toned
from xuncha.common.models import BaseModel

_UNTRACKED = ["created_at", "updated_at"]


class IndicatorKind(models.TextChoices):
    # Deduction items make up the 100 base points; bonus and penalty sit on top of them;
    # a veto item scores the whole assessment 0 when triggered.
    DEDUCTION = "deduction", "扣分项"
    BONUS = "bonus", "加分项"
    PENALTY = "penalty", "减分项"
    VETO = "veto", "一票否决项"


class PrefillKey(models.TextChoices):
    """Measures the data decide (the ledger, reverse checks, satisfaction surveys); an
    indicator naming one is pre-filled from it."""

    COMPLETION_RATE = "completion_rate", "整改完成率"
    OVERDUE = "overdue", "逾期未完成事项数"
    CLOSED_WITHOUT_EVIDENCE = "closed_without_evidence", "无证据销号事项数"
    PLAN_ACCEPTED_LATE = "plan_accepted_late", "整改方案逾期认可事项数"
    # Deduction items only: points in proportion to the satisfaction surveys' rate
    # (xuncha.surveys: 满意 + 基本满意 over all answers).
    SATISFACTION = "satisfaction", "群众满意度测评满意率"
    # Veto items only: the count of contradicted items, from reverse checks (销号反向核查).
    NOT_AS_REPORTED = "not_as_reported", "反向核查与事实不符事项数"


@toned("grade")
class Grade(Toned):
    GOOD = "good", "好"
    FAIR = "fair", "较好"
    AVERAGE = "average", "一般"
    POOR = "poor", "差"

    @classmethod
    def tones(cls) -> Mapping[str, Tone]:
        return {cls.GOOD: Tone.OK, cls.FAIR: Tone.INFO, cls.AVERAGE: Tone.WARN, cls.POOR: Tone.BAD}


class IndicatorSystem(BaseModel):
    name = models.CharField("名称", max_length=100, unique=True)
    note = models.TextField("说明", blank=True)
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "评估指标体系"
        verbose_name_plural = "评估指标体系"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IndicatorVersion(BaseModel):
    system = models.ForeignKey(
        IndicatorSystem, verbose_name="指标体系", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    frozen = models.BooleanField("已使用（冻结）", default=False)
    # Lowest total for each grade; below grade_average is 差.
    grade_good = models.DecimalField("“好”最低分", max_digits=6, decimal_places=2, default=90)
    grade_fair = models.DecimalField("“较好”最低分", max_digits=6, decimal_places=2, default=80)
    grade_average = models.DecimalField("“一般”最低分", max_digits=6, decimal_places=2, default=60)
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "指标体系版本"
        verbose_name_plural = "指标体系版本"
        ordering = ["system", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["system", "number"], name="indicator_version_unique"),
            models.CheckConstraint(
                condition=models.Q(grade_good__gt=models.F("grade_fair"), grade_fair__gt=models.F("grade_average"),
                                   grade_average__gte=0),
                name="grade_thresholds_descending", violation_error_message="等次分数线须为 好 > 较好 > 一般 ≥ 0。",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.system} 第{self.number}版"


class Dimension(BaseModel):
    version = models.ForeignKey(
        IndicatorVersion, verbose_name="版本", on_delete=models.CASCADE, related_name="dimensions"
    )
    name = models.CharField("评估维度", max_length=100)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2)
    order = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "评估维度"
        verbose_name_plural = "评估维度"
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="dimension_name_unique"),
            models.CheckConstraint(condition=models.Q(points__gte=0), name="dimension_points_not_negative",
                                   violation_error_message="分值不能为负数。"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name


class Indicator(BaseModel):
    dimension = models.ForeignKey(
        Dimension, verbose_name="评估维度", on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField("评估指标", max_length=300)
    kind = models.CharField("类型", max_length=20, choices=IndicatorKind.choices)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2)
    # A veto triggers when the unit's report contradicts the facts on this many items or more.
    veto_threshold = models.PositiveIntegerField("否决条件（不实事项数 ≥）", null=True, blank=True)
    evidence_required = models.BooleanField("须附证据", default=False)
    prefill = models.CharField("台账预填", max_length=40, choices=PrefillKey.choices, blank=True)
    order = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "评估指标"
        verbose_name_plural = "评估指标"
        ordering = ["dimension__order", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(points__gte=0), name="indicator_points_not_negative",
                                   violation_error_message="分值不能为负数。"),
            models.CheckConstraint(
                condition=(models.Q(kind="veto", points=0, veto_threshold__gte=1)
                           | (~models.Q(kind="veto") & models.Q(veto_threshold__isnull=True))),
                name="veto_has_threshold_no_points",
                violation_error_message="一票否决项分值须为 0 并写明否决条件；其他指标不设否决条件。",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name


class Assessment(BaseModel):
    """The scoring of a round's units, or of chosen units, under one indicator version."""

    name = models.CharField("名称", max_length=200)
    indicator_version = models.ForeignKey(
        IndicatorVersion,
        verbose_name="指标体系版本",
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    round = models.ForeignKey(
        "planning.Round", verbose_name="轮次", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    units = models.ManyToManyField("units.Unit", verbose_name="评估单位", related_name="+")
    supervisor = models.ForeignKey(
        "accounts.User", verbose_name="督查人", on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "评估"
        verbose_name_plural = "评估"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Score(BaseModel):
    """One unit's points on one indicator, with its basis; pre-filled ones keep their source."""

    assessment = models.ForeignKey(
        Assessment, verbose_name="评估", on_delete=models.CASCADE, related_name="scores"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name="评估指标", on_delete=models.PROTECT, related_name="scores"
    )
    # Points earned (deduction: what is left of the item's points; bonus: added; penalty:
    # taken off). A veto item records how many items the report contradicted instead.
    points = models.DecimalField("得分", max_digits=6, decimal_places=2, null=True, blank=True)
    contradicted = models.PositiveIntegerField("与事实不符事项数", null=True, blank=True)
    note = models.TextField("评分依据", blank=True)
    items = models.ManyToManyField(
        "rectifications.RectificationItem",
        verbose_name="关联整改事项",
        blank=True,
        related_name="+",
    )
    evidence = models.ManyToManyField(
        "common.Evidence", verbose_name="证据材料", blank=True, related_name="+"
    )
    prefilled_points = models.DecimalField(
        "预填得分", max_digits=6, decimal_places=2, null=True, blank=True
    )
    # A veto item pre-filled from reverse checks keeps its pre-filled count here.
    prefilled_contradicted = models.PositiveIntegerField(
        "预填与事实不符事项数", null=True, blank=True
    )
    prefill_source = models.TextField("预填来源", blank=True)
    override_reason = models.TextField("改动预填的理由", blank=True)
    scored_by = models.ForeignKey(
        "accounts.User", verbose_name="评分人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    # Optimistic locking as RectificationItem: a save based on an older version is refused.
    version = models.PositiveIntegerField("版本", default=1)
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "评分"
        verbose_name_plural = "评分"
        ordering = ["assessment", "unit", "indicator__dimension__order", "indicator__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "unit", "indicator"], name="score_unique"),
            models.CheckConstraint(condition=models.Q(points__gte=0) | models.Q(points__isnull=True),
                                   name="score_points_not_negative", violation_error_message="得分不能为负数。"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.unit}：{self.indicator}"

    @property
    def scored(self) -> bool:
        """Points given, or (a veto item) the count of contradicted items."""
        return self.points is not None or self.contradicted is not None

    @property
    def overridden(self) -> bool:
        if self.prefilled_contradicted is not None:
            return self.contradicted != self.prefilled_contradicted
        return self.prefilled_points is not None and self.points != self.prefilled_points


# Cards


@toned("card")
class CardColour(Toned):
    YELLOW = "yellow", "黄牌"
    RED = "red", "红牌"

    @classmethod
    def tones(cls) -> Mapping[str, Tone]:
        return {cls.YELLOW: Tone.WARN, cls.RED: Tone.BAD}


class CardReason(models.TextChoices):
    OVERDUE = "overdue", "已逾期"
    NO_REPORT = "no_report", "超过报告间隔未报告进展"
    LONG_OVERDUE = "long_overdue", "逾期超过规定天数"
    SECOND_YELLOW = "second_yellow", "再次出现黄牌情形"


class Card(BaseModel):
    """A red or yellow card as the daily derivation saw it (xuncha.supervision.cards):
    opened the first day an item met a card's rule, cleared the first day it no longer
    did. Never typed by anyone; the history makes "a second yellow" exact."""

    item = models.ForeignKey(
        "rectifications.RectificationItem", verbose_name="整改事项", on_delete=models.CASCADE,
        related_name="cards",
    )  # fmt: skip
    colour = models.CharField("颜色", max_length=10, choices=CardColour.choices)
    reason = models.CharField("原因", max_length=20, choices=CardReason.choices)
    first_seen = models.DateField("亮牌日期")
    cleared_on = models.DateField("撤牌日期", null=True, blank=True)

    class Meta:
        verbose_name = "红黄牌"
        verbose_name_plural = "红黄牌"
        ordering = ["-first_seen", "-id"]
        indexes = [models.Index(fields=["item", "colour", "cleared_on"], name="card_item_colour")]
        constraints = [
            models.UniqueConstraint(fields=["item"], condition=models.Q(cleared_on__isnull=True),
                                    name="one_open_card_per_item",
                                    violation_error_message="一个整改事项同时只能有一张未撤销的红黄牌。"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.get_colour_display()}：{self.item_id}"


class CardSupervision(BaseModel):
    """督办 issued by the office on a card (who, when, what); its printable 督办函 is a
    page (cards.supervision_letter); the GB/T 9704 document comes with issue 19."""

    card = models.ForeignKey(
        Card, verbose_name="红黄牌", on_delete=models.CASCADE, related_name="supervisions"
    )
    by = models.ForeignKey(
        "accounts.User", verbose_name="督办人", on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField("督办内容")

    class Meta:
        verbose_name = "红黄牌督办"
        verbose_name_plural = "红黄牌督办"
        ordering = ["created_at", "id"]


# Follow-up (回头看) and interviews (约谈): docs/decisions/0017


@toned("follow_up")
class FollowUpStatus(Toned):
    OPEN = "open", "待回头看"
    CLOSED = "closed", "已关闭"

    @classmethod
    def tones(cls) -> Mapping[str, Tone]:
        return {cls.OPEN: Tone.WARN, cls.CLOSED: Tone.MUTED}


class FollowUp(BaseModel):
    """A unit on the 回头看 list because its graded total in an assessment was low. Put
    there when the supervisor fixes the unit's grade (xuncha.supervision.followup); a
    later, higher grade leaves it in place: only the office closes it, with a reason."""

    assessment = models.ForeignKey(
        Assessment, verbose_name="评估", on_delete=models.PROTECT, related_name="follow_ups"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    grade = models.CharField("列入时等次", max_length=10, choices=Grade.choices)
    total = models.DecimalField("列入时总分", max_digits=6, decimal_places=2)
    latest_grade = models.CharField("最近确定的等次", max_length=10, choices=Grade.choices)
    latest_total = models.DecimalField("最近确定的总分", max_digits=6, decimal_places=2)
    status = models.CharField(
        "状态", max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    closed_reason = models.TextField("关闭理由", blank=True)
    closed_by = models.ForeignKey(
        "accounts.User", verbose_name="关闭人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "回头看"
        verbose_name_plural = "回头看名单"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "unit"], name="follow_up_unique"),
            models.CheckConstraint(
                condition=models.Q(status="open") | (~models.Q(closed_reason="") & models.Q(closed_at__isnull=False)),
                name="closed_follow_up_has_reason", violation_error_message="关闭回头看须写明理由。",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.unit}（{self.assessment}）"


@toned("interview")
class InterviewStatus(Toned):
    PENDING = "pending", "待约谈"
    DONE = "done", "已约谈"

    @classmethod
    def tones(cls) -> Mapping[str, Tone]:
        return {cls.PENDING: Tone.WARN, cls.DONE: Tone.OK}


class Interview(BaseModel):
    """The 约谈 task that comes with a follow-up: the office interviews the unit's leader
    by the due date and records what was said."""

    follow_up = models.OneToOneField(
        FollowUp, verbose_name="回头看", on_delete=models.CASCADE, related_name="interview"
    )
    interviewee = models.CharField("约谈对象", max_length=100)
    due_on = models.DateField("约谈时限")
    status = models.CharField(
        "状态", max_length=10, choices=InterviewStatus.choices, default=InterviewStatus.PENDING
    )
    done_on = models.DateField("约谈日期", null=True, blank=True)
    record = models.TextField("约谈记录", blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name="记录人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    version = models.PositiveIntegerField("版本", default=1)
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "约谈"
        verbose_name_plural = "约谈"
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="pending") | (models.Q(done_on__isnull=False) & ~models.Q(record="")),
                name="done_interview_has_record", violation_error_message="已约谈须记录约谈日期和内容。",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"约谈 {self.interviewee}"


# Reverse checks of closed items (销号反向核查): docs/decisions/0017


class ReverseCheck(BaseModel):
    """A random sample of closed items to re-check on site. Everything the draw used is
    stored (seed, candidates in order, per-unit quota, priority ids), so
    ``reversecheck.redraw`` reproduces the same sample."""

    name = models.CharField("名称", max_length=200)
    round = models.ForeignKey(
        "planning.Round", verbose_name="轮次", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    units = models.ManyToManyField("units.Unit", verbose_name="核查单位", related_name="+")
    share = models.DecimalField(
        "每单位抽取比例（%）", max_digits=5, decimal_places=2, null=True, blank=True
    )
    count = models.PositiveIntegerField("每单位抽取数量", null=True, blank=True)
    seed = models.BigIntegerField("随机种子")
    candidate_ids = models.JSONField("候选事项（按单位、编号排序）", default=list)
    priority_ids = models.JSONField("优先抽取事项", default=list)
    drawn_by = models.ForeignKey(
        "accounts.User", verbose_name="抽取人", on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "销号反向核查"
        verbose_name_plural = "销号反向核查"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(share__isnull=False, count__isnull=True, share__gt=0, share__lte=100)
                           | models.Q(share__isnull=True, count__isnull=False, count__gte=1)),
                name="reverse_check_share_or_count",
                violation_error_message="按比例（0–100%）或按数量（至少 1 项）二选一。",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name


@toned("reverse_check")
class CheckResult(Toned):
    PENDING = "pending", "待核查"
    CONFIRMED = "confirmed", "属实"
    NOT_AS_REPORTED = "not_as_reported", "与报告不符"

    @classmethod
    def tones(cls) -> Mapping[str, Tone]:
        return {cls.PENDING: Tone.WARN, cls.CONFIRMED: Tone.OK, cls.NOT_AS_REPORTED: Tone.BAD}


class ReverseCheckSample(BaseModel):
    """One sampled closed item and its on-site result."""

    reverse_check = models.ForeignKey(
        ReverseCheck, verbose_name="反向核查", on_delete=models.CASCADE, related_name="samples"
    )
    item = models.ForeignKey(
        "rectifications.RectificationItem", verbose_name="整改事项", on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    unit = models.ForeignKey(
        "units.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    priority = models.BooleanField("优先抽取", default=False)
    result = models.CharField(
        "核查结果", max_length=20, choices=CheckResult.choices, default=CheckResult.PENDING
    )
    note = models.TextField("核查情况", blank=True)
    evidence = models.ManyToManyField(
        "common.Evidence", verbose_name="证据材料", blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name="记录人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    recorded_at = models.DateTimeField("记录时间", null=True, blank=True)
    reopened_at = models.DateTimeField("事项重新打开时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "反向核查抽样事项"
        verbose_name_plural = "反向核查抽样事项"
        ordering = ["reverse_check", "unit", "id"]
        indexes = [models.Index(fields=["unit", "result"], name="sample_unit_result")]
        constraints = [
            models.UniqueConstraint(fields=["reverse_check", "item"], name="sample_item_unique"),
            models.CheckConstraint(
                condition=~models.Q(result="not_as_reported") | ~models.Q(note=""),
                name="not_as_reported_has_note", violation_error_message="与报告不符须写明核查情况。",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.reverse_check}：{self.item_id}"
