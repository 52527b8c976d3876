"""Term plans, rounds, the cadre pool, teams and the units assigned to each team."""

from __future__ import annotations

from django.db import models

from xuncha.common.models import BaseModel


class RoundKind(models.TextChoices):
    ROUTINE = "routine", "常规巡察"
    SPECIAL = "special", "专项巡察"
    MOBILE = "mobile", "机动巡察"
    ELEVATED = "elevated", "提级巡察"
    CROSS = "cross", "交叉巡察"
    JOINT = "joint", "联动巡察"


class Term(BaseModel):
    name = models.CharField("名称", max_length=100, unique=True)
    start_year = models.PositiveSmallIntegerField("起始年")
    end_year = models.PositiveSmallIntegerField("结束年")

    class Meta:
        verbose_name = "届期规划"
        verbose_name_plural = "届期规划"
        ordering = ["-start_year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="term_years_ordered",
                violation_error_message="结束年不能早于起始年。",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Round(BaseModel):
    term = models.ForeignKey(
        Term, verbose_name="届期", on_delete=models.PROTECT, related_name="rounds"
    )
    number = models.PositiveSmallIntegerField("轮次")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField(
        "类型", max_length=20, choices=RoundKind.choices, default=RoundKind.ROUTINE
    )
    start_date = models.DateField("进驻日期")
    end_date = models.DateField("结束日期")

    class Meta:
        verbose_name = "巡察轮次"
        verbose_name_plural = "巡察轮次"
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="round_number_unique_in_term"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="round_dates_ordered",
                violation_error_message="结束日期不能早于进驻日期。",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Cadre(BaseModel):
    """A cadre in the pool; seconded cadres keep their home unit (for 回避)."""

    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职务", max_length=100, blank=True)
    home_unit = models.ForeignKey(
        "units.Unit", verbose_name="原单位", on_delete=models.PROTECT, related_name="cadres"
    )
    user = models.OneToOneField(
        "accounts.User", verbose_name="账户", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="cadre",
    )  # fmt: skip

    class Meta:
        verbose_name = "干部"
        verbose_name_plural = "干部库"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(BaseModel):
    round = models.ForeignKey(
        Round, verbose_name="轮次", on_delete=models.PROTECT, related_name="teams"
    )
    name = models.CharField("名称", max_length=50)
    members: models.ManyToManyField[Cadre, TeamMember] = models.ManyToManyField(
        Cadre, through="TeamMember", related_name="teams"
    )

    class Meta:
        verbose_name = "巡察组"
        verbose_name_plural = "巡察组"
        ordering = ["round", "name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="team_name_unique_in_round")
        ]

    def __str__(self) -> str:
        return f"{self.round}·{self.name}"


class MemberRole(models.TextChoices):
    LEADER = "leader", "组长"
    DEPUTY = "deputy", "副组长"
    MEMBER = "member", "组员"


class TeamMember(BaseModel):
    team = models.ForeignKey(Team, verbose_name="巡察组", on_delete=models.CASCADE)
    cadre = models.ForeignKey(Cadre, verbose_name="干部", on_delete=models.PROTECT)
    role = models.CharField(
        "分工", max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER
    )

    class Meta:
        verbose_name = "巡察组成员"
        verbose_name_plural = "巡察组成员"
        constraints = [
            models.UniqueConstraint(fields=["team", "cadre"], name="member_once_per_team"),
            models.UniqueConstraint(
                fields=["team"], condition=models.Q(role="leader"), name="one_leader_per_team",
                violation_error_message="一个巡察组只能有一名组长。",
            ),
        ]  # fmt: skip


class Assignment(BaseModel):
    """A unit inspected by a team in a round (at most one team per unit and round)."""

    round = models.ForeignKey(
        Round, verbose_name="轮次", on_delete=models.PROTECT, related_name="assignments"
    )
    team = models.ForeignKey(
        Team, verbose_name="巡察组", on_delete=models.PROTECT, related_name="assignments"
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name="被巡察单位",
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    kind = models.CharField(
        "方式", max_length=20, choices=RoundKind.choices, default=RoundKind.ROUTINE
    )

    class Meta:
        verbose_name = "巡察对象"
        verbose_name_plural = "巡察对象"
        constraints = [
            models.UniqueConstraint(
                fields=["round", "unit"], name="unit_once_per_round",
                violation_error_message="该单位在本轮已分配给其他巡察组。",
            )
        ]  # fmt: skip
