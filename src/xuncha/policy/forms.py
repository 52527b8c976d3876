"""Forms of the policy pages (thin: the calculator and the services check the rules)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from .landcomp import LAND_CLASSES
from .models import TableKind

_DATE = {"type": "date"}


class CalculatorForm(forms.Form):
    county = forms.CharField(
        label="县市区", max_length=100, widget=forms.TextInput(attrs={"list": "counties"})
    )
    zone = forms.CharField(label="区片", max_length=50, initial="1区")
    land_class = forms.ChoiceField(label="地类", choices=[(c, c) for c in LAND_CLASSES])
    area = forms.DecimalField(
        label="面积（亩）", min_value=Decimal("0.0001"), max_digits=14, decimal_places=4
    )
    basic_farmland = forms.BooleanField(label="永久基本农田", required=False)
    restored = forms.BooleanField(label="“恢复属性”地类", required=False)
    announced = forms.DateField(
        label="征收土地公告日期", required=False, widget=forms.DateInput(attrs=_DATE)
    )
    approved = forms.DateField(
        label="批准日期", required=False, widget=forms.DateInput(attrs=_DATE)
    )
    reference = forms.DateField(
        label="参照日期（未发布公告时用，默认今天）", required=False,
        widget=forms.DateInput(attrs=_DATE),
    )  # fmt: skip


class TableLoadForm(forms.Form):
    kind = forms.ChoiceField(label="表格类型", choices=TableKind.choices)
    name = forms.CharField(
        label="名称（可选，如：长沙市征地区片综合地价 2024 年调整）", max_length=200, required=False
    )
    file = forms.FileField(label="文件（CSV 或 Excel）")
