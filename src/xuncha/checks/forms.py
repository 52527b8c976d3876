from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from xuncha.crosscheck import RULES
from xuncha.planning.models import Assignment

from .models import CheckRun, Dataset, DatasetKind, Verdict
from .services import DEFAULT_PROGRAM

RULE_CHOICES = [(r.id, r.title) for r in RULES]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="数据类别", choices=DatasetKind.choices)
    # An empty file reaches dataset_upload, which refuses it naming the file.
    file = forms.FileField(label="文件（xlsx、xls 或 CSV）", allow_empty_file=True)


class RunForm(forms.Form):
    datasets = forms.ModelMultipleChoiceField(
        label="比对数据", queryset=Dataset.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    program = forms.CharField(label="资金项目", max_length=100, initial=DEFAULT_PROGRAM)
    standard = forms.DecimalField(label="发放标准（元/人/年）", min_value=Decimal("0.01"),
                                  max_digits=12, decimal_places=2, initial=600)  # fmt: skip
    grace_days = forms.IntegerField(label="死亡后宽限天数", min_value=0, max_value=3650, initial=0)
    rules = forms.MultipleChoiceField(label="规则", choices=RULE_CHOICES,
                                      widget=forms.CheckboxSelectMultiple,
                                      initial=[r for r, _ in RULE_CHOICES])  # fmt: skip

    def __init__(self, *args: Any, datasets: Any, **kwargs: Any):
        # Always the defaults (every rule): a narrowed rule set of the last run is shown
        # beside the form (params_text), never silently reused.
        super().__init__(*args, **kwargs)
        field = self.fields["datasets"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = datasets
        self.initial.setdefault("datasets", list(datasets))


def params_text(run: CheckRun | None) -> str:
    """What a run used, in words: shown beside the run form."""
    if run is None:
        return ""
    p = run.params
    titles = dict(RULE_CHOICES)
    rules = p.get("rules", [])
    which = "全部规则" if set(rules) >= set(titles) else "、".join(titles.get(r, r) for r in rules)
    files = "、".join(d.name for d in run.datasets.all())
    return (f"第 {run.number} 次比对使用：{which}；资金项目「{p.get('program', '')}」，"
            f"发放标准 {p.get('standard')} 元，宽限 {p.get('grace_days')} 天；数据：{files}。")  # fmt: skip


class FilterForm(forms.Form):
    rule = forms.ChoiceField(label="疑点类型", required=False)
    county = forms.ChoiceField(label="县市区", required=False)
    file = forms.ChoiceField(label="文件", required=False)
    verdict = forms.ChoiceField(label="核查结论", required=False,
                                choices=[("", "全部"), *Verdict.choices])  # fmt: skip
    amount_min = forms.DecimalField(label="金额从", required=False, max_digits=14, decimal_places=2)
    amount_max = forms.DecimalField(label="至", required=False, max_digits=14, decimal_places=2)
    name = forms.CharField(label="姓名", required=False, max_length=50)

    def __init__(self, *args: Any, counties: list[str], files: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", "全部"), *RULE_CHOICES]  # type: ignore[attr-defined]
        self.fields["county"].choices = [("", "全部"), *((c, c) for c in counties)]  # type: ignore[attr-defined]
        self.fields["file"].choices = [("", "全部"), *((f, f) for f in files)]  # type: ignore[attr-defined]


class VerifyForm(forms.Form):
    verdict = forms.ChoiceField(label="核查结论", choices=Verdict.choices)
    improper_amount = forms.DecimalField(label="应追回金额（元）", required=False, min_value=0,
                                         max_digits=14, decimal_places=2)  # fmt: skip
    recovered_amount = forms.DecimalField(label="已追回金额（元）", required=False, min_value=0,
                                          max_digits=14, decimal_places=2)  # fmt: skip
    note = forms.CharField(label="核查说明", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput)


class ImportForm(forms.Form):
    file = forms.FileField(label="填好的疑点核查表（xlsx）")


class FindingForm(forms.Form):
    assignment: forms.ModelChoiceField[Assignment] = forms.ModelChoiceField(
        label="问题所在单位（整改责任单位）", queryset=Assignment.objects.none()
    )
    description = forms.CharField(label="问题描述（留空则按核查结果自动生成）", required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip

    def __init__(self, *args: Any, assignments: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["assignment"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = assignments
        field.label_from_instance = _unit_name  # type: ignore[method-assign,assignment]


def _unit_name(assignment: Assignment) -> str:
    return assignment.unit.name
