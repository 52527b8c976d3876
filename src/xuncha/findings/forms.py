"""Forms for recording a team's work (Chinese labels and errors)."""

from __future__ import annotations

from typing import Any

from django import forms

from xuncha.common.choices import REGISTRY
from xuncha.common.errors import PermissionDenied
from xuncha.common.widgets import (
    FollowingSelect,
    MultipleFileField,
    MultipleFileInput,
    PhotoInput,
    UnitPicker,
    UploadForm,
)
from xuncha.planning.models import Assignment

from .choices import UNFED, Category, ImmediateStatus, LeadResult, Receiver, Source, Subcategory
from .models import Finding, Talk


class FindingFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False)
    category = forms.ChoiceField(
        label="类别", required=False, choices=[("", "全部"), *Category.choices]
    )
    source = forms.ChoiceField(
        label="来源", required=False, choices=[("", "全部"), *Source.choices]
    )
    paper = forms.ChoiceField(label="底稿", required=False, choices=[
        ("", "全部"), ("signed", "已完成签署"), ("unsigned", "未完成签署")])  # fmt: skip
    # Where the finding stands in the ledger; the ledger's statuses come from the badge
    # registry (findings never imports the ledger), filled in when the form is made.
    item_status = forms.ChoiceField(label="整改状态", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        statuses = REGISTRY["rectification"].choices
        field = self.fields["item_status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "全部"), (UNFED, "未反馈"), *statuses]

    # Drill-downs from the figures page (hidden in the list's form: the page shows them).
    round_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    year = forms.IntegerField(
        required=False, min_value=1990, max_value=2100, widget=forms.HiddenInput
    )
    term = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    # One unit exactly (the paper counts on a unit's work page and the round page link here).
    unit_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


def error_field(err: Exception, files: list[Any]) -> str | None:
    """Where a service's refusal goes on the form: beside the file inputs when files were
    sent (the service's remaining refusals are about them), else above the form."""
    return "evidence" if files and not isinstance(err, PermissionDenied) else None


def _category_of(subcategory: str) -> str:
    return subcategory.split(".", 1)[0]


def subcategory_select() -> FollowingSelect:
    """具体类别 showing only the chosen 问题类别's options (forms check the pair too)."""
    return FollowingSelect(follows="category", parent_of=_category_of)


def check_category_pair(form: forms.Form, data: dict[str, Any]) -> None:
    """Refuse a 具体类别 of another 问题类别 (or one without a 问题类别), beside the field
    (every form that classifies a problem: findings, petitions)."""
    category, sub = data.get("category"), data.get("subcategory")
    if sub and not category:
        form.add_error("subcategory", "请先选择问题类别，再选择具体类别。")
    elif category and sub and _category_of(sub) != category:
        label = dict(Category.choices)[category]
        form.add_error(
            "subcategory",
            f"“{dict(Subcategory.choices)[sub]}”不属于“{label}”，请重新选择具体类别。",
        )


def check_lead_dates(form: forms.Form, data: dict[str, Any]) -> None:
    """A lead's 办结期限 cannot come before its 移交日期 (work page and petitions)."""
    handed_on, due_on = data.get("handed_on"), data.get("due_on")
    if handed_on and due_on and due_on < handed_on:
        form.add_error("due_on", "办结期限不能早于移交日期。")


class FindingForm(UploadForm):
    assignment: forms.ModelChoiceField[Assignment] = forms.ModelChoiceField(
        label="被巡察单位", queryset=Assignment.objects.none(), empty_label="请选择",
        widget=UnitPicker(unit_of=lambda a: a.unit),
        error_messages={"required": "请选择被巡察单位。",
                        "invalid_choice": "所选单位不在您可以记录的巡察对象中，请重新选择。"},
    )  # fmt: skip
    category = forms.ChoiceField(label="问题类别", choices=Category.choices)
    subcategory = forms.ChoiceField(
        label="具体类别", choices=Subcategory.choices,
        widget=subcategory_select(),
    )  # fmt: skip
    source = forms.ChoiceField(label="问题来源", choices=Source.choices)
    description = forms.CharField(label="问题描述", widget=forms.Textarea, max_length=10000,
                                  error_messages={"required": "请填写问题描述。"})  # fmt: skip
    amount = forms.DecimalField(
        label="涉及金额（元）", min_value=0, max_digits=14, decimal_places=2, initial=0
    )
    basis = forms.CharField(
        label="定性依据", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="违反的纪律规定或法规条款，如：违反《中国共产党纪律处分条例》第一百零一条。",
    )  # fmt: skip
    responsible = forms.CharField(
        label="责任指向", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="应承担责任的组织或人员，如：村党支部书记负主要责任，村委会主任负直接责任。",
    )  # fmt: skip
    evidence = MultipleFileField(label="证据材料", required=False, widget=MultipleFileInput())
    photos = MultipleFileField(
        label="现场照片（手机可直接拍照）", required=False, widget=PhotoInput()
    )

    def __init__(self, *args: Any, assignments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignment"]
        field.queryset = assignments  # type: ignore[attr-defined]
        field.label_from_instance = lambda a: f"{a.unit.name}（{a.round.name} · {a.team.name}）"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_category_pair(self, data)
        return data


class TalkForm(forms.Form):
    talk_on = forms.DateField(label="谈话日期", widget=forms.DateInput(attrs={"type": "date"}))
    interviewee = forms.CharField(label="谈话对象", max_length=100)
    position = forms.CharField(label="职务", max_length=100, required=False)
    summary = forms.CharField(label="谈话要点", widget=forms.Textarea, max_length=10000)


class LeadForm(forms.Form):
    description = forms.CharField(label="线索内容", widget=forms.Textarea, max_length=10000)
    handed_to = forms.ChoiceField(label="移交对象", choices=Receiver.choices)
    handed_on = forms.DateField(label="移交日期", widget=forms.DateInput(attrs={"type": "date"}))
    receiver = forms.CharField(label="接收人", max_length=50)
    due_on = forms.DateField(label="办结期限", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_lead_dates(self, data)
        return data


class LeadResultForm(forms.Form):
    lead = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(
        label="办理结果", choices=[c for c in LeadResult.choices if c[0] != "pending"]
    )
    result_on = forms.DateField(label="办结日期", widget=forms.DateInput(attrs={"type": "date"}))


class ImmediateForm(forms.Form):
    description = forms.CharField(label="立行立改事项", widget=forms.Textarea, max_length=5000)
    deadline = forms.DateField(label="完成时限", widget=forms.DateInput(attrs={"type": "date"}))


class ImmediateDoneForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    done_on = forms.DateField(label="完成日期", widget=forms.DateInput(attrs={"type": "date"}))


class ImmediateFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *ImmediateStatus.choices]
    )
    due = forms.ChoiceField(label="到期", required=False,
                            choices=[("", "全部"), ("due_soon", "7日内到期"), ("overdue", "已逾期")])  # fmt: skip
    # The figures page's drill-down (round started in that year or term).
    year = forms.IntegerField(
        required=False, min_value=1990, max_value=2100, widget=forms.HiddenInput
    )
    term = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class ImmediateReportForm(UploadForm):
    text = forms.CharField(label="整改情况", widget=forms.Textarea, max_length=5000,
                           error_messages={"required": "请填写整改情况。"})  # fmt: skip
    photos = MultipleFileField(
        label="现场照片（手机可直接拍照）", required=False, widget=PhotoInput()
    )
    evidence = MultipleFileField(
        label="其他证据材料（PDF、图片、视频、Office 文档）",
        required=False,
        widget=MultipleFileInput(),
    )


class FindingEditForm(UploadForm):
    """Changing a finding: its classification, description, amount, 定性依据 and 责任指向;
    evidence files added or taken off. Its unit, round, team and source stay."""

    category = FindingForm.base_fields["category"]
    subcategory = FindingForm.base_fields["subcategory"]
    description = FindingForm.base_fields["description"]
    amount = FindingForm.base_fields["amount"]
    basis = FindingForm.base_fields["basis"]
    responsible = FindingForm.base_fields["responsible"]
    evidence = MultipleFileField(label="补充证据材料", required=False, widget=MultipleFileInput())
    photos = MultipleFileField(
        label="补充现场照片（手机可直接拍照）", required=False, widget=PhotoInput()
    )
    remove = forms.TypedMultipleChoiceField(
        label="移除证据材料", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, held: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["remove"].choices = [(e.pk, e.original_name) for e in held]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_category_pair(self, data)
        return data


class PaperTalksForm(forms.Form):
    """The talk records supporting a working paper, among the team's talks with the unit
    in that round."""

    talks = forms.ModelMultipleChoiceField(
        label="支撑谈话记录", required=False, queryset=Talk.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "所选谈话记录不是本组本轮对该单位的谈话，请重新选择。"},
    )  # fmt: skip

    def __init__(self, *args: Any, talks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["talks"]
        field.queryset = talks  # type: ignore[attr-defined]
        field.label_from_instance = (  # type: ignore[attr-defined]
            lambda t: (
                f"{t.talk_on:%Y-%m-%d} {t.interviewee}{f'（{t.position}）' if t.position else ''}"
            )
        )


class RecommendationForm(forms.Form):
    text = forms.CharField(label="意见建议", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
                           error_messages={"required": "请填写意见建议。"})  # fmt: skip
    findings = forms.ModelMultipleChoiceField(
        label="针对的问题", required=False, queryset=Finding.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "所选问题不是本轮该单位的问题，请重新选择。"},
    )  # fmt: skip
    order = forms.IntegerField(label="排序", required=False, min_value=0, max_value=32767,
                               help_text="数字小的排在前面；留空则排在最后。")  # fmt: skip

    def __init__(self, *args: Any, findings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["findings"]
        field.queryset = findings  # type: ignore[attr-defined]
        field.label_from_instance = lambda f: f.description[:60]  # type: ignore[attr-defined]
