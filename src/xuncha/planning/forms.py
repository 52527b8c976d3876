"""Forms of the planning pages."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django import forms

from xuncha.accounts.models import Role, User
from xuncha.common.widgets import UnitPicker, path_related
from xuncha.units.models import Unit

from .models import Cadre, MemberRole, RoundKind, Term

REASON_REQUIRED = {"required": "请填写原因。"}


def _reason(label: str = "变更原因", *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=200, required=required, error_messages=REASON_REQUIRED,
        help_text="记入变更记录。" if not required else "必填，记入变更记录。",
    )  # fmt: skip


class CadreChoiceField(forms.ModelChoiceField):
    """A cadre shown with their home unit, so namesakes can be told apart."""

    def label_from_instance(self, obj: Any) -> str:
        title = f"，{obj.title}" if obj.title else ""
        return f"{obj.name}（{obj.home_unit.name}{title}）"


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name}（{obj.username}）"


class RoundForm(forms.Form):
    term: forms.ModelChoiceField[Term] = forms.ModelChoiceField(
        label="届期", queryset=Term.objects.all()
    )
    number = forms.IntegerField(label="轮次", min_value=1, max_value=99)
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=RoundKind.choices)
    start_date = forms.DateField(label="进驻日期", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))


class RoundEditForm(RoundForm):
    reason = _reason()


class TeamForm(forms.Form):
    number = forms.IntegerField(
        label="组次", min_value=1, max_value=99, required=False, help_text="不填则按顺序编号。"
    )
    name = forms.CharField(
        label="巡察组名称", max_length=50, required=False, help_text="不填则为“第N巡察组”。"
    )


class TeamEditForm(forms.Form):
    number = forms.IntegerField(label="组次", min_value=1, max_value=99)
    name = forms.CharField(label="巡察组名称", max_length=50, required=False)
    reason = _reason()


class MemberForm(forms.Form):
    team = forms.IntegerField(widget=forms.HiddenInput, required=False)
    cadre = CadreChoiceField(
        label="干部", queryset=Cadre.objects.select_related("home_unit").order_by("name", "id"),
        empty_label="请选择",
    )  # fmt: skip
    role = forms.ChoiceField(label="分工", choices=MemberRole.choices, initial=MemberRole.MEMBER)


class MemberRoleForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label="分工", choices=MemberRole.choices)


class MemberRemoveForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    reason = _reason("调出原因", required=True)


class AssignmentForm(forms.Form):
    team = forms.IntegerField(widget=forms.HiddenInput, required=False)
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label="被巡察单位", queryset=Unit.objects.select_related(*path_related()).order_by("code"),
        widget=UnitPicker(), empty_label="请选择",
    )  # fmt: skip
    kind = forms.ChoiceField(label="巡察方式", choices=RoundKind.choices)


class UnassignForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput)
    reason = _reason("取消原因", required=True)


class TeamDeleteForm(forms.Form):
    reason = _reason("删除原因", required=True)


class TermForm(forms.Form):
    name = forms.CharField(
        label="名称", max_length=100, help_text="如：第十四届市委巡察工作规划（2022—2026年）"
    )
    start_year = forms.IntegerField(label="起始年", min_value=1949, max_value=2200)
    end_year = forms.IntegerField(label="结束年", min_value=1949, max_value=2200)
    reason = _reason()


class CadreForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    title = forms.CharField(label="职务", max_length=100, required=False)
    home_unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label="原单位", queryset=Unit.objects.select_related(*path_related()).order_by("code"),
        widget=UnitPicker(), empty_label="请选择", help_text="用于回避审查和区分同名干部。",
    )  # fmt: skip
    user = UserChoiceField(
        label="登录账户", required=False, empty_label="（无）",
        queryset=User.objects.filter(role=Role.TEAM, is_active=True).order_by("full_name", "id"),
        help_text="巡察组成员用此账户登录，看到所在巡察组的工作。",
    )  # fmt: skip
    reason = _reason()


# The term plan (届内全覆盖规划) ------------------------------------------------------

MAX_PLAN_TEAMS = 10  # roster fields shown on the proposal form


class TermPlanForm(forms.Form):
    """Parameters of a proposal and the standing teams (回避 in every round)."""

    years = forms.TypedMultipleChoiceField(
        label="规划年度", coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个年度。"},
    )  # fmt: skip
    rounds_per_year = forms.IntegerField(label="每年轮次数", min_value=1, max_value=6, initial=3)
    teams_per_round = forms.IntegerField(
        label="每轮巡察组数", min_value=1, max_value=MAX_PLAN_TEAMS, initial=4
    )
    capacity = forms.IntegerField(
        label="每组每轮最多巡察单位数", min_value=1, max_value=500, initial=10
    )
    elevated_per_year = forms.IntegerField(
        label="每年提级巡察轮次数", min_value=0, max_value=6, initial=0,
        help_text="每年最后几轮为提级巡察轮次；提级单位只安排在这些轮次。",
    )  # fmt: skip
    time_limit = forms.IntegerField(
        label="求解时限（秒）", min_value=1, max_value=50, initial=10,
        help_text="到时限仍未证明最优时，采用已找到的最好方案。",
    )  # fmt: skip

    def __init__(
        self, *args: Any, term: Term, today: dt.date, to_cover: int = 0, elevated: int = 0,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        """``to_cover`` units still to inspect, ``elevated`` of them 提级: the form starts
        from the term's years from this one on, and a capacity that covers them all with
        a tenth to spare (the office changes what it knows better)."""
        super().__init__(*args, **kwargs)
        years = range(term.start_year, term.end_year + 1)
        self.fields["years"].choices = [(y, f"{y}年") for y in years]  # type: ignore[attr-defined]
        ahead = [y for y in years if y >= today.year] or list(years)
        self.fields["years"].initial = ahead
        if to_cover:
            rounds, teams = (
                self.fields["rounds_per_year"].initial,
                self.fields["teams_per_round"].initial,
            )
            lifted = 1 if elevated else 0
            need = (to_cover - elevated) / (len(ahead) * (rounds - lifted) * teams)
            if lifted:
                need = max(need, elevated / (len(ahead) * lifted * teams))
            self.fields["elevated_per_year"].initial = lifted
            self.fields["capacity"].initial = min(500, max(1, math.ceil(need * 1.1)))
        cadres = Cadre.objects.select_related("home_unit").order_by("name", "id")
        for k in range(1, MAX_PLAN_TEAMS + 1):
            self.fields[f"leader_{k}"] = CadreChoiceField(
                label=f"第{k}组组长", queryset=cadres, required=False
            )
            self.fields[f"members_{k}"] = CadreMultipleField(
                label=f"第{k}组组员", queryset=cadres, required=False
            )

    def rosters(self) -> dict[int, list[int]]:
        """Team key → cadre ids (leader first), for the teams of the proposal."""
        data = self.cleaned_data
        out: dict[int, list[int]] = {}
        for k in range(1, data["teams_per_round"] + 1):
            leader = data.get(f"leader_{k}")
            ids = [leader.pk] if leader else []
            ids += [c.pk for c in data.get(f"members_{k}") or [] if c.pk not in ids]
            if ids:
                out[k] = ids
        return out


class CadreMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.home_unit.name}）"


class PlanMoveForm(forms.Form):
    """Move one unit of the plan to another round and team, pin it."""

    slot = forms.TypedChoiceField(label="规划轮次", coerce=int)
    team = forms.TypedChoiceField(label="巡察组", coerce=int)
    pinned = forms.BooleanField(label="固定（重新求解时不动）", required=False)
    reason = forms.CharField(label="调整原因", max_length=200, required=False)

    def __init__(self, *args: Any, slots: list[Any], teams: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [  # type: ignore[attr-defined]
            (s.index, f"{s.year}年第{s.number}轮{'（提级）' if s.kind == 'elevated' else ''}")
            for s in slots
        ]
        self.fields["team"].choices = [  # type: ignore[attr-defined]
            (k, f"第{k}组") for k in range(1, teams + 1)
        ]
