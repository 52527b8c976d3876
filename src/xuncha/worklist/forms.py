"""Forms of the task-list pages; every label and error in Chinese (thin: the services
check the rules)."""

from __future__ import annotations

from typing import Any

from django import forms

from xuncha.accounts.models import User

from .models import ItemStatus
from .services import LEADS, RESPONSIBLE


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": f"请填写{label}。", "invalid": f"{label}应为 YYYY-MM-DD 格式的日期。"},
    )  # fmt: skip


def _text(label: str, *, area: bool = True, max_length: int = 2000) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=max_length, widget=forms.Textarea(attrs={"rows": 3}) if area
        else forms.TextInput, error_messages={"required": f"请填写{label}。"},
    )  # fmt: skip


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.signature)


class ListForm(forms.Form):
    month = forms.DateField(
        label="月份", widget=forms.DateInput(attrs={"type": "month"}), input_formats=["%Y-%m", "%Y-%m-%d"],
        error_messages={"required": "请选择月份。", "invalid": "月份应为 YYYY-MM 格式。"},
    )  # fmt: skip
    report_day = forms.IntegerField(
        label="每月进展报送日（1–28 日）", initial=25, min_value=1, max_value=28,
        error_messages={"required": "请填写每月进展报送日。", "min_value": "报送日应为 1 至 28 日。",
                        "max_value": "报送日应为 1 至 28 日。", "invalid": "报送日应为整数。"},
    )  # fmt: skip
    title = forms.CharField(label="清单名称（留空则按月份命名）", max_length=200, required=False)


class ItemForm(forms.Form):
    what = _text("任务内容")
    lead_leader = UserChoice(
        label="牵头领导", queryset=User.objects.none(),
        error_messages={"required": "请选择牵头领导。", "invalid_choice": "所选牵头领导不存在。"},
    )  # fmt: skip
    lead_department = _text("牵头部门", area=False, max_length=100)
    responsible = UserChoice(
        label="责任人", queryset=User.objects.none(),
        error_messages={"required": "请选择责任人。", "invalid_choice": "所选责任人不存在。"},
    )  # fmt: skip
    deadline = _date("完成时限")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        active = User.objects.filter(is_active=True).order_by("role", "full_name", "username")
        self.fields["lead_leader"].queryset = active.filter(role__in=LEADS)  # type: ignore[attr-defined]
        self.fields["responsible"].queryset = active.filter(role__in=RESPONSIBLE)  # type: ignore[attr-defined]


class MilestoneForm(forms.Form):
    what = _text("节点内容", area=False, max_length=200)
    due = _date("节点时限")


class ReportForm(forms.Form):
    text = _text("本月进展情况")
    percent = forms.IntegerField(
        label="完成进度（%，填 100 即报结，提请审结）", min_value=0, max_value=100,
        error_messages={"required": "请填写完成进度。", "min_value": "完成进度应在 0 至 100 之间。",
                        "max_value": "完成进度应在 0 至 100 之间。", "invalid": "完成进度应为整数。"},
    )  # fmt: skip


class ReminderForm(forms.Form):
    note = _text("催办内容")


class ExtensionForm(forms.Form):
    new_deadline = _date("申请延至")
    reason = _text("延期理由")


class DecideForm(forms.Form):
    approved = forms.TypedChoiceField(
        label="审批结果", choices=[("1", "同意延期"), ("0", "不同意")], coerce=lambda v: v == "1",
        widget=forms.RadioSelect, error_messages={"required": "请选择是否同意。"},
    )  # fmt: skip
    note = forms.CharField(
        label="审批意见（不同意时必填）", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class CloseForm(forms.Form):
    confirm_open_milestones = forms.BooleanField(
        label="确认审结（仍有未完成的时间节点时须勾选）", required=False
    )


class ReturnForm(forms.Form):
    reason = _text("退回原因")


class CarryForm(forms.Form):
    source = forms.TypedChoiceField(label="从哪个月的清单延续", coerce=int)

    def __init__(self, *args: Any, sources: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(s.pk, s.title) for s in sources]  # type: ignore[attr-defined]


class ItemFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *ItemStatus.choices]
    )
    responsible = forms.TypedChoiceField(
        label="责任人", required=False, coerce=int, empty_value=None
    )
    lead_leader = forms.TypedChoiceField(
        label="牵头领导", required=False, coerce=int, empty_value=None
    )
    overdue = forms.BooleanField(label="只看逾期", required=False)

    def __init__(self, data: Any, *, responsible: Any, leaders: Any) -> None:
        super().__init__(data or None)
        for name, users in (("responsible", responsible), ("lead_leader", leaders)):
            field = self.fields[name]
            field.choices = [("", "全部"), *((u.pk, u.display_name) for u in users)]  # type: ignore[attr-defined]
            field.error_messages["invalid_choice"] = f"所选{field.label}不在任何任务事项中。"
