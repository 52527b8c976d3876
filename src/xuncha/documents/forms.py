"""Forms of the documents' pages: an office's template."""

from __future__ import annotations

from django import forms

from .store import template_kinds


class TemplateForm(forms.Form):
    kind = forms.ChoiceField(label="公文种类", choices=template_kinds)
    # An empty file reaches template_install, which refuses it naming the file.
    file = forms.FileField(label="模板文件（DOCX）", allow_empty_file=True)
