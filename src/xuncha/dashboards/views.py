"""The figures page and its Excel export."""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from xuncha.accounts.access import allowed, restrict, user_of
from xuncha.accounts.models import User
from xuncha.common.exports import file_name, xlsx_response
from xuncha.findings.choices import ImmediateStatus
from xuncha.findings.models import ImmediateItem, Lead
from xuncha.findings.selectors import may_list_talks
from xuncha.petitions.models import Channel
from xuncha.planning import selectors as planning
from xuncha.planning.models import Assignment
from xuncha.reviews.selectors import period_rounds

from . import charts, links
from .excel import figures_workbook
from .selectors import (
    Figures,
    Period,
    counts_every,
    coverage_term,
    default_period,
    figures,
    ranking,
    term_of,
    terms,
    trend,
)
from .supervision import supervision_figures

UNINSPECTED_SHOWN = 200


def _period(request: HttpRequest) -> Period:
    """?term=<id> or ?year=<yyyy>; else the latest year with data (default_period)."""
    term_id = request.GET.get("term", "")
    if term := term_of(term_id):
        return Period.term(term)
    year = request.GET.get("year", "")
    if year.isdigit() and 1990 <= int(year) <= 2100:
        return Period.year(int(year))
    return default_period(user=user_of(request), today=timezone.localdate())


def _coverage(period: Period) -> dict[str, Any]:
    """The term's coverage (全覆盖) by kind, county and risk level, and what is left."""
    term = coverage_term(period)
    if term is None:
        return {"term": None}
    rows = {by: planning.coverage(term=term, by=by) for by in ("kind", "county", "risk")}
    left = planning.uninspected(term=term)
    total = sum(r.total for r in rows["kind"])
    inspected = sum(r.inspected for r in rows["kind"])
    overall = planning.CoverageRow("合计", total, inspected)
    return {"term": term, "overall": overall, **rows, "left": left[:UNINSPECTED_SHOWN],
            "left_count": overall.remaining}  # fmt: skip


def _listed(model: type[Model], user: User) -> bool:
    """Whether the user has a list of the model's rows (a figure may count more than that)."""
    return not restrict(model._default_manager.all(), user).query.is_empty()


def _breakdown(chart_data: dict[str, charts.Chart]) -> list[tuple[str, int, str]]:
    """(label, count, drill-down) of the findings by category, then by source."""
    return [
        row
        for key in ("by_category", "by_source")
        for row in zip(chart_data[key]["labels"], chart_data[key]["series"][0]["values"],
                       chart_data[key]["links"], strict=True)
    ]  # fmt: skip


def _context(user: User, period: Period) -> dict[str, Any]:
    data: Figures = figures(user=user, period=period)
    ranked, rounds = ranking(user=user, period=period), trend(user=user, period=period)
    # Coverage of other units only for those who may read it (not a unit account).
    cover: dict[str, Any] = (
        _coverage(period) if allowed(user, "coverage.read") else {"term": None, "hidden": True}
    )
    chart_data = {**charts.figure_charts(data, period), "ranking": charts.ranking(ranked, period),
                  "trend": charts.trend(rounds, period)}  # fmt: skip
    if cover["term"] is not None:
        for by, name, title in (("kind", "kind", "按单位类型"), ("county", "county_id", "按县市区"),
                                ("risk", "risk_level", "按风险等级")):  # fmt: skip
            chart_data[f"coverage_{by}"] = charts.coverage(f"覆盖率{title}（%）", cover[by], name)
    immediate = _listed(ImmediateItem, user)
    # Petition content stays with the office and the receiving team: the others (the
    # leader, the supervisor, a unit) read the counts without links.
    petitions = allowed(user, "petitions.open")
    if petitions:
        chart_data["by_channel"]["links"] = [
            links.petitions(period, channel=v) for v in Channel.values
        ]
    coverage = cover["term"] is not None and links.coverage(cover["term"].pk)
    sup = supervision_figures(user=user, period=period, today=timezone.localdate())
    return {
        "sup": sup, "sup_links": _supervision_links(user, period),
        "review_rounds": period_rounds(user=user, start=period.start, end=period.end),
        "f": data, "period": period, "ranking": ranked, "trend": rounds, "cover": cover,
        "charts": chart_data, "breakdown": _breakdown(chart_data), "terms": terms(),
        "links": {
            "findings": links.findings(period), "ledger": links.ledger(period),
            "closed": links.ledger(period, status="closed"),
            # Leaders count 立行立改 items but do not list them: no link then.
            "immediate": immediate and links.immediate(period),
            "immediate_done": immediate and links.immediate(period, status=ImmediateStatus.DONE),
            "leads": _listed(Lead, user) and links.leads(period),
            # A unit counts the rounds that inspected it but lists none: the trend below then.
            "rounds": allowed(user, "rounds.list") and links.rounds(period),
            "petitions": petitions and links.petitions(period),
            "petitions_to_findings": petitions and links.petitions(period, to_finding=1),
            # Talks: listed for the office, the teams and the supervisor; the leader counts them.
            "talks": may_list_talks(user) and links.talks(period),
            # The cross-check workbench is the inspecting side's; others read the count only.
            "suspects": allowed(user, "checks.open") and reverse("checks:index"),
            # Units inspected: the unit list of those inspected in the period, for those who
            # list units and whose figure counts every unit (not a team's own).
            "units": allowed(user, "units.list") and counts_every(Assignment, user)
            and links.covered(period, inspected=True),
            "inspected": cover["term"] is not None
            and links.coverage_units(cover["term"].pk, inspected=True),
            "uninspected": cover["term"] is not None
            and links.coverage_units(cover["term"].pk, inspected=False),
            "unit_pages": allowed(user, "units.list"),
            "coverage": coverage,
        },
        "shown_year": dict(period.params).get("year", ""),
    }  # fmt: skip


def _supervision_links(user: User, period: Period) -> dict[str, Any]:
    """The supervision figures' lists, each of the period (a list the user lacks is
    False: the number is read without a link). Assessments and signals are the office's
    and the supervisor's, 回头看 too. The template adds a row's own filter
    (``&kind=…``) to these addresses, which all carry the period."""
    return {
        "assessments": allowed(user, "assessment.score"),
        "assessment_list": allowed(user, "assessment.score") and links.assessments(period),
        "follow_ups": allowed(user, "followup.read"),
        "follow_up_list": allowed(user, "followup.read") and links.period_follow_ups(period),
        "signals": allowed(user, "sham.review"),
        "tasks": allowed(user, "selfcheck.list"),
        "problems": allowed(user, "commonproblem.manage") and links.problems(period),
        "red": links.ledger(period, card="red"),
        "yellow": links.ledger(period, card="yellow"),
        "ledger": links.ledger(period),
        "rules": links.rules(period),
        "signal_list": links.signals(period),
        "task_list": links.selfcheck_tasks(period),
        "units": allowed(user, "units.list"),
    }


@login_required
def figures_page(request: HttpRequest) -> HttpResponse:
    context = _context(user_of(request), _period(request))
    context["query"] = "&".join(f"{k}={v}" for k, v in context["period"].params)
    return render(request, "dashboards/figures.html", context)


@login_required
def figures_export(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    user = user_of(request)
    data: Figures = figures(user=user, period=period)
    sup = supervision_figures(user=user, period=period, today=timezone.localdate())
    buffer = io.BytesIO()
    figures_workbook(data, buffer, sup)
    name = file_name("巡察工作数据", timezone.localdate(), period.label)
    return xlsx_response(buffer.getvalue(), name)
