from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from xuncha.crosscheck.params import AMOUNT_MAX, DAYS_MAX, Param
from xuncha.crosscheck.programs import PROGRAMS, Program, all_rules
from xuncha.planning.models import Assignment

from .models import CheckRun, Dataset, UserRuleFile, Verdict, dataset_kinds
from .services import RunParams

RULE_CHOICES = [(r.id, r.title) for r in all_rules().values()]
PROGRAM_CHOICES = [(p.id, p.title) for p in PROGRAMS.values()]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="数据类别", choices=dataset_kinds)
    # An empty file reaches dataset_upload, which refuses it naming the file.
    file = forms.FileField(label="文件（xlsx、xls 或 CSV）", allow_empty_file=True)

    def __init__(self, *args: Any, program: Program | None = None, **kwargs: Any):
        """``program``: offer the kinds of data it reads (any kind is taken when posted)."""
        super().__init__(*args, **kwargs)
        if program is not None:
            kind = self.fields["kind"]
            assert isinstance(kind, forms.ChoiceField)
            kind.choices = list(program.labels.items())


def param_field(param: Param) -> forms.Field:
    """A form field for a rule parameter, from its declaration (type, unit, default)."""
    label = f"{param.label}（{param.unit}）" if param.unit else param.label
    if param.type in ("days", "years"):
        most = DAYS_MAX if param.type == "days" else 150
        return forms.IntegerField(label=label, min_value=0, max_value=most,
                                  initial=param.default, help_text=param.basis)  # fmt: skip
    digits = len(str(int(AMOUNT_MAX))) + 1  # up to AMOUNT_MAX, with two decimals
    least = Decimal("0") if param.type == "margin" else Decimal("0.01")
    return forms.DecimalField(label=label, min_value=least, max_digits=digits,
                              decimal_places=2, initial=param.default, help_text=param.basis)  # fmt: skip


class RunForm(forms.Form):
    """A run of one program: built from its declaration (its inputs pick the data,
    each rule parameter is a field, its rules the choices)."""

    program = forms.ChoiceField(label="比对模型", choices=PROGRAM_CHOICES, widget=forms.HiddenInput)
    datasets = forms.ModelMultipleChoiceField(
        label="比对数据", queryset=Dataset.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    title = forms.CharField(label="资金项目名称", max_length=100, required=False)
    rules = forms.MultipleChoiceField(label="规则", widget=forms.CheckboxSelectMultiple)
    user_rules = forms.ModelMultipleChoiceField(
        label="巡察办的自定义规则", queryset=UserRuleFile.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args: Any, datasets: Any, program: Program, **kwargs: Any):
        # Always the defaults (every rule): a narrowed rule set of the last run is shown
        # beside the form (params_text), never silently reused.
        super().__init__(*args, **kwargs)
        self.spec = program
        self.initial.setdefault("program", program.id)
        self.initial.setdefault("title", program.title)
        field = self.fields["datasets"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = datasets.filter(kind__in=list(program.labels))
        self.initial.setdefault("datasets", list(field.queryset))
        rules = self.fields["rules"]
        assert isinstance(rules, forms.MultipleChoiceField)
        rules.choices = [(r.id, r.title) for r in program.rules]
        self.initial.setdefault("rules", list(program.rule_ids))
        for param in program.params:
            self.fields[param.name] = param_field(param)
        own = self.fields["user_rules"]
        assert isinstance(own, forms.ModelMultipleChoiceField)
        own.queryset = UserRuleFile.objects.filter(program=program.id, retired=False)

    @property
    def settings(self) -> list[forms.BoundField]:
        """The title and the parameter fields, as the page shows them in one row."""
        return [self["title"], *(self[p.name] for p in self.spec.params)]

    def run_params(self) -> RunParams:
        c = self.cleaned_data
        return RunParams(program=self.spec.id, title=c["title"].strip(),
                         params={p.name: c[p.name] for p in self.spec.params},
                         rules=list(c["rules"]),
                         user_rules=[f.text for f in c["user_rules"]])  # fmt: skip


def params_text(run: CheckRun | None) -> str:
    """What a run used, in words: shown beside the run form."""
    if run is None:
        return ""
    titles = dict(RULE_CHOICES)
    rules = run.params.get("rules", [])
    which = (
        "全部规则"
        if set(rules) >= set(run.program.rule_ids)
        else "、".join(titles.get(r, r) for r in rules)
    )
    files = "、".join(d.name for d in run.datasets.all())
    own = run.params.get("user_rules", [])
    if own:
        which += f"，另有自定义规则 {len(own)} 条"
    return (f"第 {run.number} 次比对使用：{which}；资金项目「{run.title}」，"
            f"{run.params_text}；数据：{files}。")  # fmt: skip


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


class UserRuleForm(forms.Form):
    file = forms.FileField(label="规则文件（UTF-8 的 TOML）", allow_empty_file=True)


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
