"""Form fields and widgets every app's forms share.

:class:`UnitPicker` is a ``<select>`` whose options carry each unit's place in the
hierarchy (县市区 › 乡镇 › 村); its script turns it into a search box that finds a unit
by its own name or any superior's, usable from the keyboard. Without the script it is
the plain select, and it submits the same value either way.

:class:`MultipleFileField` takes several files in one input (evidence), and
:class:`UploadForm` hands a form's files to a service; they live here so that no app
imports another's forms for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import Model

from xuncha.units.models import SUPERIOR_LEVELS, Unit, UnitKind
from xuncha.units.selectors import unit_superiors

HIERARCHY = " › "


def unit_path(unit: Unit) -> list[str]:
    """The names of the unit's superiors, top first, without the city (every unit's):
    ["某县", "某镇"] for a village. Reads only what ``select_related`` fetched with
    :func:`path_related` (no query per option)."""
    if unit.parent_id is not None and not Unit.parent.is_cached(unit):
        return []  # fetched without its superiors: no path rather than a query per option
    return [u.name for u in unit_superiors(unit) if u.kind != UnitKind.CITY]


def path_related(prefix: str = "") -> list[str]:
    """``select_related`` paths that fetch a unit's superiors for :func:`unit_path`:
    ``path_related("unit__")`` for assignments. As far up as ``unit_superiors`` reads."""
    return [prefix + "__".join(["parent"] * depth) for depth in range(1, SUPERIOR_LEVELS + 1)]


class UnitPicker(forms.Select):
    """A select of units (or of objects that have a ``unit``: assignments) that the
    script ``xuncha/unit-picker.js`` makes searchable. ``unit_of`` maps an option's
    object to its unit (the object itself by default)."""

    class Media:
        css = {"all": ["xuncha/unit-picker.css"]}
        js = ["xuncha/unit-picker.js"]

    def __init__(
        self, attrs: dict[str, Any] | None = None, *,
        unit_of: Callable[[Any], Unit] | None = None,
    ) -> None:  # fmt: skip
        super().__init__({"data-unit-picker": "", **(attrs or {})})
        self.unit_of = unit_of or (lambda obj: obj)

    def create_option(self, name: str, value: Any, label: Any, selected: Any, index: int,
                      subindex: int | None = None, attrs: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if isinstance(instance, Model):
            unit = self.unit_of(instance)
            path = HIERARCHY.join(unit_path(unit))
            option["attrs"]["data-path"] = path
            option["attrs"]["data-search"] = f"{label} {path} {unit.code}"
        return option


class FollowingSelect(forms.Select):
    """A select whose options depend on another field's value (具体类别 on 问题类别):
    each option names its parent, and ``xuncha/follow.js`` shows only those of the chosen
    parent. The form must still check the pair (the script is only a convenience)."""

    class Media:
        js = ["xuncha/follow.js"]

    def __init__(self, attrs: dict[str, Any] | None = None, *, follows: str,
                 parent_of: Callable[[str], str]) -> None:  # fmt: skip
        super().__init__({"data-follows": follows, **(attrs or {})})
        self.parent_of = parent_of

    def create_option(self, name: str, value: Any, label: Any, selected: Any, index: int,
                      subindex: int | None = None, attrs: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value not in (None, ""):
            option["attrs"]["data-parent"] = self.parent_of(str(value))
        return option


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none was chosen)."""

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class PhotoInput(MultipleFileInput):
    """Photos taken on the spot: a phone opens its camera (``capture``). Kept beside a
    plain file input, since ``capture`` keeps a phone from choosing saved files.
    ``accept`` only steers the chooser; the server still decides by content."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"accept": "image/*", "capture": "environment", **(attrs or {})})


class UploadForm(forms.Form):
    """A form with file fields (:class:`MultipleFileField`): :meth:`uploads` hands them
    to a service."""

    def uploads(self) -> list[tuple[Any, str]]:
        """Every uploaded file as a ``(stream, name)`` pair, fields in the order declared."""
        return [
            (f, f.name)
            for name, field in self.fields.items()
            if isinstance(field, MultipleFileField)
            for f in self.cleaned_data[name]
        ]


class VersionedForm(forms.Form):
    """Carries the version the user saw, so a stale submission is refused
    (:func:`xuncha.common.services.check_version`)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class AcceptForm(VersionedForm):
    """Accepting what a unit submitted (a plan, a self-check report): only the version."""


class ReturnForm(VersionedForm):
    """退回 with the reason the unit reads."""

    reason = forms.CharField(
        label="退回原因", widget=forms.Textarea, max_length=2000,
        error_messages={"required": "退回必须填写原因。"},
    )  # fmt: skip
