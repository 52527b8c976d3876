"""Forms of the indicator and assessment pages (thin: the services check the rules)."""

from __future__ import annotations

from typing import Any

from django import forms

from xuncha.planning.models import Round

from .models import IndicatorVersion


class AssessmentForm(forms.Form):
    name = forms.CharField(label="评估名称", max_length=200)
    version = forms.ModelChoiceField(label="指标体系", queryset=IndicatorVersion.objects.none())
    round = forms.ModelChoiceField(
        label="轮次（评估该轮被巡察单位）", queryset=Round.objects.none()
    )

    def __init__(self, *args: Any, versions: Any, rounds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = versions  # type: ignore[attr-defined]
        self.fields["round"].queryset = rounds  # type: ignore[attr-defined]


class ScoreForm(forms.Form):
    points = forms.DecimalField(label="得分", required=False, max_digits=6, decimal_places=2)
    contradicted = forms.IntegerField(label="与事实不符事项数", required=False, min_value=0)
    note = forms.CharField(
        label="评分依据", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    override_reason = forms.CharField(label="改动预填的理由", required=False)
    items = forms.CharField(label="关联整改事项（编号，逗号分隔）", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
    indicator_version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_items(self) -> list[int]:
        text = self.cleaned_data["items"].replace("，", ",").replace("#", "")
        parts = [p.strip() for p in text.split(",") if p.strip()]
        bad = [p for p in parts if not p.isdigit()]
        if bad:
            raise forms.ValidationError(f"「{'、'.join(bad)}」不是整改事项编号")
        return [int(p) for p in parts]
