"""Reads of the ledger: completion rates per unit, round, kind of unit and overall."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from xuncha.accounts.access import restrict, restrict_figures
from xuncha.accounts.models import User
from xuncha.common.filters import (
    Neighbours,
    Order,
    invalid_neighbours,
    keyword_q,
    narrow,
    neighbours,
)
from xuncha.common.models import Evidence
from xuncha.findings.models import Finding
from xuncha.findings.selectors import finding_detail, reported_evidence
from xuncha.planning.selectors import in_period
from xuncha.units.models import UnitKind

from .models import (
    DUE_SOON_DAYS,
    DueState,
    ProgressReport,
    RectificationItem,
    RuleKind,
    RuleMade,
    Status,
)

Grouping = Literal["unit", "round", "unit_kind", "overall"]
_FIELDS = {"unit": ("unit_id", "unit__name"), "round": ("round_id", "round__name"),
           "unit_kind": ("unit__kind", "unit__kind"), "overall": (None, None)}  # fmt: skip


@dataclass(frozen=True)
class Completion:
    key: object
    label: str
    total: int
    closed: int

    @property
    def rate(self) -> Decimal | None:
        """Closed over total as a percentage with two decimals (43 → 40 is 93.02)."""
        if not self.total:
            return None
        return (Decimal(100 * self.closed) / self.total).quantize(Decimal("0.01"), ROUND_HALF_UP)


def completion(*, user: User, by: Grouping = "overall", **filters: object) -> list[Completion]:
    """Items rectified (closed out) over items fed back, grouped as asked."""
    items = restrict_figures(RectificationItem.objects.filter(**filters), user)
    counts = {"total": Count("id"), "closed": Count("id", filter=Q(status=Status.CLOSED))}
    key, label = _FIELDS[by]
    if key is None or label is None:
        row = items.aggregate(**counts)
        return [Completion("overall", "合计", row["total"], row["closed"])]
    rows = items.values(key, label).annotate(**counts).order_by(label)
    labels = dict(UnitKind.choices) if by == "unit_kind" else {}
    return [
        Completion(r[key], labels.get(r[label], r[label]), r["total"], r["closed"]) for r in rows
    ]


def item_list(
    *, user: User, today: dt.date, status: str = "", due: str = "", q: str = "",
    unit_id: int | None = None, round_id: int | None = None, returned: bool = False,
    year: int | None = None, term: int | None = None, category: str = "", card: str = "",
    unit_kind: str = "",
) -> QuerySet[RectificationItem]:  # fmt: skip
    """The ledger as the user may see it, filtered; due states become deadline ranges
    so the filter runs in the database. ``unit_kind`` is the unit's kind (UnitKind), as
    the figures page's completion by kind of unit counts it."""
    items = restrict(RectificationItem.objects.all(), user).select_related(
        "unit", "round", "finding"
    )
    items = in_period(items, year=year, term=term)  # the figures page's drill-down
    if status:
        items = items.filter(status=status)
    if category:
        items = items.filter(finding__category=category)
    if unit_id:
        items = items.filter(unit_id=unit_id)
    if unit_kind:
        items = items.filter(unit__kind=unit_kind)
    if round_id:
        items = items.filter(round_id=round_id)
    if returned:
        items = items.filter(returned_at__isnull=False)
    if q:
        items = items.filter(keyword_q(q, "finding__description"))
    if due in DueState.values:
        items = items.filter(due_q(DueState(due), today))
    if card:  # red or yellow today (xuncha.supervision.cards)
        from xuncha.supervision.cards import card_q

        items = items.filter(card_q(card, today))
    return items.order_by(F("deadline").asc(nulls_last=True), "id")


def due_q(due: DueState, today: dt.date) -> Q:
    """A due state as a condition on the deadline, so lists and counts run in the
    database (and the home page's numbers are the list's)."""
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    open_items = ~Q(status=Status.CLOSED)
    return {
        DueState.OVERDUE: open_items & Q(deadline__lt=today),
        DueState.DUE_SOON: open_items & Q(deadline__gte=today, deadline__lte=soon),
        DueState.ON_TIME: open_items & (Q(deadline__isnull=True) | Q(deadline__gt=soon)),
        DueState.CLOSED: Q(status=Status.CLOSED),
    }[due]


def item_detail(*, user: User, pk: int) -> RectificationItem:
    """One item the user may see (404 otherwise: no hint that it exists)."""
    items = restrict(RectificationItem.objects.all(), user).select_related(
        "unit", "round", "team", "finding", "closed_by", "plan_accepted_by", "done_reported_by"
    )
    return get_object_or_404(items, pk=pk)


def item_reports(item: RectificationItem) -> QuerySet[ProgressReport]:
    """The unit's progress reports on the item, oldest first, with reporter and evidence."""
    return item.reports.select_related("reported_by").prefetch_related("evidence")


def item_evidence(
    *, user: User, item_pk: int, evidence_pk: int
) -> tuple[RectificationItem, Evidence]:
    """One evidence file reported on a ledger item the user may see; 404 for any other
    (a file of another item, an item not visible)."""
    item = item_detail(user=user, pk=item_pk)
    return item, reported_evidence(item.reports.all(), evidence_pk)


def finding_to_feed_back(*, user: User, pk: int) -> Finding:
    """The finding the user feeds back (404 unless they may see it)."""
    return finding_detail(user=user, pk=pk)


LEDGER_ORDER = Order("deadline", descending=False, nulls_last=True)
"""The ledger list's order (as :func:`item_list`), for previous/next."""


def item_search(
    *, user: User, today: dt.date, unit: str = "", team_id: int | None = None,
    amount_min: Decimal | None = None, amount_max: Decimal | None = None, **filters: Any,
) -> QuerySet[RectificationItem]:  # fmt: skip
    """:func:`item_list` with the shared list filters: the unit (and its subordinate
    units) by name, the team, the finding's amount range."""
    items = item_list(user=user, today=today, **filters)
    return narrow(items, unit=unit, team_id=team_id, amount_min=amount_min,
                  amount_max=amount_max, amount_field="finding__amount")  # fmt: skip


def item_neighbours(*, user: User, today: dt.date, item: RectificationItem,
                    filters: dict[str, Any] | None, query: str) -> Neighbours:  # fmt: skip
    """The previous and next items of the ledger filtered as ``filters`` (None: the
    carried filter was invalid)."""
    from django.urls import reverse

    about = {"query": query, "list_url": reverse("rectifications:list"),
             "detail": "rectifications:detail", "noun": "此整改事项"}  # fmt: skip
    if filters is None:
        return invalid_neighbours(**about)
    items = item_search(user=user, today=today, **filters)
    return neighbours(items, item, LEDGER_ORDER, **about)


def item_export_rows(items: QuerySet[RectificationItem]) -> QuerySet[RectificationItem]:
    """The filtered ledger with what the export needs, in one query: the latest progress
    report's text (see :func:`evidence_names` for the files)."""
    latest = ProgressReport.objects.filter(item=OuterRef("pk")).order_by("-created_at", "-id")
    return items.annotate(progress=Subquery(latest.values("text")[:1]))


def evidence_names(items: QuerySet[RectificationItem]) -> dict[int, list[str]]:
    """Each item's progress-report evidence file names, for all ``items`` in one query."""
    through = ProgressReport.evidence.through
    rows = (
        through.objects.filter(progressreport__item__in=items.order_by().values("pk"))
        .order_by("progressreport__created_at", "id")
        .values_list("progressreport__item_id", "evidence__original_name")
    )
    out: dict[int, list[str]] = {}
    for item_id, name in rows:
        out.setdefault(item_id, []).append(name)
    return out


# ------------------------------------------------------------------ 建章立制


@dataclass(frozen=True)
class RuleCount:
    made: int
    revised: int

    @property
    def total(self) -> int:
        return self.made + self.revised


def item_rules(item: RectificationItem) -> QuerySet[RuleMade]:
    return item.rules.select_related("evidence", "recorded_by")


def rule_detail(*, user: User, pk: int) -> RuleMade:
    """A rule record on a ledger item the user may see (404 otherwise)."""
    items = restrict(RectificationItem.objects.all(), user)
    rules = RuleMade.objects.filter(item__in=items).select_related("item", "unit", "evidence")
    return get_object_or_404(rules, pk=pk)


def rule_list(
    *, user: User, unit_id: int | None = None, round_id: int | None = None,
    year: int | None = None, term: int | None = None, kind: str = "",
) -> QuerySet[RuleMade]:  # fmt: skip
    """The rules on ledger items the user may see (a unit: its own), newest first;
    ``year`` / ``term``: rules of rounds begun then (as the figures page counts them);
    ``kind``: made or revised (RuleKind)."""
    items = restrict(RectificationItem.objects.all(), user)
    rules = in_period(RuleMade.objects.filter(item__in=items), year=year, term=term)
    if kind:
        rules = rules.filter(kind=kind)
    if unit_id is not None:
        rules = rules.filter(unit_id=unit_id)
    if round_id is not None:
        rules = rules.filter(round_id=round_id)
    return rules.select_related("unit", "round", "evidence", "item__finding").order_by(
        "-issued_on", "-id"
    )


def rule_counts() -> dict[str, Count]:
    """The made and revised counts of a rules query, to aggregate or annotate with."""
    return {"made": Count("id", filter=Q(kind=RuleKind.MADE)),
            "revised": Count("id", filter=Q(kind=RuleKind.REVISED))}  # fmt: skip


def countable_rules(user: User, **filters: object) -> QuerySet[RuleMade]:
    """Rules (narrowed by ``filters``) on the items the user's figures may count
    (:func:`restrict_figures`)."""
    rules = RuleMade.objects.filter(**filters)
    items = restrict_figures(RectificationItem.objects.all(), user)
    if items.query.where:  # not every item: only the rules of the ones the user may count
        rules = rules.filter(item__in=items)
    return rules


def rule_list_counts(rules: QuerySet[RuleMade]) -> RuleCount:
    """Made and revised among the rules listed (one query): the list's own count."""
    row = rules.order_by().aggregate(**rule_counts())
    return RuleCount(row["made"], row["revised"])


def rules_made_counts(
    *, user: User, by: Literal["unit", "round", "overall"] = "overall",
    unit_id: int | None = None, round_id: int | None = None, **filters: object,
) -> dict[object, RuleCount]:  # fmt: skip
    """Rules made and revised, per unit id, per round id or overall (key ``"overall"``),
    as the user's figures may count them (:func:`restrict_figures` on their items);
    ``unit_id``, ``round_id`` and ``filters`` narrow the rules (``unit_id__in=…``,
    ``round__term_id=…``). One query."""
    if unit_id is not None:
        filters["unit_id"] = unit_id
    if round_id is not None:
        filters["round_id"] = round_id
    rules = countable_rules(user, **filters)
    counts = rule_counts()
    if by == "overall":
        row = rules.aggregate(**counts)
        return {"overall": RuleCount(row["made"], row["revised"])}
    key = f"{by}_id"
    return {
        row[key]: RuleCount(row["made"], row["revised"])
        for row in rules.values(key).annotate(**counts).order_by(key)
    }
