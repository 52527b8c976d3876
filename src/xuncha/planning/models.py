"""Term plans, rounds, the cadre pool, teams and the units assigned to each team."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from xuncha.common.models import BaseModel

from .ordinals import number_in_name

# Every plan change is kept (who, when, what, why): rounds, teams, their members and
# assigned units, terms and the cadre pool.
_UNTRACKED = ["created_at", "updated_at"]


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
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

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
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

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
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    # What ``str()`` reads besides the row: select these to list cadres in one query.
    str_related = ("home_unit",)

    class Meta:
        verbose_name = "干部"
        verbose_name_plural = "干部库"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        """The name with the home unit, so that namesakes can be told apart."""
        return f"{self.name}（{self.home_unit.name}）"


class Team(BaseModel):
    round = models.ForeignKey(
        Round, verbose_name="轮次", on_delete=models.PROTECT, related_name="teams"
    )
    # The ordinal that orders teams 第一、第二、第三… (a name sorts 第十 before 第二).
    number = models.PositiveSmallIntegerField("组次", null=True, blank=True)
    name = models.CharField("名称", max_length=50)
    members: models.ManyToManyField[Cadre, TeamMember] = models.ManyToManyField(
        Cadre, through="TeamMember", related_name="teams"
    )
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "巡察组"
        verbose_name_plural = "巡察组"
        ordering = ["round", "number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="team_name_unique_in_round"),
            models.UniqueConstraint(
                fields=["round", "number"], name="team_number_unique_in_round",
                violation_error_message="本轮已有该组次的巡察组。",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.round}·{self.name}"

    def save(self, *args: object, **kwargs: object) -> None:
        """A team made without an ordinal takes the one in its name (第三巡察组 → 3),
        else the next free one in its round, so every path that makes a team orders it."""
        if self.number is None:
            number = number_in_name(self.name)
            teams = Team.objects.filter(round_id=self.round_id).exclude(pk=self.pk)
            if number is None or teams.filter(number=number).exists():
                number = Team.next_number(self.round_id)
            self.number = number
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @staticmethod
    def next_number(round_id: int) -> int:
        """The ordinal after the highest in the round (1 for its first team)."""
        teams = Team.objects.filter(round_id=round_id)
        return (teams.aggregate(m=models.Max("number"))["m"] or 0) + 1


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
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "巡察组成员"
        verbose_name_plural = "巡察组成员"
        constraints = [
            models.UniqueConstraint(fields=["team", "cadre"], name="member_once_per_team"),
            models.UniqueConstraint(
                fields=["team"], condition=models.Q(role=MemberRole.LEADER), name="one_leader_per_team",
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
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "巡察对象"
        verbose_name_plural = "巡察对象"
        constraints = [
            models.UniqueConstraint(
                fields=["round", "unit"], name="unit_once_per_round",
                violation_error_message="该单位在本轮已分配给其他巡察组。",
            )
        ]  # fmt: skip


# The term plan (届内全覆盖规划) ------------------------------------------------------


class TermPlanStatus(models.TextChoices):
    SOLVING = "solving", "求解中"
    DRAFT = "draft", "草案"
    REFUSED = "refused", "无可行方案"
    PARTLY = "committed-partly", "部分已下达"
    SUPERSEDED = "superseded", "已被新方案取代"


# planner.plan's statuses: CP-SAT proved the plan best, found one within the time
# limit, or the greedy fill was kept (the solver found nothing better in time).
SOLVER_STATUS_NAMES = {
    "optimal": "最优解",
    "feasible": "可行解（到时限，未证明最优）",
    "greedy": "贪心方案（求解器未找到更优的）",
}


class TermPlan(BaseModel):
    """One proposal of the term's coverage plan: every unit not yet inspected in the
    term placed in a slot (year, round) and a team, by the planner (OR-Tools CP-SAT),
    then adjusted by hand; a slot is committed as a real round."""

    term = models.ForeignKey(
        Term, verbose_name="届期", on_delete=models.PROTECT, related_name="plans"
    )
    number = models.PositiveSmallIntegerField("方案序号")
    status = models.CharField(
        "状态", max_length=20, choices=TermPlanStatus.choices, default=TermPlanStatus.DRAFT
    )
    # years, rounds_per_year, teams_per_round, capacity, elevated_per_year, time_limit
    params = models.JSONField("参数", default=dict)
    # {"1": [cadre ids], "2": [...]}: the standing teams (回避 in every slot)
    rosters = models.JSONField("巡察组成员", default=dict)
    objective = models.IntegerField("目标值", null=True, blank=True)
    greedy_objective = models.IntegerField("基准（贪心）目标值", null=True, blank=True)
    solver_status = models.CharField("求解状态", max_length=20, blank=True)
    seconds = models.FloatField("求解用时（秒）", null=True, blank=True)
    group_splits = models.IntegerField("分散的乡镇数", null=True, blank=True)
    # [{"constraint": ..., "message": ..., "units": [...]}] when no plan meets the constraints
    explanation = models.JSONField("无解原因", default=list, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="制定人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "届内全覆盖规划"
        verbose_name_plural = "届内全覆盖规划"
        ordering = ["term", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="termplan_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.term}·全覆盖规划第{self.number}稿"

    @property
    def solver_status_display(self) -> str:
        """The planner's status in words (the field keeps the planner's own name)."""
        return SOLVER_STATUS_NAMES.get(self.solver_status, self.solver_status)


class PlanSlot(BaseModel):
    """A (year, round) of the plan; ``round`` once it is committed as a real round."""

    plan = models.ForeignKey(
        TermPlan, verbose_name="规划", on_delete=models.CASCADE, related_name="slots"
    )
    index = models.PositiveSmallIntegerField("次序")
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveSmallIntegerField("轮次")
    kind = models.CharField(
        "类型", max_length=20, choices=RoundKind.choices, default=RoundKind.ROUTINE
    )
    round = models.ForeignKey(
        Round, verbose_name="已下达轮次", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="plan_slots",
    )  # fmt: skip
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "规划轮次"
        verbose_name_plural = "规划轮次"
        ordering = ["plan", "index"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "index"], name="planslot_index_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年第{self.number}轮"


class PlanEntry(BaseModel):
    """A unit's place in the plan: slot and team; ``pinned`` keeps it on a re-solve."""

    plan = models.ForeignKey(
        TermPlan, verbose_name="规划", on_delete=models.CASCADE, related_name="entries"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name="被巡察单位", on_delete=models.PROTECT, related_name="+"
    )
    slot = models.ForeignKey(
        PlanSlot, verbose_name="规划轮次", on_delete=models.CASCADE, related_name="entries"
    )
    team_key = models.PositiveSmallIntegerField("巡察组")
    pinned = models.BooleanField("固定", default=False)
    elevated = models.BooleanField("提级", default=False)
    moved_by = models.ForeignKey(
        "accounts.User", verbose_name="调整人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    reason = models.CharField("调整原因", max_length=200, blank=True)
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "规划安排"
        verbose_name_plural = "规划安排"
        ordering = ["slot__index", "team_key", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit"], name="planentry_unit_once"),
        ]
