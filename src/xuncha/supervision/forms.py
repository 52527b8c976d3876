"""Forms of the indicator and assessment pages (thin: the services check the rules)."""

from __future__ import annotations

from typing import Any

from django import forms

from xuncha.common.periods import PeriodFilter
from xuncha.common.sampling import size_error
from xuncha.common.widgets import MultipleFileField, MultipleFileInput, UploadForm
from xuncha.planning.models import Round
from xuncha.units.models import Unit

from .models import Assessment, CheckResult, FollowUpStatus, IndicatorVersion


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


class FollowUpFilter(PeriodFilter):
    """Round, assessment, status, and the period (``year`` / ``term``: entries of the
    period's assessments, as the figures page counts them)."""

    field_order = ["round", "assessment", "status", "year", "term"]

    round = forms.ModelChoiceField(label="轮次", required=False, queryset=Round.objects.none(),
                                   empty_label="全部")  # fmt: skip
    assessment = forms.ModelChoiceField(
        label="评估", required=False, queryset=Assessment.objects.none(), empty_label="全部"
    )
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *FollowUpStatus.choices]
    )

    def __init__(self, *args: Any, rounds: Any, assessments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds  # type: ignore[attr-defined]
        self.fields["assessment"].queryset = assessments  # type: ignore[attr-defined]


class Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class InterviewForm(Versioned):
    interviewee = forms.CharField(label="约谈对象", max_length=100,
                                  help_text="一般为被评估单位主要负责人，写明姓名和职务。")  # fmt: skip
    due_on = forms.DateField(label="约谈时限", widget=forms.DateInput(attrs={"type": "date"}))


class InterviewRecordForm(Versioned):
    done_on = forms.DateField(label="约谈日期", widget=forms.DateInput(attrs={"type": "date"}))
    record = forms.CharField(label="约谈记录", widget=forms.Textarea(attrs={"rows": 4}),
                             max_length=5000)  # fmt: skip


class FollowUpCloseForm(Versioned):
    reason = forms.CharField(label="关闭理由", widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=2000, error_messages={"required": "关闭回头看须写明理由。"})  # fmt: skip


class ReverseCheckForm(forms.Form):
    name = forms.CharField(label="核查名称", max_length=200)
    round = forms.ModelChoiceField(label="轮次（抽取该轮已销号事项）", required=False,
                                   queryset=Round.objects.none())  # fmt: skip
    units = forms.ModelMultipleChoiceField(label="单位（不选则为该轮全部单位）", required=False,
                                           queryset=Unit.objects.none())  # fmt: skip
    mode = forms.ChoiceField(label="抽取方式", choices=[("share", "按比例（%）"), ("count", "按数量（项）")],
                             widget=forms.RadioSelect, initial="share")  # fmt: skip
    size = forms.DecimalField(label="每单位比例或数量", max_digits=6, decimal_places=2,
                              help_text="按比例：大于 0、不超过 100；按数量：不小于 1 的整数。")  # fmt: skip
    seed = forms.IntegerField(label="随机种子（留空自动生成；填写已有核查的种子可复现抽样）",
                              required=False, min_value=0, max_value=2**62)  # fmt: skip

    def __init__(self, *args: Any, rounds: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds  # type: ignore[attr-defined]
        self.fields["units"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        size, mode = data.get("size"), data.get("mode")
        if size is None or mode is None:
            return data
        if error := size_error(mode, size, count_label="每单位抽取数量"):
            self.add_error("size", error)
        if not data.get("round") and not data.get("units"):
            self.add_error("round", "请选择一个轮次，或选择要核查的单位。")
        return data


class SampleResultForm(UploadForm):
    result = forms.ChoiceField(label="核查结果", widget=forms.RadioSelect, choices=[
        (CheckResult.CONFIRMED, CheckResult.CONFIRMED.label),
        (CheckResult.NOT_AS_REPORTED, CheckResult.NOT_AS_REPORTED.label)])  # fmt: skip
    note = forms.CharField(label="核查情况", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=5000)  # fmt: skip
    evidence = MultipleFileField(
        label="现场证据（可选）", required=False, widget=MultipleFileInput()
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("result") == CheckResult.NOT_AS_REPORTED and not data.get("note", "").strip():
            self.add_error("note", "与报告不符须写明核查情况（实地看到了什么）。")
        return data
