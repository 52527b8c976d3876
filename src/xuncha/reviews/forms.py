"""Forms of the report review pages (thin: the services check the rules)."""

from __future__ import annotations

from typing import Any

from django import forms

from xuncha.accounts.models import User
from xuncha.common.sampling import size_error
from xuncha.common.widgets import (
    MultipleFileField,
    MultipleFileInput,
    UnitPicker,
    UploadForm,
    path_related,
)
from xuncha.units.models import Unit

from .models import FlagKind, RubricVersion
from .selectors import ANY_FLAG, BINS


class ReviewerField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.signature)


class ReviewRoundForm(forms.Form):
    name = forms.CharField(label="评查批次名称", max_length=200)
    starts_on = forms.DateField(label="报告日期起", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="报告日期止", widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.ModelChoiceField(label="评查标准", queryset=RubricVersion.objects.none())
    reviewers = ReviewerField(
        label="评查人（巡察办、整改督查人员）", queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args: Any, versions: Any, reviewers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = versions  # type: ignore[attr-defined]
        self.fields["reviewers"].queryset = reviewers  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", f"报告日期止（{end}）不能早于报告日期起（{start}）。")
        return data


class DrawForm(forms.Form):
    mode = forms.ChoiceField(label="抽取方式", choices=[("count", "按数量（份）"), ("share", "按比例（%）")],
                             widget=forms.RadioSelect, initial="count")  # fmt: skip
    size = forms.DecimalField(label="数量或比例", max_digits=7, decimal_places=2,
                              help_text="按数量：不小于 1 的整数；按比例：大于 0、不超过 100。")  # fmt: skip
    seed = forms.IntegerField(label="随机种子（留空自动生成；填写已有批次的种子可复现抽样）",
                              required=False, min_value=0, max_value=2**62)  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        size, mode = data.get("size"), data.get("mode")
        if size is None or mode is None:
            return data
        if error := size_error(mode, size):
            self.add_error("size", error)
        return data


class ReportFilter(forms.Form):
    """The filtered list of a round's reports (the figures' drill-down)."""

    flag = forms.ChoiceField(label="自动检查", required=False,
                             choices=[("", "全部"), (ANY_FLAG, "有发现"), *FlagKind.choices])  # fmt: skip
    sampled = forms.ChoiceField(
        label="抽样", required=False, choices=[("", "全部"), ("1", "已抽取")]
    )
    scored = forms.ChoiceField(
        label="评查", required=False, choices=[("", "全部"), ("1", "已提交")]
    )
    bin = forms.ChoiceField(label="得分", required=False,
                            choices=[("", "全部"), *((b.key, b.label) for b in BINS)])  # fmt: skip


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                             error_messages={"required": "退回评查须写明理由。"})  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput)


class SubmittedUploadForm(UploadForm):
    """Reports of a lower-level office: one or several DOCX, its issuer, the inspected
    unit and the report date."""

    reports = MultipleFileField(
        label="巡察报告（DOCX，可多选）", required=False, allow_empty_file=True,  # the service names an empty file
        widget=MultipleFileInput(attrs={"accept": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    )  # fmt: skip
    issuer = forms.CharField(label="报告单位", max_length=100,
                             widget=forms.TextInput(attrs={"placeholder": "如：中共某县委第二巡察组", "list": "issuers"}),
                             error_messages={"required": "请填写报告单位（如：中共某县委第二巡察组）。"})  # fmt: skip
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label="被巡察单位", queryset=Unit.objects.select_related(*path_related()).order_by("code"),
        widget=UnitPicker(), empty_label="请选择",
        error_messages={"required": "请选择被巡察单位。", "invalid_choice": "所选单位不存在。"},
    )  # fmt: skip
    submitted_on = forms.DateField(label="报告日期", widget=forms.DateInput(attrs={"type": "date"}),
                                   error_messages={"required": "请填写报告日期。", "invalid": "报告日期格式应为 2026-05-31。"})  # fmt: skip


class SubmittedFilter(forms.Form):
    """The list of submitted reports: report date from / to, issuer."""

    starts_on = forms.DateField(label="报告日期起", required=False,
                                widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"invalid": "报告日期起格式应为 2026-01-01。"})  # fmt: skip
    ends_on = forms.DateField(label="报告日期止", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"invalid": "报告日期止格式应为 2026-12-31。"})  # fmt: skip
    issuer = forms.CharField(label="报告单位", required=False, max_length=100,
                             widget=forms.TextInput(attrs={"list": "issuers"}))  # fmt: skip
