"""Forms of the common-problem pages; every label and error in Chinese (thin: the
services check the rules)."""

from __future__ import annotations

from typing import Any

from django import forms

from xuncha.common.filters import ListFilters
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

from .models import TaskStatus


class GroupFilterForm(forms.Form):
    round_id = forms.TypedChoiceField(label="轮次", required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(
        label="问题类别", required=False, choices=[("", "全部"), *Category.choices]
    )

    def __init__(self, data: Any, *, rounds: Any) -> None:
        super().__init__(data or None)
        self.fields["round_id"].choices = [("", "全部"), *((r.pk, r.name) for r in rounds)]  # type: ignore[attr-defined]
        self.fields["round_id"].error_messages["invalid_choice"] = "所选轮次不存在或您无权查看。"


class ProblemForm(forms.Form):
    title = forms.CharField(label="共性问题名称", max_length=200)
    description = forms.CharField(
        label="问题表现及自查要求", widget=forms.Textarea, max_length=5000
    )
    unit_kinds = forms.MultipleChoiceField(
        label="适用单位类型（推送给这些类型的全部单位，含尚未巡察的单位）",
        choices=UnitKind.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请选择至少一种适用单位类型。"},
    )  # fmt: skip
    deadline = forms.DateField(label="自查时限", widget=forms.DateInput(attrs={"type": "date"}))


class ProblemFilterForm(PeriodFilter):
    """The common problems of a period: ``year`` / ``term`` by the day each was set down
    (:data:`xuncha.selfchecks.selectors.PROBLEM_PERIOD`)."""


class TaskFilterForm(PeriodFilter, ListFilters):
    """Problem, kind of unit, status, unit name, overdue, and the period: ``year`` /
    ``term`` by the day the task was pushed to its unit (as the figures page counts)."""

    field_order = ["problem_id", "unit_kind", "status", "unit", "year", "term", "overdue"]

    problem_id = forms.TypedChoiceField(
        label="共性问题", required=False, coerce=int, empty_value=None
    )
    unit_kind = forms.ChoiceField(
        label="单位类型", required=False, choices=[("", "全部"), *UnitKind.choices]
    )
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *TaskStatus.choices]
    )
    unit = forms.CharField(label="单位名称", required=False, max_length=100)
    overdue = forms.BooleanField(label="已逾期", required=False)

    def __init__(self, data: Any, *, problems: Any) -> None:
        super().__init__(data or None)
        self.fields["problem_id"].choices = [("", "全部"), *((p.pk, p.title) for p in problems)]  # type: ignore[attr-defined]
        self.fields["problem_id"].error_messages["invalid_choice"] = (
            "所选共性问题不存在或您无权查看。"
        )


class AnswerForm(VersionedForm, UploadForm):
    found = forms.TypedChoiceField(
        label="自查结论", widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("yes", "发现同类问题"), ("no", "未发现同类问题")],
        error_messages={"required": "请选择自查结论。"},
    )  # fmt: skip
    measures = forms.CharField(
        label="自查情况及整改措施", widget=forms.Textarea, max_length=5000,
        error_messages={"required": "请填写自查情况及整改措施。"},
    )  # fmt: skip
    photos = MultipleFileField(label="现场照片（可选）", required=False, widget=PhotoInput())
    evidence = MultipleFileField(label="证据材料（可选：PDF、图片、Office 文档）", required=False,
                                 widget=MultipleFileInput())  # fmt: skip
