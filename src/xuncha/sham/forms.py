"""The signal list's filters and the decision form."""

from __future__ import annotations

from django import forms
from django.http import QueryDict

from xuncha.accounts.models import User
from xuncha.common.filters import ListFilters
from xuncha.common.periods import PeriodFilter
from xuncha.planning.selectors import round_list

from .models import SignalKind, SignalStatus


class SignalFilters(PeriodFilter, ListFilters):
    """Kind, status, unit, round, whether still shown, and the period (``year`` /
    ``term``: signals first found then, as the figures page counts them)."""

    field_order = ["kind", "status", "unit", "round_id", "year", "term", "current"]

    kind = forms.ChoiceField(label="疑点类型", required=False,
                             choices=[("", "全部"), *SignalKind.choices])  # fmt: skip
    status = forms.ChoiceField(label="核实状态", required=False,
                               choices=[("", "全部"), *SignalStatus.choices])  # fmt: skip
    unit = forms.CharField(label="单位（含下属）", required=False, max_length=100)
    round_id = forms.TypedChoiceField(label="轮次", required=False, coerce=int, empty_value=None)
    current = forms.BooleanField(label="只看数据仍显示的疑点", required=False)

    def __init__(self, data: QueryDict | None, *, user: User) -> None:
        super().__init__(data or None)
        field = self.fields["round_id"]
        field.choices = [("", "全部"), *((r.pk, r.name) for r in round_list(user=user))]  # type: ignore[attr-defined]
        field.error_messages["invalid_choice"] = "所选轮次不存在或您无权查看。"


class DecideForm(forms.Form):
    status = forms.ChoiceField(label="核实结论", choices=SignalStatus.choices, widget=forms.RadioSelect,
                               error_messages={"required": "请选择核实结论。"})  # fmt: skip
    note = forms.CharField(label="核实意见", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
                           error_messages={"required": "请填写核实意见。"})  # fmt: skip
    was = forms.CharField(widget=forms.HiddenInput, required=False)
