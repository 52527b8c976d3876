from __future__ import annotations

from django import forms

from .models import RiskLevel, Unit, UnitKind


class UnitFilterForm(forms.Form):
    q = forms.CharField(label="名称、编码或上级单位", required=False)
    kind = forms.ChoiceField(
        label="类型", required=False, choices=[("", "全部"), *UnitKind.choices]
    )
    risk_level = forms.ChoiceField(
        label="风险等级", required=False, choices=[("", "全部"), *RiskLevel.choices]
    )
    county_id = forms.TypedChoiceField(label="县市区", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        counties = (
            Unit.objects.filter(kind=UnitKind.COUNTY).order_by("code").values_list("id", "name")
        )
        self.fields["county_id"].choices = [("", "全部"), *counties]  # type: ignore[attr-defined]
