"""Forms of the risk pages (thin: xuncha.risk.importing and the services check the rules)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from xuncha.units.models import RiskLevel, Unit, UnitKind

from .importing import ACCEPTED, ROLE_LABELS

LEVEL_CHOICES = [("", "全部"), *RiskLevel.choices]


def _year() -> int:
    return dt.date.today().year - 1


class ImportForm(forms.Form):
    department = forms.CharField(
        label="提供部门",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "如：组织部"}),
    )
    year = forms.IntegerField(label="数据年度", min_value=1990, max_value=2100, initial=_year)
    file = forms.FileField(
        label="文件（Excel 或 CSV，UTF-8 或 GBK）",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED)}),
    )


class MappingForm(forms.Form):
    """One select per column of the file (``col_<n>``), labelled with its header."""

    def __init__(
        self, *args: Any, headers: list[str], roles: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        for n, header in enumerate(headers):
            self.fields[f"col_{n}"] = forms.ChoiceField(label=header, choices=roles, required=False)

    def mapping(self) -> dict[str, str]:
        return {h: self.cleaned_data.get(f"col_{n}") or "" for n, h in enumerate(self.headers)}


def role_choices(indicators: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The roles a column can take: unit columns, each indicator, or not imported."""
    fixed = [(k, v) for k, v in ROLE_LABELS.items() if k]
    return [
        ("", ROLE_LABELS[""]),
        *fixed,
        *((f"indicator:{c}", f"指标：{n}") for c, n in indicators),
    ]


class ClassifyForm(forms.Form):
    year = forms.IntegerField(label="数据年度", min_value=1990, max_value=2100, initial=_year)


class OverrideForm(forms.Form):
    level = forms.ChoiceField(label="调整为", choices=RiskLevel.choices)
    reason = forms.CharField(
        label="调整理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写调整理由。"},
    )  # fmt: skip


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="撤销理由", max_length=500, error_messages={"required": "请填写撤销理由。"}
    )


class ModelVersionForm(forms.Form):
    spec_text = forms.CharField(
        label="模型定义（TOML）",
        widget=forms.Textarea(attrs={"rows": 30, "cols": 90, "spellcheck": "false"}),
    )
    note = forms.CharField(label="变更说明", max_length=300)


SORTS = [("-score", "得分从高到低"), ("score", "得分从低到高"), ("code", "单位编码")]


class LevelFilterForm(forms.Form):
    level = forms.ChoiceField(label="等级", choices=LEVEL_CHOICES, required=False)
    county = forms.TypedChoiceField(label="县市区", coerce=int, required=False, empty_value=None)
    township = forms.CharField(label="乡镇（街道）", max_length=100, required=False)
    q = forms.CharField(label="单位名称或编码", max_length=100, required=False)
    overridden = forms.BooleanField(label="仅人工调整的", required=False)
    elevated = forms.BooleanField(label="仅建议提级巡察的", required=False)
    sort = forms.ChoiceField(label="排序", choices=SORTS, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        counties = Unit.objects.filter(kind=UnitKind.COUNTY).order_by("code")
        self.fields["county"].choices = [("", "全部")] + [(c.pk, c.name) for c in counties]  # type: ignore[attr-defined]
