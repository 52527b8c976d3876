"""Previous/next (common.filters.neighbours) against the list itself: for each of the
four orders (up or down, NULLs first or last), walking "next" from the first row and
"previous" from the last visits every row of the filtered list in the list's order,
with ties on the field and rows without a value; and a row that has left the list
still leads to where it stood."""

from __future__ import annotations

import datetime as dt

import pytest

from web.factories import ledger_item
from xuncha.common.filters import Order, neighbours
from xuncha.rectifications.models import RectificationItem

ORDERS = [
    Order("deadline", descending=d, nulls_last=n) for d in (False, True) for n in (True, False)
]


@pytest.fixture
def ledger(world):
    """Nine items: three tied on one day, two on another, one alone, three undated;
    every third one is for 1,000 yuan (the filter below keeps the others)."""
    days = (
        [dt.date(2025, 3, 1)] * 3 + [dt.date(2025, 1, 9)] * 2 + [dt.date(2025, 6, 30)] + [None] * 3
    )
    for i, day in enumerate(days):
        ledger_item(world, amount=1000 if i % 3 == 2 else 10, deadline=day)
    return RectificationItem.objects.all()


def walk(items, order, start, step):
    seen, pk = [], start
    while pk is not None:
        seen.append(pk)
        obj = RectificationItem.objects.get(pk=pk)
        n = neighbours(
            items, obj, order, query="", list_url="/ledger/", detail="rectifications:detail"
        )
        assert n.position == len(seen) if step == "next" else n.total - len(seen) + 1
        pk = n.next if step == "next" else n.previous
        assert len(seen) <= items.count(), "the walk went round in a circle"
    return seen


@pytest.mark.parametrize(
    "order", ORDERS, ids=lambda o: f"desc={o.descending},nulls_last={o.nulls_last}"
)
@pytest.mark.parametrize("cheap", [False, True], ids=["all", "filtered"])
def test_walking_visits_the_list_in_its_order(ledger, order, cheap):
    items = ledger.filter(finding__amount__lt=100) if cheap else ledger
    listed = list(items.order_by(*order.by()).values_list("pk", flat=True))
    assert len(listed) == (6 if cheap else 9)
    assert walk(items, order, listed[0], "next") == listed
    assert walk(items, order, listed[-1], "previous") == listed[::-1]


@pytest.mark.parametrize(
    "order", ORDERS, ids=lambda o: f"desc={o.descending},nulls_last={o.nulls_last}"
)
def test_a_row_that_left_the_list_leads_to_where_it_stood(ledger, order):
    everything = list(ledger.order_by(*order.by()).values_list("pk", flat=True))
    cheap = ledger.filter(finding__amount__lt=100)
    for i, pk in enumerate(everything):
        obj = RectificationItem.objects.get(pk=pk)
        n = neighbours(
            cheap, obj, order, query="", list_url="/ledger/", detail="rectifications:detail"
        )
        kept = set(cheap.values_list("pk", flat=True))
        before = [p for p in everything[:i] if p in kept]
        after = [p for p in everything[i + 1 :] if p in kept]
        assert n.in_list == (pk in kept)
        assert (n.previous, n.next) == (before[-1] if before else None, after[0] if after else None)
        assert n.position == len(before) + 1
