"""Drill-down addresses: each figure links to the list page that shows the rows it
counts, filtered the same way (the period as ``?year=`` or ``?term=``, then the figure's
own filter), so the list's count equals the figure."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from .selectors import Period


def _url(name: str, period: Period | None, **filters: object) -> str:
    params = [*(period.params if period else ()), *((k, v) for k, v in filters.items() if v)]
    return f"{reverse(name)}?{urlencode(params)}" if params else reverse(name)


def findings(period: Period, **filters: object) -> str:
    """The findings list: ``category``, ``source``, ``round_id``."""
    return _url("findings:list", period, **filters)


def ledger(period: Period, **filters: object) -> str:
    """The ledger: ``status``, ``unit_id``, ``round_id``, ``unit_kind``, ``card``."""
    return _url("rectifications:list", period, **filters)


def immediate(period: Period, **filters: object) -> str:
    """The 立行立改 list: ``status``."""
    return _url("findings:immediate", period, **filters)


def leads(period: Period) -> str:
    return _url("findings:leads", period)


def petitions(period: Period, **filters: object) -> str:
    """The petitions inbox (the office's and the receiving team's only): ``channel``,
    ``to_finding``."""
    return _url("petitions:inbox", period, **filters)


def rounds(period: Period) -> str:
    """The rounds list (rounds begun in the period, by their start date)."""
    return _url("planning:rounds", period)


def talks(period: Period) -> str:
    """The talk list (个别谈话)."""
    return _url("findings:talks", period)


def units(**filters: object) -> str:
    """The unit list (not by period: coverage is of the term): ``kind``, ``county_id``,
    ``risk_level``."""
    return _url("units:list", None, **filters)


def covered(period: Period, *, inspected: bool) -> str:
    """The unit list of those inspected in the period (or not yet): for a term, its
    coverage; for a year, assigned to a round begun that year."""
    return _url("units:list", period, inspected="1" if inspected else "0")


def coverage_units(term_id: int, *, inspected: bool) -> str:
    """The unit list of the term's coverage: 已巡察 or 尚未巡察 (a coverage table's row
    adds its ``kind``, ``county_id`` or ``risk_level``)."""
    return _url("units:list", None, term=term_id, inspected="1" if inspected else "0")


def coverage(term_id: int) -> str:
    """The term's coverage page (已巡察 / 未巡察 by kind and county)."""
    return reverse("planning:coverage", args=[term_id])


def rules(period: Period) -> str:
    """The 建章立制 list of the period's rounds."""
    return _url("rectifications:rules", period)


def signals(period: Period, **filters: object) -> str:
    """The sham-signal list of signals first found in the period: ``kind``, ``status``."""
    return _url("sham:list", period, **filters)


def selfcheck_tasks(period: Period, **filters: object) -> str:
    """The self-check task list of tasks pushed in the period: ``status``,
    ``unit_kind``, ``overdue``."""
    return _url("selfchecks:tasks", period, **filters)


def problems(period: Period) -> str:
    """The common problems set down in the period."""
    return _url("selfchecks:problems", period)


def assessments(period: Period) -> str:
    """The assessments of the period (by their round's start, else their opening)."""
    return _url("supervision:assessments", period)


def period_follow_ups(period: Period) -> str:
    """The 回头看 list of the period's assessments."""
    return _url("supervision:follow_ups", period)
