"""Forms of the planning pages."""

from __future__ import annotations

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
