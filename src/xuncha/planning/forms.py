"""Forms of the planning pages."""

from __future__ import annotations

from django import forms

from xuncha.units.models import Unit

from .models import Cadre, MemberRole, RoundKind, Term


class RoundForm(forms.Form):
    term: forms.ModelChoiceField[Term] = forms.ModelChoiceField(
        label="届期", queryset=Term.objects.all()
    )
    number = forms.IntegerField(label="轮次", min_value=1, max_value=99)
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=RoundKind.choices)
    start_date = forms.DateField(label="进驻日期", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))


class TeamForm(forms.Form):
    name = forms.CharField(label="巡察组名称", max_length=50)


class MemberForm(forms.Form):
    team = forms.IntegerField(widget=forms.HiddenInput)
    cadre: forms.ModelChoiceField[Cadre] = forms.ModelChoiceField(
        label="干部", queryset=Cadre.objects.select_related("home_unit")
    )
    role = forms.ChoiceField(label="分工", choices=MemberRole.choices, initial=MemberRole.MEMBER)


class AssignmentForm(forms.Form):
    team = forms.IntegerField(widget=forms.HiddenInput)
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label="被巡察单位", queryset=Unit.objects.all()
    )
    kind = forms.ChoiceField(label="巡察方式", choices=RoundKind.choices)
