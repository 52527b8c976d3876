"""Reads of sham-rectification signals: the list with its filters, one signal with what
it names, and the items the reverse-check sample should draw first."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from xuncha.accounts.access import allowed
from xuncha.accounts.models import User
from xuncha.common.filters import narrow
from xuncha.planning.selectors import in_period
from xuncha.rectifications.models import ProgressReport, RectificationItem

from .models import Signal, SignalStatus

PERIOD_PATH = "first_seen"  # a signal is the period's by the day it was first found


def _visible(user: User) -> QuerySet[Signal]:
    if not allowed(user, "sham.review"):
        raise Http404
    return Signal.objects.all()


def signal_list(
    *, user: User, kind: str = "", status: str = "", unit: str = "", round_id: int | None = None,
    current: bool = False, year: int | None = None, term: int | None = None,
) -> QuerySet[Signal]:  # fmt: skip
    """Signals the user may review, filtered: ``unit`` is a name (its subordinate units
    too), ``round_id`` a round; a signal matches when any of its items does.
    ``current`` leaves out signals whose data no longer shows them. ``year`` / ``term``:
    signals first found then (:data:`PERIOD_PATH`, as the figures page counts them)."""
    signals = in_period(_visible(user), year=year, term=term, path=PERIOD_PATH)
    if kind:
        signals = signals.filter(kind=kind)
    if status:
        signals = signals.filter(status=status)
    if current:
        signals = signals.filter(gone_on__isnull=True)
    items = narrow(RectificationItem.objects.all(), unit=unit)
    if round_id:
        items = items.filter(round_id=round_id)
    if unit.strip() or round_id:
        link = Signal.items.through.objects.filter(
            signal_id=OuterRef("pk"), rectificationitem_id__in=items.values("pk")
        )
        signals = signals.filter(Exists(link))
    return signals.order_by("-first_seen", "-id")


def item_signals(*, user: User, item: RectificationItem) -> list[Signal] | None:
    """The open (not yet decided) signals naming a ledger item, for its page; None for a
    user who does not review signals (the page then has no such section). One query."""
    if not allowed(user, "sham.review"):
        return None
    return list(
        Signal.objects.filter(items=item, status=SignalStatus.OPEN).order_by("-first_seen", "-id")
    )


def signal_detail(*, user: User, pk: int) -> Signal:
    """A signal the user may review (404 otherwise)."""
    return get_object_or_404(_visible(user), pk=pk)


def signal_parts(signal: Signal) -> dict[str, Any]:
    """What the signal's page shows: its items (with unit, round, finding), its evidence
    files with the report and item each was used for, and its reports."""
    items = signal.items.select_related("unit", "round", "finding").order_by("unit__name", "id")
    reports = signal.reports.select_related("item__unit").order_by("created_at", "id")
    uses = (
        ProgressReport.evidence.through.objects.filter(evidence__in=signal.evidence.all())
        .select_related("evidence", "progressreport__item__unit")
        .order_by("evidence_id", "progressreport_id")
    )  # fmt: skip
    return {"items": list(items), "reports": list(reports), "uses": list(uses)}


def flagged_item_ids(unit_ids: Iterable[int] | None = None) -> set[int]:
    """Items named by a signal that is open (and still found) or confirmed: the
    reverse-check sample draws these first. ``unit_ids`` narrows to those units' items."""
    signals = Signal.objects.filter(status=SignalStatus.CONFIRMED) | Signal.objects.filter(
        status=SignalStatus.OPEN, gone_on__isnull=True
    )
    links = Signal.items.through.objects.filter(signal__in=signals.values("pk"))
    if unit_ids is not None:
        links = links.filter(rectificationitem__unit_id__in=list(unit_ids))
    return set(links.values_list("rectificationitem_id", flat=True))
