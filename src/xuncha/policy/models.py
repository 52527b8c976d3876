"""Loaded tables of the land-compensation standard. The shipped default (seed 000) is
package data (:func:`xuncha.policy.landcomp.default_standards`), so it cannot be
deleted; each load of a zone-price or coefficients table is one :class:`StandardVersion`
with its rows, kept as loaded (no edits: load a new table instead)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xuncha.common.models import BaseModel


class TableKind(models.TextChoices):
    ZONES = "zones", "区片综合地价表"
    COEFFICIENTS = "coefficients", "地类系数表"


class StandardVersion(BaseModel):
    kind = models.CharField("表格类型", max_length=20, choices=TableKind.choices)
    name = models.CharField("名称", max_length=200)
    effective = models.DateField("施行日期（最早）")
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("文件 SHA-256", max_length=64)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "导入的征地补偿标准表"
        verbose_name_plural = "导入的征地补偿标准表"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "sha256"], name="policy_version_file_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}，{self.file_name}）"


class ZonePriceRow(models.Model):
    version = models.ForeignKey(StandardVersion, on_delete=models.CASCADE, related_name="zone_rows")
    county = models.CharField("县市区", max_length=100)
    zone = models.CharField("区片", max_length=50)
    price = models.DecimalField("区片综合地价（元/亩）", max_digits=18, decimal_places=2)
    effective = models.DateField("施行日期")
    row = models.PositiveIntegerField("行号")

    class Meta:
        ordering = ["version", "row"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gt=0), name="policy_zone_price_positive"),
            models.UniqueConstraint(fields=["version", "county", "zone", "effective"],
                                    name="policy_zone_row_unique"),
        ]  # fmt: skip


class CoefficientRow(models.Model):
    version = models.ForeignKey(
        StandardVersion, on_delete=models.CASCADE, related_name="coefficient_rows"
    )
    land_class = models.CharField("地类", max_length=20)
    coefficient = models.DecimalField("系数", max_digits=9, decimal_places=4)
    effective = models.DateField("施行日期")
    row = models.PositiveIntegerField("行号")

    class Meta:
        ordering = ["version", "row"]
        constraints = [
            models.CheckConstraint(condition=models.Q(coefficient__gt=0),
                                   name="policy_coefficient_positive"),
            models.UniqueConstraint(fields=["version", "land_class", "effective"],
                                    name="policy_coefficient_row_unique"),
        ]  # fmt: skip
