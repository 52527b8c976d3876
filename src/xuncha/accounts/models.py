"""Users and their role. What a role may see of which object is decided in one place,
:mod:`xuncha.accounts.access`, never in a view."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    OFFICE = "office", "巡察办"
    TEAM = "team", "巡察组"
    UNIT = "unit", "被巡察单位联络人"
    SUPERVISOR = "supervisor", "整改督查"
    LEADER = "leader", "领导"
    ADMIN = "admin", "系统管理员"


class User(AbstractUser):
    full_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.TEAM)
    # A unit liaison sees only this unit's items.
    unit = models.ForeignKey(
        "units.Unit", verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="liaisons",
    )  # fmt: skip

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role=Role.UNIT) | models.Q(unit__isnull=False),
                name="unit_liaison_has_unit",
                violation_error_message="被巡察单位联络人必须指定所属单位。",
            )
        ]

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def signature(self) -> str:
        """Name and role as the top bar shows them, the role said once: 刘卫东 · 巡察办
        (an account named after its role, such as 系统管理员, shows the name alone)."""
        role = self.get_role_display()
        name = self.display_name
        return name if name == role else f"{name} · {role}"
