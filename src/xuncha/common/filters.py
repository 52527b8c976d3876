"""Filters shared by the ledger and the findings list, and previous/next within a filter.

The URL is the state: every filter is a GET parameter, so a filtered list can be shared,
and an item page opened from the list carries the same parameters to offer the previous
and next item of that very list (:func:`neighbours`). Every condition runs in the
database; searching a unit's name also finds its subordinate units (up to
:data:`~xuncha.units.models.SUPERIOR_LEVELS` levels below the unit named).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, reduce
from typing import Any, ClassVar

from django import forms
from django.db.models import F, Model, OrderBy, Q, QuerySet
from django.http import QueryDict
from django.urls import reverse

from xuncha.accounts.access import allowed, restrict
from xuncha.accounts.models import User
from xuncha.units.models import SUPERIOR_LEVELS

FILTER_ERROR = "筛选条件有误，请按提示修改后重试。"

Options = Callable[[], list[tuple[Any, str]]]


def text_contains(field: str, text: str) -> Q:
    """``field`` contains ``text``, ignoring case only where ``text`` has letters with
    case: a Chinese keyword is matched as it is, without upper-casing every row
    (PostgreSQL's ``UPPER(...) LIKE`` over 100,000 rows costs three times the scan)."""
    lookup = "icontains" if text.upper() != text.lower() else "contains"
    return Q(**{f"{field}__{lookup}": text})


def keyword_q(text: str, field: str) -> Q:
    """Rows whose ``field`` or whose unit's own name contains ``text``. The units are
    a subquery PostgreSQL hashes once, so the list is not joined to its units to be
    searched (and no list of thousands of unit ids is sent with every query)."""
    from xuncha.units.models import Unit

    units = Unit.objects.filter(text_contains("name", text)).values("id")
    return text_contains(field, text) | Q(unit_id__in=units)


def units_named(text: str) -> QuerySet[Any]:
    """The units whose own name, or a parent's name, contains ``text``."""
    from xuncha.units.models import Unit

    text = text.strip()
    q = Q()
    for level in range(SUPERIOR_LEVELS + 1):
        q |= text_contains("__".join(["parent"] * level + ["name"]), text)
    return Unit.objects.filter(q)


def narrow(
    items: QuerySet[Any], *, unit: str = "", team_id: int | None = None,
    amount_min: Decimal | None = None, amount_max: Decimal | None = None,
    amount_field: str = "amount",
) -> QuerySet[Any]:  # fmt: skip
    """The filters both lists share: unit (with its subordinates), team, amount range."""
    if unit.strip():
        # The matching units are read first (one query on the small units table): as a
        # subquery, PostgreSQL guesses one unit matches and joins the whole list first.
        ids = list(units_named(unit).values_list("id", flat=True))
        items = items.filter(unit_id__in=ids)
    if team_id:
        items = items.filter(team_id=team_id)
    if amount_min is not None:
        items = items.filter(**{f"{amount_field}__gte": amount_min})
    if amount_max is not None:
        items = items.filter(**{f"{amount_field}__lte": amount_max})
    return items


def _choice_options(user: User, visible_items: QuerySet[Any]) -> tuple[Options, Options]:
    """Round and team options: those the user may see. A unit, which sees no rounds or
    teams as such, gets those of its own visible items. Each is read once, when first
    needed: a form that only checks its filter (an item page's previous/next, an export
    with no round or team chosen) reads neither."""
    from xuncha.planning.models import Round, Team

    if allowed(user, "units.list"):
        rounds = restrict(Round.objects.all(), user)
        teams = restrict(Team.objects.all(), user)
    else:
        rounds = Round.objects.filter(id__in=visible_items.values("round_id"))
        teams = Team.objects.filter(id__in=visible_items.values("team_id"))

    @cache
    def round_options() -> list[tuple[Any, str]]:
        return [("", "全部"), *((r.pk, r.name) for r in rounds.order_by("-start_date", "-id"))]

    @cache
    def team_options() -> list[tuple[Any, str]]:
        ordered = teams.select_related("round").order_by("-round__start_date", "number", "id")
        return [("", "全部"), *((t.pk, f"{t.round.name} · {t.name}") for t in ordered)]

    return round_options, team_options


class ListFilters(forms.Form):
    """A list's filter form (mix in with :class:`xuncha.common.periods.PeriodFilter`
    where the list also filters by year or term)."""

    def filters(self) -> dict[str, Any] | None:
        """The cleaned filters, or None when the form is invalid (the list then shows
        nothing but the errors: an unchecked filter must not silently show everything)."""
        if not self.is_bound:
            return {}
        if not self.is_valid():
            return None
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}

    def results(self, search: Callable[..., QuerySet[Any]], **context: Any) -> QuerySet[Any]:
        """``search(**context, **filters)``: the list as filtered, none of it when the
        filter is invalid."""
        filters = self.filters()
        items = search(**context, **(filters or {}))
        return items if filters is not None else items.none()

    def round_name(self) -> str:
        """The name of the round filtered on, "" for none (an export's file name says it)."""
        return ""


class SharedFilters(ListFilters):
    """Fields both lists add to their own: keyword, unit search, round, team, amount
    range. A list's form names its ``model``: a unit user's round and team options are
    those of the rows of it they may see."""

    model: ClassVar[type[Model]]

    q = forms.CharField(label="关键词", required=False)
    unit = forms.CharField(label="单位（含下属）", required=False, max_length=100)
    round_id = forms.TypedChoiceField(label="轮次", required=False, coerce=int, empty_value=None)
    team_id = forms.TypedChoiceField(label="巡察组", required=False, coerce=int, empty_value=None)
    amount_min = forms.DecimalField(label="金额从（元）", required=False, min_value=0,
                                    max_digits=14, decimal_places=2)  # fmt: skip
    amount_max = forms.DecimalField(label="至（元）", required=False, min_value=0,
                                    max_digits=14, decimal_places=2)  # fmt: skip

    def __init__(self, data: QueryDict | None, *, user: User) -> None:
        super().__init__(data or None)
        visible = restrict(self.model._default_manager.all(), user)
        rounds, teams = _choice_options(user, visible)
        invalid = "所选{}不存在或您无权查看。"
        for name, options, what in (("round_id", rounds, "轮次"), ("team_id", teams, "巡察组")):
            field = self.fields[name]
            field.choices = options  # type: ignore[attr-defined]  # a callable: read when iterated
            field.error_messages["invalid_choice"] = invalid.format(what)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", "金额上限不能小于下限。")
        return data

    def active(self) -> bool:
        return bool(self.filters())

    def round_name(self) -> str:
        """The name of the round filtered on ("" for none): an export's file name says it."""
        round_id = (self.filters() or {}).get("round_id")
        if not round_id:
            return ""
        return str(dict(self.fields["round_id"].choices).get(round_id, ""))  # type: ignore[attr-defined]


def list_query(data: QueryDict) -> str:
    """The list's filter as a query string (no page number, no one-off flags)."""
    query = data.copy()
    for key in ("page", "unmask"):
        query.pop(key, None)
    return query.urlencode()


def with_list_query(url: str, data: QueryDict) -> str:
    """``url`` carrying the list's filter (:func:`list_query`) of ``data``."""
    query = list_query(data)
    return f"{url}?{query}" if query else url


# Previous / next -----------------------------------------------------------------------


@dataclass(frozen=True)
class Order:
    """A list's order: one field (nullable or not) then the primary key, same direction."""

    field: str
    descending: bool = False
    nulls_last: bool = True

    def by(self, reverse: bool = False) -> list[OrderBy]:
        desc = self.descending != reverse
        nulls = {"nulls_last": True} if self.nulls_last != reverse else {"nulls_first": True}
        key = F(self.field).desc(**nulls) if desc else F(self.field).asc(**nulls)
        return [key, F("pk").desc() if desc else F("pk").asc()]

    def after(self, obj: Model, reverse: bool = False) -> Q:
        """The rows after ``obj`` in this order (before it when ``reverse``), whether
        or not ``obj`` itself is still in the list: a stale item still has neighbours."""
        return reduce(operator.or_, (q for q, _ in self.parts_after(obj, reverse)))

    def parts_after(self, obj: Model, reverse: bool = False) -> list[tuple[Q, list[OrderBy]]]:
        """:meth:`after` cut into parts, nearest first, each a condition an index on
        (field, pk) answers as a range, with the order that reads it from ``obj`` on:
        rows tied with ``obj`` on the field, rows beyond its value, then the NULLs when
        they come after. The first row of the first non-empty part is the neighbour."""
        desc = self.descending != reverse
        nulls_last = self.nulls_last != reverse
        cmp = "lt" if desc else "gt"
        by = self.by(reverse)
        pk_only = [by[1]]
        value = getattr(obj, self.field)
        if value is None:
            parts = [(Q(**{f"{self.field}__isnull": True, f"pk__{cmp}": obj.pk}), pk_only)]
            if not nulls_last:
                parts.append((Q(**{f"{self.field}__isnull": False}), by))
            return parts
        parts = [(Q(**{self.field: value, f"pk__{cmp}": obj.pk}), pk_only),
                 (Q(**{f"{self.field}__{cmp}": value}), by)]  # fmt: skip
        if nulls_last:
            parts.append((Q(**{f"{self.field}__isnull": True}), pk_only))
        return parts


@dataclass(frozen=True)
class Neighbours:
    """Where an item stands in a filtered list: for the prev/next bar
    (common/prevnext.html)."""

    previous: int | None
    next: int | None
    position: int  # 1-based: where it stands (or would stand, if it left the list)
    total: int
    in_list: bool
    query: str  # the list's filter, carried on every link
    list_url: str
    detail: str = ""  # the item page's URL name
    noun: str = "此项"  # 此事项, 此疑点: for the stale-link message
    invalid: bool = False  # the carried filter does not validate
    save_form: str = ""  # id of a form the bar may submit with "save, then next"

    @property
    def suffix(self) -> str:
        return f"?{self.query}" if self.query else ""

    @property
    def previous_url(self) -> str:
        return reverse(self.detail, args=[self.previous]) + self.suffix if self.previous else ""

    @property
    def next_url(self) -> str:
        return reverse(self.detail, args=[self.next]) + self.suffix if self.next else ""

    @property
    def back_url(self) -> str:
        return self.list_url + self.suffix


def neighbours(items: QuerySet[Any], obj: Model, order: Order, **about: Any) -> Neighbours:
    """The items before and after ``obj`` in ``items`` (two queries, whatever the size
    of the list or where ``obj`` stands in it); ``about`` fills the rest of
    :class:`Neighbours` (query, list_url, detail, noun)."""
    from django.db.models import Count, Subquery

    before = order.after(obj, reverse=True)
    counts = items.order_by().aggregate(
        total=Count("pk"), before=Count("pk", filter=before), here=Count("pk", filter=Q(pk=obj.pk))
    )
    # Each part's first row as a scalar subquery, all in one row read beside ``obj``:
    # every part reads an index range from ``obj`` on, instead of the whole list.
    firsts = {f"{side}{i}": Subquery(items.filter(q).order_by(*by).values("pk")[:1])
              for side, reverse in (("p", True), ("n", False))
              for i, (q, by) in enumerate(order.parts_after(obj, reverse))}  # fmt: skip
    row = type(obj)._base_manager.filter(pk=obj.pk).values(**firsts).get()

    def first(side: str) -> int | None:
        return next((row[k] for k in firsts if k.startswith(side) and row[k] is not None), None)

    return Neighbours(
        previous=first("p"),
        next=first("n"),
        position=counts["before"] + 1,
        total=counts["total"],
        in_list=bool(counts["here"]),
        **about,
    )


def invalid_neighbours(**about: Any) -> Neighbours:
    """The bar when the carried filter does not validate: a message and the list link."""
    return Neighbours(None, None, 0, 0, False, invalid=True, **about)
