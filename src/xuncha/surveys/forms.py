"""Forms of the survey pages; labels and errors in Chinese."""

from __future__ import annotations

from typing import Any

from django import forms

from xuncha.common.widgets import UnitPicker, path_related
from xuncha.planning.models import Round
from xuncha.units.models import Unit

from .services import COMMENT_MAX


class SurveyForm(forms.Form):
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label="测评单位", queryset=Unit.objects.select_related(*path_related()).order_by("code"),
        widget=UnitPicker(), empty_label="请选择",
        error_messages={"required": "请选择测评单位。", "invalid_choice": "所选单位不存在。"},
    )  # fmt: skip
    round: forms.ModelChoiceField[Round] = forms.ModelChoiceField(
        label="轮次（可不选）", required=False, empty_label="（不关联轮次）",
        queryset=Round.objects.order_by("-start_date", "-id"),
        error_messages={"invalid_choice": "所选轮次不存在。"},
    )  # fmt: skip
    title = forms.CharField(label="测评名称", max_length=100, initial="群众满意度测评",
                            error_messages={"required": "请填写测评名称。"})  # fmt: skip
    opens_on = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"required": "请填写开始日期。"})  # fmt: skip
    closes_on = forms.DateField(label="截止日期", widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"required": "请填写截止日期。"})  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "截止日期不能早于开始日期。")
        return data


class ResponseForm(forms.Form):
    """The public answer. Group and answer are plain text here: the service names what
    is wrong with an unknown value in words a respondent understands."""

    pow_challenge = forms.CharField(required=False, max_length=200)
    pow_nonce = forms.CharField(required=False, max_length=20)
    group = forms.CharField(required=False, max_length=20)
    answer = forms.CharField(required=False, max_length=20)
    comment = forms.CharField(required=False, max_length=COMMENT_MAX,
                              error_messages={"max_length": f"意见建议不能超过 {COMMENT_MAX} 字。"})  # fmt: skip
