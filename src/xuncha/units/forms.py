from __future__ import annotations

from typing import Any

from django import forms

from xuncha.common.periods import PeriodFilter

from .models import RiskLevel, Unit, UnitKind


class UnitFilterForm(PeriodFilter):
    """Kind, risk level, county, a name; ``inspected`` with a term or a year is the
    coverage (已巡察 / 未巡察) the figures page counts."""

    q = forms.CharField(label="名称、编码或上级单位", required=False)
    kind = forms.ChoiceField(
        label="类型", required=False, choices=[("", "全部"), *UnitKind.choices]
    )
    risk_level = forms.ChoiceField(
        label="风险等级", required=False, choices=[("", "全部"), *RiskLevel.choices]
    )
    county_id = forms.TypedChoiceField(label="县市区", required=False, coerce=int, empty_value=None,
                                       error_messages={"invalid_choice": "所选县市区不存在。"})  # fmt: skip
    inspected = forms.TypedChoiceField(
        label="巡察情况", required=False, coerce=lambda v: v == "1", empty_value=None,
        choices=[("", "全部"), ("1", "已巡察"), ("0", "尚未巡察")],
        error_messages={"invalid_choice": "巡察情况只能选“已巡察”或“尚未巡察”。"},
    )  # fmt: skip

    field_order = ["q", "kind", "risk_level", "county_id", "term", "year", "inspected"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        counties = (
            Unit.objects.filter(kind=UnitKind.COUNTY).order_by("code").values_list("id", "name")
        )
        self.fields["county_id"].choices = [("", "全部"), *counties]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("term") or data.get("year")) and data.get("inspected") is None:
            self.add_error("inspected", "按届期或年度筛选时，请选择“已巡察”或“尚未巡察”。")
        return data

    def coverage(self) -> dict[str, Any]:
        """``inspected`` with its term and year, for ``planning.selectors.by_coverage``
        (empty when not filtering by coverage or the form is invalid)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("inspected") is None:
            return {}
        return {"inspected": data["inspected"], **self.period()}
