"""The period filter (``?year=`` / ``?term=``) that lists share with the figures page.

A figure counts rows whose round began in the year, or within the term's years
(:func:`xuncha.planning.selectors.in_period`); the list it links to takes the same two
parameters, shows them in its filter bar and refuses a bad value with a Chinese message
(an unknown term lists nothing rather than everything)."""

from __future__ import annotations

from typing import Any

from django import forms

YEAR_MIN, YEAR_MAX = 1990, 2100
_YEAR_ERROR = f"年度应为 {YEAR_MIN}—{YEAR_MAX} 之间的四位数字，如 2024。"


def _term_options() -> list[tuple[Any, str]]:
    from xuncha.planning.models import Term

    terms = Term.objects.order_by("-start_year", "-pk").values_list("pk", "name")
    return [("", "全部"), *terms]


class PeriodFilter(forms.Form):
    """``year`` and ``term`` as a list's filter fields (mix into the list's form)."""

    year = forms.IntegerField(
        label="年度", required=False, min_value=YEAR_MIN, max_value=YEAR_MAX,
        widget=forms.NumberInput(attrs={"min": YEAR_MIN, "max": YEAR_MAX, "class": "year"}),
        error_messages={"invalid": _YEAR_ERROR, "min_value": _YEAR_ERROR, "max_value": _YEAR_ERROR},
    )  # fmt: skip
    term = forms.TypedChoiceField(
        label="届期", required=False, coerce=int, empty_value=None,
        error_messages={"invalid_choice": "所选届期不存在，请从列表中选择。"},
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A callable: the terms are read only when the field is shown or checked.
        self.fields["term"].choices = _term_options  # type: ignore[attr-defined]

    def period(self) -> dict[str, int]:
        """The valid ``year`` / ``term`` chosen, as keyword arguments for ``in_period``."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {k: data[k] for k in ("year", "term") if data.get(k)}

    def period_label(self) -> str:
        """The chosen period in words ("2024年", "第九届（2027—2031年）"), "" for none."""
        chosen = self.period()
        parts = [f"{chosen['year']}年"] if "year" in chosen else []
        if "term" in chosen:
            parts.append(str(dict(_term_options()).get(chosen["term"], "")))
        return "，".join(parts)
