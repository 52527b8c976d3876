"""Forms of the ledger pages; every field label and error in Chinese."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from xuncha.common.periods import PeriodFilter
from xuncha.common.widgets import (
    MultipleFileField,
    MultipleFileInput,
    PhotoInput,
    UploadForm,
    VersionedForm,
)
from xuncha.findings.choices import Category
from xuncha.units.models import UnitKind

from .models import DueState, RuleKind, Status


class FilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False)
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *Status.choices]
    )
    due = forms.ChoiceField(label="到期", required=False, choices=[("", "全部"), *DueState.choices])
    card = forms.ChoiceField(label="红黄牌", required=False,
                             choices=[("", "全部"), ("red", "红牌"), ("yellow", "黄牌")])  # fmt: skip
    category = forms.ChoiceField(
        label="问题类别", required=False, choices=[("", "全部"), *Category.choices]
    )
    returned = forms.BooleanField(label="被退回", required=False)
    unit_kind = forms.ChoiceField(
        label="单位类型", required=False, choices=[("", "全部"), *UnitKind.choices]
    )
    # Set by drill-down links (home page, figures); not shown as boxes of their own.
    unit_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    round_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    year = forms.IntegerField(
        required=False, min_value=1990, max_value=2100, widget=forms.HiddenInput
    )
    term = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class RuleFilterForm(PeriodFilter):
    """The 建章立制 list's filters: the period (rules of rounds begun then) and the kind."""

    kind = forms.ChoiceField(
        label="类型", required=False, choices=[("", "全部"), *RuleKind.choices]
    )

    def chosen(self) -> dict[str, Any]:
        """The valid filters as keyword arguments for ``rule_list``."""
        kind = self.cleaned_data.get("kind") if self.is_bound and self.is_valid() else ""
        return {**self.period(), **({"kind": kind} if kind else {})}


class PlanForm(VersionedForm):
    goal = forms.CharField(label="整改目标", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                           required=False, help_text="整改要达到的结果，如“违规发放资金全额追回，建立发放复核制度”。")  # fmt: skip
    measures = forms.CharField(label="整改措施", widget=forms.Textarea, max_length=5000)
    owner = forms.CharField(label="责任人", max_length=50, help_text="整改台账中的“责任领导”。")
    department = forms.CharField(label="责任部门", max_length=100, required=False)
    deadline = forms.DateField(label="整改时限", widget=forms.DateInput(attrs={"type": "date"}))


class ProgressForm(VersionedForm, UploadForm):
    text = forms.CharField(label="整改进展", widget=forms.Textarea, max_length=5000,
                           error_messages={"required": "请填写整改进展。"})  # fmt: skip
    photos = MultipleFileField(
        label="现场照片（手机可直接拍照）", required=False, widget=PhotoInput()
    )
    evidence = MultipleFileField(label="其他证据材料（PDF、图片、视频、Office 文档）", required=False,
                              widget=MultipleFileInput())  # fmt: skip
    done = forms.BooleanField(label="整改完成，申请销号", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("done") and not data.get("photos") and not data.get("evidence"):
            self.add_error("evidence", "申请销号必须附整改证据材料（照片或文件）。")
        return data


class CloseForm(VersionedForm):
    note = forms.CharField(label="销号意见", widget=forms.Textarea, max_length=2000)
    money_recovered = forms.DecimalField(label="追回金额（元）", required=False, min_value=0,
                                         max_digits=14, decimal_places=2)  # fmt: skip


class ReopenForm(VersionedForm):
    reason = forms.CharField(label="重新打开的原因", widget=forms.Textarea, max_length=2000)


class RuleForm(forms.Form):
    """建章立制: a rule made or revised for one ledger item."""

    title = forms.CharField(label="制度名称", max_length=200,
                            error_messages={"required": "请填写制度名称。"})  # fmt: skip
    kind = forms.ChoiceField(label="类型", choices=RuleKind.choices, initial=RuleKind.MADE,
                             widget=forms.RadioSelect,
                             error_messages={"required": "请选择类型（制定或修订）。",
                                             "invalid_choice": "请选择类型（制定或修订）。"})  # fmt: skip
    issued_on = forms.DateField(label="印发日期", widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"required": "请填写印发日期。",
                                                "invalid": "请按 2024-05-01 的格式填写日期。"})  # fmt: skip
    doc_number = forms.CharField(label="文号", max_length=100, required=False,
                                 help_text="如“××党发〔2024〕3号”；没有文号的内部制度可不填。")  # fmt: skip
    file = forms.FileField(label="制度文件（PDF、Office 文档、图片）", required=False)

    def clean_issued_on(self) -> Any:
        issued = self.cleaned_data["issued_on"]
        if issued > timezone.localdate():
            raise forms.ValidationError("印发日期不能晚于今天。")
        return issued

    def upload(self) -> tuple[Any, str] | None:
        f = self.cleaned_data.get("file")
        return (f, f.name) if f else None
