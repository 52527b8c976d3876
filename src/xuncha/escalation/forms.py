"""Forms of the escalation pages (labels and errors in Chinese)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone

from xuncha.planning.models import Assignment, Round, Team
from xuncha.units.models import Unit

from .models import LEVEL_RANK, JointLevel, Level


class OfficeForm(forms.Form):
    name = forms.CharField(
        label="本单位名称", max_length=100, help_text="如「某某县委巡察办」，写入每个呈报包"
    )
    level = forms.ChoiceField(label="层级", choices=Level.choices)


class LevelForm(forms.Form):
    """One level's part of a joint round (left blank: the level takes no part)."""

    organiser = forms.CharField(label="组织单位", max_length=100, required=False)
    units = forms.ModelMultipleChoiceField(label="本系统中的被巡察单位", required=False,
                                           queryset=Unit.objects.none())  # fmt: skip
    unit_names = forms.CharField(label="其他被巡察单位（每行一个）", required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    teams = forms.ModelMultipleChoiceField(label="本轮的巡察组", required=False,
                                           queryset=Team.objects.none())  # fmt: skip
    team_names = forms.CharField(label="其他巡察组（每行一个）", required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def __init__(self, *args: object, round: Round, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # The units this round inspects here (and any a level already lists): not every
        # unit of the installation, which would make a list of thousands to scroll.
        here = Unit.objects.filter(
            Q(pk__in=Assignment.objects.filter(round=round).values("unit_id"))
            | Q(pk__in=JointLevel.units.through.objects.filter(
                jointlevel__joint__round=round).values("unit_id"))
        )  # fmt: skip
        self.fields["units"].queryset = here.order_by("name")  # type: ignore[attr-defined]
        self.fields["teams"].queryset = Team.objects.filter(round=round)  # type: ignore[attr-defined]


class MarkForm(forms.Form):
    reason = forms.CharField(label="认定为重大问题的理由", widget=forms.Textarea(attrs={"rows": 3}))


class EscalateForm(forms.Form):
    to_level = forms.ChoiceField(label="接收层级", choices=Level.choices)
    to_office = forms.CharField(label="接收单位", max_length=100)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, own_level: str = "", **kwargs: Any) -> None:
        """``own_level``: this office's level; only the levels above it are offered (a
        report goes up level by level), the next one up chosen."""
        super().__init__(*args, **kwargs)
        if own_level in Level.values:
            rank = LEVEL_RANK[Level(own_level)]
            above = [(v, label) for v, label in Level.choices if LEVEL_RANK[Level(v)] > rank]
            if above:
                field = self.fields["to_level"]
                field.choices = above  # type: ignore[attr-defined]
                field.initial = above[-1][0]


class ReceiptForm(forms.Form):
    received_by = forms.CharField(label="签收人", max_length=100)
    received_at = forms.DateTimeField(label="签收时间", initial=timezone.now,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))  # fmt: skip


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label="阅处意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ImportForm(forms.Form):
    file = forms.FileField(label="呈报包文件（.zip）")


class SenderForm(forms.Form):
    name = forms.CharField(label="发送方名称", max_length=100, required=False,
                           help_text="不填则用公钥文本中的名称")  # fmt: skip
    text = forms.CharField(
        label="公钥文本", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    file = forms.FileField(label="或上传 .pub 文件", required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > 10_000:
                raise forms.ValidationError("公钥文件过大：应是一行文本。")
            try:
                data["text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError as err:
                raise forms.ValidationError("公钥文件不是 UTF-8 文本。") from err
        if not str(data.get("text", "")).strip():
            raise forms.ValidationError("请粘贴公钥文本，或上传 .pub 文件。")
        return data
