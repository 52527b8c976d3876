"""The figures page and its Excel export."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from xuncha.accounts.access import user_of
from xuncha.planning.models import Term

from .excel import figures_workbook
from .selectors import Figures, Period, figures


def _period(request: HttpRequest) -> Period:
    """?term=<id> or ?year=<yyyy>; the current year by default."""
    term_id = request.GET.get("term", "")
    if term_id.isdigit() and (term := Term.objects.filter(pk=int(term_id)).first()):
        return Period.term(term)
    year = request.GET.get("year", "")
    if year.isdigit() and 1990 <= int(year) <= 2100:
        return Period.year(int(year))
    return Period.year(timezone.localdate().year)


def _bars(pairs: list[tuple[str, int]]) -> list[tuple[str, int, float]]:
    """(label, value, width in %) for a plain bar chart drawn in HTML/SVG."""
    top = max((v for _, v in pairs), default=0) or 1
    return [(label, value, round(100 * value / top, 1)) for label, value in pairs]


@login_required
def figures_page(request: HttpRequest) -> HttpResponse:
    data: Figures = figures(user=user_of(request), period=_period(request))
    context = {
        "f": data, "terms": Term.objects.all(), "query": request.GET.urlencode(),
        "by_category": _bars(data.findings_by_category), "by_source": _bars(data.findings_by_source),
        "by_receiver": _bars(data.leads_by_receiver), "by_channel": _bars(data.petitions_by_channel),
    }  # fmt: skip
    return render(request, "dashboards/figures.html", context)


@login_required
def figures_export(request: HttpRequest) -> HttpResponse:
    data: Figures = figures(user=user_of(request), period=_period(request))
    buffer = io.BytesIO()
    figures_workbook(data, buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''figures.xlsx"
    return response
