"""Red and yellow cards (红黄牌), derived from deadlines and progress, never typed.

The rules (days are settings, see docs/decisions/0016-cards.md):

- **Yellow**: an open item past its deadline (overdue), or an item in progress with no
  progress report within ``CARD_REPORT_DAYS`` (default 30) days since its plan was
  accepted or its last report (a report on the interval's last day is in time).
- **Red**: overdue by more than ``CARD_RED_DAYS`` (default 30) days, or a yellow for an
  item that already had a yellow card that was cleared ("a second yellow").

Every rule is a condition in the database (:func:`card_q`, :func:`with_cards`), so the
ledger's filter, the home page's counts and the daily derivation agree, and none of them
loops over items in Python. :func:`cards_derive` records the cards day by day (opened,
cleared) as :class:`~xuncha.supervision.models.Card` rows: that history defines "a
second yellow".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from xuncha.accounts.access import allowed, restrict
from xuncha.accounts.models import User
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.rectifications.models import ProgressReport, RectificationItem, Status

from .models import Card, CardColour, CardReason, CardSupervision

BATCH = 5000


def report_days() -> int:
    """Days an item in progress may go without a progress report."""
    return int(settings.CARD_REPORT_DAYS)


def red_days() -> int:
    """Days overdue beyond which an item's card is red."""
    return int(settings.CARD_RED_DAYS)


@dataclass(frozen=True)
class _Rules:
    overdue: Q
    long_overdue: Q
    accepted_before: Q  # in progress on a plan accepted before the interval began
    no_report: Q  # ... and no report since
    had_yellow: Q


def _rules(today: dt.date) -> _Rules:
    open_items = ~Q(status=Status.CLOSED)
    # Reports and acceptances from the first day of the interval on count as in time.
    start = today - dt.timedelta(days=report_days())
    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    recent = ProgressReport.objects.filter(item=OuterRef("pk"), created_at__gte=since)
    cleared_yellow = Card.objects.filter(
        item=OuterRef("pk"), colour=CardColour.YELLOW, cleared_on__isnull=False
    )
    accepted_before = Q(status=Status.IN_PROGRESS, plan_accepted_at__lt=since)
    return _Rules(
        overdue=open_items & Q(deadline__lt=today),
        long_overdue=open_items & Q(deadline__lt=today - dt.timedelta(days=red_days())),
        accepted_before=accepted_before,
        no_report=accepted_before & ~Q(Exists(recent)),
        had_yellow=Q(Exists(cleared_yellow)),
    )


def card_q(colour: CardColour | str, today: dt.date) -> Q:
    """Items whose card today is ``colour``, as a condition (the ledger's ?card= filter
    and the home page's counts)."""
    r = _rules(today)
    yellow = r.overdue | r.no_report
    if colour == CardColour.RED:
        return r.long_overdue | (yellow & r.had_yellow)
    if colour == CardColour.YELLOW:
        return yellow & ~r.long_overdue & ~r.had_yellow
    raise ValueError(f"unknown card colour {colour!r}")


def with_cards(items: QuerySet[RectificationItem], today: dt.date) -> QuerySet[Any]:
    """``items`` annotated with ``card`` (red, yellow or "") and ``card_reason`` (typed
    ``Any``: the annotations are the point of it)."""
    r = _rules(today)
    yellow = r.overdue | r.no_report
    return items.annotate(
        card=Case(
            When(r.long_overdue | (yellow & r.had_yellow), then=Value(CardColour.RED.value)),
            When(yellow, then=Value(CardColour.YELLOW.value)),
            default=Value(""),
            output_field=CharField(),
        ),
        card_reason=Case(
            When(r.long_overdue, then=Value(CardReason.LONG_OVERDUE.value)),
            When(yellow & r.had_yellow, then=Value(CardReason.SECOND_YELLOW.value)),
            When(r.overdue, then=Value(CardReason.OVERDUE.value)),
            When(r.no_report, then=Value(CardReason.NO_REPORT.value)),
            default=Value(""),
            output_field=CharField(),
        ),
    )


def card_counts(items: QuerySet[RectificationItem], today: dt.date) -> dict[str, int]:
    """How many of ``items`` have a red and a yellow card today (the home pages' numbers,
    equal to the ledger's ``?card=`` lists: the same rules). One query that decides each
    item's card once, and only for the items a card's rule can hold for (overdue, or in
    progress on a plan accepted before the report interval), so the subqueries behind
    "no report" and "a second yellow" run for those rows alone, not for the whole ledger."""
    r = _rules(today)
    candidates = with_cards(items.filter(r.overdue | r.accepted_before), today)
    found = dict(candidates.order_by().values_list("card").annotate(n=Count("pk")))
    return {colour: found.get(colour, 0) for colour in CardColour.values}


def card_states(*, user: User, today: dt.date) -> QuerySet[Any]:
    """Each open item the user may see that has a card today, with ``card`` and
    ``card_reason``."""
    items = restrict(RectificationItem.objects.exclude(status=Status.CLOSED), user)
    return with_cards(items, today).exclude(card="")


@dataclass(frozen=True)
class Derivation:
    opened: int
    cleared: int


def cards_derive(today: dt.date) -> Derivation:
    """The day's derivation over all items at once: open cards whose item no longer
    meets that colour's rule are cleared today; items with a card and no open card of
    it get one, first seen today. Running it twice on a day changes nothing."""
    with transaction.atomic():
        states = with_cards(RectificationItem.objects.exclude(status=Status.CLOSED), today)
        same = states.filter(pk=OuterRef("item_id"), card=OuterRef("colour"))
        cleared = (
            Card.objects.filter(cleared_on__isnull=True)
            .exclude(Exists(same))
            .update(cleared_on=today)
        )
        has_open = Card.objects.filter(item=OuterRef("pk"), cleared_on__isnull=True)
        new = (
            states.exclude(card="")
            .exclude(Exists(has_open))
            .order_by()
            .values_list("pk", "card", "card_reason")
        )
        # Read all first, then insert: a cursor read while inserting would rescan the
        # growing card table for every item (bench_cards, 100,000 items: 47 s -> 5 s).
        cards = [Card(item_id=pk, colour=colour, reason=reason, first_seen=today)
                 for pk, colour, reason in new]  # fmt: skip
        opened = len(Card.objects.bulk_create(cards, batch_size=BATCH))
    return Derivation(opened=opened, cleared=cleared)


def item_cards(item: RectificationItem) -> QuerySet[Card]:
    """The item's cards, newest first, with their 督办 records."""
    return Card.objects.filter(item=item).prefetch_related("supervisions__by")


def unit_open_cards(*, user: User, unit_id: int) -> QuerySet[Card]:
    """The unit's open cards on items the user may see, red first."""
    items = restrict(RectificationItem.objects.filter(unit_id=unit_id), user)
    return (
        Card.objects.filter(cleared_on__isnull=True, item__in=items.values("pk"))
        .select_related("item__finding")
        .order_by("colour", "first_seen", "id")  # "red" < "yellow": red first
    )


def card_for_supervision(*, user: User, pk: int) -> Card:
    """A card on an item the user may see (404 otherwise)."""
    items = restrict(RectificationItem.objects.all(), user)
    return get_object_or_404(Card.objects.filter(item__in=items.values("pk")), pk=pk)


def supervision_letter(*, user: User, pk: int) -> tuple[CardSupervision, int]:
    """A 督办 record on an item the user may see (404 otherwise) and its number among
    the year's 督办函 (〔year〕N号: the order they were issued in that year)."""
    items = restrict(RectificationItem.objects.all(), user)
    letter = get_object_or_404(
        CardSupervision.objects.filter(card__item__in=items.values("pk")).select_related(
            "card__item__finding", "card__item__unit", "by"
        ),
        pk=pk,
    )
    year = timezone.localtime(letter.created_at).year
    number = CardSupervision.objects.filter(
        Q(created_at__lt=letter.created_at) | Q(created_at=letter.created_at, pk__lte=letter.pk),
        created_at__gte=timezone.make_aware(dt.datetime(year, 1, 1)),
    ).count()
    return letter, number


def card_supervise(*, card: Card, by: User, text: str) -> CardSupervision:
    """Record the office's 督办 on an open card."""
    if not allowed(by, "card.supervise"):
        raise PermissionDenied("只有巡察办可以对红黄牌督办。")
    text = text.strip()
    if not text:
        raise ServiceError("请填写督办内容。")
    if card.cleared_on is not None:
        raise ServiceError(f"该红黄牌已于 {card.cleared_on:%Y-%m-%d} 撤销，不能再督办。")
    return CardSupervision.objects.create(card=card, by=by, text=text)
