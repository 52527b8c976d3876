"""Inspected units: a hierarchy (city → county → township → village or community),
plus departments, state enterprises and industrial parks, each with a risk level."""

from __future__ import annotations

from django.db import models

from xuncha.common.models import BaseModel

SUPERIOR_LEVELS = 3
"""How many levels of superiors a unit's pages read (village → township → county → city):
:func:`~xuncha.units.selectors.unit_superiors` walks that far, and the ``select_related``
paths that feed it (``unit_detail``, ``common.widgets.path_related``) fetch that far."""


class UnitKind(models.TextChoices):
    CITY = "city", "市"
    COUNTY = "county", "县市区"
    TOWNSHIP = "township", "乡镇（街道）"
    VILLAGE = "village", "村"
    COMMUNITY = "community", "社区"
    DEPARTMENT = "department", "部门单位"
    ENTERPRISE = "enterprise", "国有企业"
    PARK = "park", "园区"


class RiskLevel(models.TextChoices):
    GENERAL = "general", "一般关注类"
    WATCH = "watch", "风险关注类"
    HIGH = "high", "重点隐患类"


class Unit(BaseModel):
    name = models.CharField("名称", max_length=100)
    code = models.CharField("编码", max_length=32, unique=True)
    kind = models.CharField("类型", max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )  # fmt: skip
    risk_level = models.CharField(
        "风险等级", max_length=10, choices=RiskLevel.choices, default=RiskLevel.GENERAL
    )
    # The county a unit belongs to (itself for a county), kept for coverage by county.
    county = models.ForeignKey(
        "self", verbose_name="所属县市区", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "被巡察单位"
        verbose_name_plural = "被巡察单位"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unit_name_unique_in_parent"),
        ]

    def __str__(self) -> str:
        return self.name
