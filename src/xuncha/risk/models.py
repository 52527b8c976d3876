"""Unit profiles (单位画像) and risk classification (风险研判).

An indicator's value for a unit and year comes from a department's workbook (an import
batch, with its file, sheet and row) or from Xuncha's own data (a named query). A risk
model is versioned: a change makes a new version and the old one stays readable, with the
classifications made by it. A classification keeps, per unit, the score, the level the
model computed and why (each indicator's contribution and the must-rules that fired); an
override by the office sets another level with a reason, and every override is kept.
"""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from xuncha.common.models import BaseModel
from xuncha.units.models import RiskLevel

_UNTRACKED = ["created_at", "updated_at"]


class Direction(models.TextChoices):
    HIGHER_WORSE = "higher", "越高风险越大"
    LOWER_WORSE = "lower", "越低风险越大"


class Source(models.TextChoices):
    IMPORTED = "import", "部门数据导入"
    DERIVED = "derived", "本系统数据推算"


class Indicator(BaseModel):
    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    unit_label = models.CharField("计量单位", max_length=20, blank=True)
    direction = models.CharField(
        "方向", max_length=10, choices=Direction.choices, default=Direction.HIGHER_WORSE
    )
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    department = models.CharField("数据提供部门", max_length=100, blank=True)
    description = models.TextField("口径说明", blank=True)

    class Meta:
        verbose_name = "画像指标"
        verbose_name_plural = "画像指标"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


def import_path(instance: ImportBatch, filename: str) -> str:
    # Stored under its hash, never under the uploader's name.
    return f"risk/imports/{instance.sha256[:2]}/{instance.sha256}"


class BatchStatus(models.TextChoices):
    STAGED = "staged", "待确认"
    IMPORTED = "imported", "已导入"
    CANCELLED = "cancelled", "已取消"


class ImportBatch(BaseModel):
    """One department workbook: uploaded (staged), its column mapping and unit matches
    confirmed on screen, then imported whole or not at all."""

    department = models.CharField("提供部门", max_length=100)
    year = models.PositiveSmallIntegerField("数据年度")
    file = models.FileField("文件", upload_to=import_path, max_length=200)
    file_name = models.CharField("原文件名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    sheet = models.CharField("工作表", max_length=100, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=BatchStatus.choices, default=BatchStatus.STAGED
    )
    # Column header -> "unit_code" | "unit_name" | "township" | "county" | "indicator:<code>" | "".
    mapping = models.JSONField("列对应", default=dict, blank=True)
    # Excel row number (as text) -> unit pk, or {"skip": reason}: the user's choice for a row
    # whose unit matched none or several.
    resolutions = models.JSONField("单位匹配确认", default=dict, blank=True)
    # The file's cells as read in the sandbox at upload (a list of rows of text), so the
    # mapping, the matches and the import read them without parsing the file again, and
    # the 0-based index of the header row found in them.
    cells = models.JSONField("读取的单元格", default=list, blank=True)
    header_row = models.PositiveIntegerField("表头行", default=0)
    rows_total = models.PositiveIntegerField("数据行数", default=0)
    rows_imported = models.PositiveIntegerField("导入行数", default=0)
    # [{"row": n, "reason": "..."}]: every row not imported, with why.
    skipped = models.JSONField("未导入的行", default=list, blank=True)
    uploaded_by = models.ForeignKey(
        "accounts.User", verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    imported_by = models.ForeignKey(
        "accounts.User", verbose_name="导入人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    imported_at = models.DateTimeField("导入时间", null=True, blank=True)

    class Meta:
        verbose_name = "部门数据导入"
        verbose_name_plural = "部门数据导入"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.department}·{self.file_name}"


class IndicatorValue(BaseModel):
    """A unit's value of an indicator in a year, with where it came from."""

    unit = models.ForeignKey(
        "units.Unit", verbose_name="单位", on_delete=models.CASCADE, related_name="indicator_values"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="values"
    )
    year = models.PositiveSmallIntegerField("年度")
    value = models.FloatField("数值")
    batch = models.ForeignKey(
        ImportBatch, verbose_name="导入批次", null=True, blank=True, on_delete=models.CASCADE,
        related_name="values",
    )  # fmt: skip
    # Where the value was read: 「组织部.xlsx · 考评 · 第 12 行」 or the query that derived it.
    source = models.CharField("来源", max_length=300)

    class Meta:
        verbose_name = "指标值"
        verbose_name_plural = "指标值"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "indicator", "year"], name="indicator_value_once_per_year"
            )
        ]


class RiskModel(BaseModel):
    """A version of a risk model. Never edited in place once used: a change is a new
    version (the spec is validated by :mod:`xuncha.risk.spec`)."""

    name = models.CharField("名称", max_length=100)
    version = models.PositiveSmallIntegerField("版本")
    # indicators (code, weight, normalisation), thresholds, must-rules, elevation: see spec.py
    spec = models.JSONField("模型定义")
    note = models.CharField("变更说明", max_length=300, blank=True)
    active = models.BooleanField("当前使用", default=False)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="创建人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "风险模型"
        verbose_name_plural = "风险模型"
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="risk_model_version_unique"),
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="one_active_risk_model"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"


class Classification(BaseModel):
    """One run of a model over every unit of the kinds it classifies, for a year."""

    model = models.ForeignKey(
        RiskModel, verbose_name="模型", on_delete=models.PROTECT, related_name="classifications"
    )
    year = models.PositiveSmallIntegerField("数据年度")
    by = models.ForeignKey(
        "accounts.User", verbose_name="研判人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    counts = models.JSONField("各等级数量", default=dict)  # level -> count (after overrides)
    units = models.PositiveIntegerField("单位数", default=0)
    current = models.BooleanField("当前结果", default=False)

    class Meta:
        verbose_name = "风险研判"
        verbose_name_plural = "风险研判"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["current"], condition=models.Q(current=True),
                name="one_current_classification",
            )
        ]  # fmt: skip


class UnitLevel(models.Model):
    """A unit's result in a classification: the model's level and why."""

    classification = models.ForeignKey(
        Classification, verbose_name="研判", on_delete=models.CASCADE, related_name="levels"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name="单位", on_delete=models.CASCADE, related_name="risk_levels"
    )
    score = models.FloatField("得分")
    level = models.CharField("模型等级", max_length=10, choices=RiskLevel.choices)
    # indicator code -> contribution to the score (weight × normalised value)
    contributions = models.JSONField("各指标贡献", default=dict)
    # the must-rules that raised the level, in words
    reasons = models.JSONField("规则触发", default=list)
    missing = models.JSONField("缺失指标", default=list)  # indicator codes without a value
    elevated = models.BooleanField("建议提级巡察", default=False)

    class Meta:
        verbose_name = "单位研判结果"
        verbose_name_plural = "单位研判结果"
        constraints = [
            models.UniqueConstraint(
                fields=["classification", "unit"], name="unit_level_once_per_classification"
            )
        ]


class LevelOverride(BaseModel):
    """The office's level for a unit, over the model's; the latest one counts, each is
    kept (with its history) and withdrawing one is a change with a reason too."""

    unit = models.OneToOneField(
        "units.Unit", verbose_name="单位", on_delete=models.CASCADE, related_name="risk_override"
    )
    level = models.CharField("调整后等级", max_length=10, choices=RiskLevel.choices)
    reason = models.CharField("调整理由", max_length=500)
    by = models.ForeignKey(
        "accounts.User", verbose_name="调整人", on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "等级人工调整"
        verbose_name_plural = "等级人工调整"
