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
    """Measures the ledger decides; an indicator naming one is pre-filled from it."""

    COMPLETION_RATE = "completion_rate", "整改完成率"
    OVERDUE = "overdue", "逾期未完成事项数"
    CLOSED_WITHOUT_EVIDENCE = "closed_without_evidence", "无证据销号事项数"
    PLAN_ACCEPTED_LATE = "plan_accepted_late", "整改方案逾期认可事项数"


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
    def overridden(self) -> bool:
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
    """督办 issued by the office on a card (who, when, what); the 督办函 document itself
    comes with issue 19."""

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
