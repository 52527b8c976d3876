"""Forms of the public pages and the team's inbox (Chinese labels and errors)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from xuncha.accounts.models import User
from xuncha.common.periods import PeriodFilter
from xuncha.common.widgets import MultipleFileField, MultipleFileInput, UnitPicker, UploadForm
from xuncha.findings.choices import Category, Receiver, Subcategory
from xuncha.findings.forms import (
    check_category_pair,
    check_lead_dates,
    subcategory_select,
)
from xuncha.planning.models import Assignment, Team
from xuncha.units.models import Unit

from .models import Attachment, Channel, Disposition
from .services import DISPOSE_CHOICES, Content, Identity

MAX = 5000
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what a date input reads


class PetitionForm(UploadForm):
    """What a petitioner tells: the same fields online and at the front desk."""

    anonymous = forms.TypedChoiceField(
        label="反映方式", coerce=lambda v: v == "1", initial="1", widget=forms.RadioSelect,
        choices=[("1", "匿名反映（不留姓名和联系方式）"), ("0", "实名反映")],
    )  # fmt: skip
    name = forms.CharField(label="姓名", required=False, max_length=50)
    phone = forms.CharField(label="联系电话", required=False, max_length=50)
    contact = forms.CharField(label="其他联系方式", required=False, max_length=200)
    who = forms.CharField(label="反映对象（单位或人员）", required=False, max_length=MAX)
    what = forms.CharField(label="反映的问题", max_length=MAX, widget=forms.Textarea,
                           help_text="请写明具体事实：谁、做了什么、涉及金额等。")  # fmt: skip
    where = forms.CharField(label="地点", required=False, max_length=MAX)
    when = forms.CharField(label="时间", required=False, max_length=MAX)
    attachments = MultipleFileField(
        label="照片、视频或文件", required=False, allow_empty_file=True,  # the service names an empty file
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,video/mp4,video/quicktime,application/pdf,.docx,.xlsx"}),
    )  # fmt: skip

    def content(self) -> Content:
        d = self.cleaned_data
        return Content(what=d["what"], who=d["who"], where=d["where"], when=d["when"])

    def identity(self) -> Identity | None:
        d = self.cleaned_data
        return (
            None
            if d["anonymous"]
            else Identity(name=d["name"], phone=d["phone"], contact=d["contact"])
        )


class PublicPetitionForm(PetitionForm):
    pow_challenge = forms.CharField(widget=forms.HiddenInput, required=False)
    pow_nonce = forms.CharField(widget=forms.HiddenInput, required=False)


class StaffPetitionForm(PetitionForm):
    team: forms.ModelChoiceField[Team] = forms.ModelChoiceField(
        label="巡察组", queryset=Team.objects.none(), empty_label="请选择"
    )
    channel = forms.ChoiceField(
        label="渠道", choices=[c for c in Channel.choices if c[0] != Channel.QR]
    )
    received_on = forms.DateField(label="收到日期", widget=DATE)
    issue_receipt = forms.BooleanField(
        label="生成回执码（交给来访人，可在线查询和留言）", required=False
    )
    field_order = ["team", "channel", "received_on"]

    def __init__(self, *args: Any, teams: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class ReceiptForm(forms.Form):
    code = forms.CharField(label="回执码", max_length=40,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))  # fmt: skip
    pow_challenge = forms.CharField(widget=forms.HiddenInput, required=False)
    pow_nonce = forms.CharField(widget=forms.HiddenInput, required=False)


class MessageForm(forms.Form):
    body = forms.CharField(label="留言", max_length=MAX, widget=forms.Textarea,
                           error_messages={"required": "请填写留言内容。"})  # fmt: skip


class PublicMessageForm(MessageForm, UploadForm):
    attachments = MultipleFileField(
        label="补充材料", required=False, allow_empty_file=True, widget=MultipleFileInput()
    )


class FilterForm(PeriodFilter):
    """The inbox's filters; ``year`` / ``term`` and ``to_finding`` are the figures page's
    drill-downs (受理信访举报, 信访转为问题)."""

    channel = forms.ChoiceField(
        label="渠道", required=False, choices=[("", "全部"), *Channel.choices]
    )
    stage = forms.ChoiceField(label="状态", required=False,
                              choices=[("", "全部"), ("new", "待分办"), ("handling", "办理中"), ("done", "已办结")])  # fmt: skip
    category = forms.ChoiceField(
        label="类别", required=False, choices=[("", "全部"), *Category.choices]
    )
    overdue = forms.BooleanField(label="仅看答复超期", required=False)
    number = forms.CharField(label="编号", required=False, max_length=20)
    to_finding = forms.BooleanField(label="仅看已转为问题", required=False)
    field_order = ["channel", "stage", "category", "year", "term", "number", "overdue",
                   "to_finding"]  # fmt: skip


class AssignForm(forms.Form):
    handler: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label="承办人", queryset=User.objects.none(), empty_label="请选择",
        error_messages={"required": "请选择承办人。",
                        "invalid_choice": "所选承办人不是本巡察组成员或巡察办工作人员，请重新选择。"},
    )  # fmt: skip

    def __init__(self, *args: Any, handlers: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers  # type: ignore[attr-defined]
        self.fields["handler"].label_from_instance = lambda u: u.display_name  # type: ignore[attr-defined]


class ClassifyForm(forms.Form):
    category = forms.ChoiceField(
        label="问题类别", required=False, choices=[("", "未分类"), *Category.choices]
    )
    subcategory = forms.ChoiceField(
        label="具体类别", required=False, choices=[("", "未分类"), *Subcategory.choices],
        widget=subcategory_select(),
    )  # fmt: skip
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label="反映对象单位", required=False, queryset=Unit.objects.none(), empty_label="未指定",
        widget=UnitPicker(),
        error_messages={"invalid_choice": "所选单位不是本巡察组的巡察对象，请重新选择。"},
    )  # fmt: skip

    def __init__(self, *args: Any, units: QuerySet[Any], **kwargs: Any) -> None:
        """``units``: the team's units, their superiors fetched for the picker's paths."""
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_category_pair(self, data)
        return data


class DisposeForm(forms.Form):
    """转为巡察发现问题 is offered only once the petition has its finding."""

    disposition = forms.ChoiceField(
        label="处理方式", choices=[],
        error_messages={"required": "请选择处理方式。", "invalid_choice": "请从列表中选择处理方式。"},
    )  # fmt: skip

    def __init__(self, *args: Any, has_finding: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = [c for c in Disposition.choices if c[0] in DISPOSE_CHOICES]
        if not has_finding:
            offered = [c for c in offered if c[0] != Disposition.FINDING]
        self.fields["disposition"].choices = offered  # type: ignore[attr-defined]
        if has_finding:
            self.fields["disposition"].initial = Disposition.FINDING


class EvidenceForm(forms.Form):
    """Which of the petition's attachments to attach to its finding as evidence:
    ``choices`` are those that may be, ``labels`` what each is called on screen."""

    attachments: forms.ModelMultipleChoiceField[Attachment] = forms.ModelMultipleChoiceField(
        label="附为证据的附件", queryset=Attachment.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args: Any, choices: QuerySet[Any], labels: dict[int, str],
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        field = self.fields["attachments"]
        field.queryset = choices  # type: ignore[attr-defined]
        field.label_from_instance = lambda a: labels.get(a.pk, f"附件 {a.pk}")  # type: ignore[attr-defined]


class ToFindingForm(EvidenceForm):
    category = forms.ChoiceField(label="问题类别", choices=Category.choices,
                                 error_messages={"required": "请选择问题类别。"})  # fmt: skip
    subcategory = forms.ChoiceField(label="具体类别", choices=Subcategory.choices,
                                    widget=subcategory_select(),
                                    error_messages={"required": "请选择具体类别。"})  # fmt: skip
    description = forms.CharField(label="问题描述", widget=forms.Textarea, max_length=10000,
                                  error_messages={"required": "请填写问题描述。"})  # fmt: skip
    amount = forms.DecimalField(
        label="涉及金额（元）", min_value=0, max_digits=14, decimal_places=2, initial=0,
        error_messages={"required": "请填写涉及金额（没有填 0）。", "invalid": "涉及金额须为数字（元）。"},
    )  # fmt: skip
    field_order = ["category", "subcategory", "description", "amount", "attachments"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_category_pair(self, data)
        return data


class ToLeadForm(forms.Form):
    description = forms.CharField(label="线索内容", widget=forms.Textarea, max_length=10000,
                                  error_messages={"required": "请填写线索内容。"})  # fmt: skip
    handed_to = forms.ChoiceField(label="移交对象", choices=Receiver.choices)
    handed_on = forms.DateField(label="移交日期", widget=DATE,
                                error_messages={"required": "请填写移交日期。"})  # fmt: skip
    receiver = forms.CharField(label="接收人", max_length=50,
                               error_messages={"required": "请填写接收人。"})  # fmt: skip
    due_on = forms.DateField(label="办结期限", widget=DATE,
                             error_messages={"required": "请填写办结期限。"})  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_lead_dates(self, data)
        return data


class LinkForm(forms.Form):
    other = forms.IntegerField(
        label="关联信访件编号（数字部分）", min_value=1,
        error_messages={"required": "请填写要关联的信访件编号。", "invalid": "编号须为数字。"},
    )  # fmt: skip
    duplicate = forms.BooleanField(label="本件为该件的重复件（本件随之办结）", required=False)


class IntakeForm(forms.Form):
    team: forms.ModelChoiceField[Team] = forms.ModelChoiceField(
        label="巡察组", queryset=Team.objects.none(), empty_label="请选择"
    )
    assignment: forms.ModelChoiceField[Assignment] = forms.ModelChoiceField(
        label="被巡察单位（可选）",
        required=False,
        queryset=Assignment.objects.none(),
        empty_label="全组通用",
    )
    opens_on = forms.DateField(label="受理开始", widget=DATE)
    closes_on = forms.DateField(label="受理截止", widget=DATE)
    scope = forms.CharField(label="受理范围", widget=forms.Textarea, max_length=600, initial=(
        "主要受理反映被巡察党组织领导班子及其成员、下一级党组织主要负责人和重要岗位领导干部问题的来信来电来访，"
        "重点是群众身边不正之风和腐败问题，以及惠民惠农资金、农村集体“三资”管理等方面的问题。"))  # fmt: skip
    phone = forms.CharField(label="联系电话", max_length=50)
    address = forms.CharField(label="邮政信箱/地址", max_length=200, required=False)

    def __init__(
        self, *args: Any, teams: QuerySet[Any], assignments: QuerySet[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["assignment"].queryset = assignments  # type: ignore[attr-defined]
        self.fields["assignment"].label_from_instance = lambda a: f"{a.team.name} · {a.unit.name}"  # type: ignore[attr-defined]
