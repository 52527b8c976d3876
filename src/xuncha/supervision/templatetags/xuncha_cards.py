"""The red and yellow card panels of the ledger item's page and the unit's page:
``{% load xuncha_cards %}{% item_card_panel item %}`` / ``{% unit_card_panel unit %}``."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from xuncha.accounts.access import allowed, user_of
from xuncha.rectifications.models import RectificationItem
from xuncha.supervision import cards
from xuncha.supervision.card_views import SuperviseForm
from xuncha.supervision.models import CardReason
from xuncha.units.models import Unit

register = template.Library()
REASONS: dict[str, str] = dict(CardReason.choices)


@register.inclusion_tag("supervision/card_panel.html", takes_context=True)
def item_card_panel(context: dict[str, Any], item: RectificationItem) -> dict[str, Any]:
    request = context["request"]
    today = timezone.localdate()
    now = cards.with_cards(RectificationItem.objects.filter(pk=item.pk), today).get()
    user = user_of(request)
    return {
        "request": request, "csrf_token": context.get("csrf_token"), "item": item,
        "card": now.card, "card_reason": REASONS.get(now.card_reason, ""),
        "history": cards.item_cards(item), "may_supervise": allowed(user, "card.supervise"),
        "form": SuperviseForm(), "report_days": cards.report_days(), "red_days": cards.red_days(),
    }  # fmt: skip


@register.inclusion_tag("supervision/card_unit.html", takes_context=True)
def unit_card_panel(context: dict[str, Any], unit: Unit) -> dict[str, Any]:
    user = user_of(context["request"])
    states = cards.card_states(user=user, today=timezone.localdate()).filter(unit_id=unit.pk)
    rows = states.select_related("finding").order_by("card", "deadline", "id")[:50]
    return {"unit": unit, "total": states.count(),
            "rows": [(i, i.card, REASONS.get(i.card_reason, "")) for i in rows]}  # fmt: skip
