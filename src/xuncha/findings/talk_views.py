"""The talk list (个别谈话): the records behind the figures page's talk count.

Talks are read as the access policy allows on a unit's work page: the office all of
them, a team its own, the supervisor all (read only). The leader and a unit count talks
on the figures page but read none: the list is a 404 for them, as if it did not exist."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from xuncha.accounts.access import user_of
from xuncha.common.filters import FILTER_ERROR, SharedFilters
from xuncha.common.pagination import paginate
from xuncha.common.periods import PeriodFilter

from . import selectors
from .models import Talk

PAGE_SIZE = 50


class TalkFilterForm(SharedFilters, PeriodFilter):
    """Unit (with its subordinates), round, team, year or term, and a name or position."""

    model = Talk
    # Talks have no amount: None removes an inherited field (Django's way).
    amount_min = None  # type: ignore[assignment]
    amount_max = None  # type: ignore[assignment]
    field_order = ["unit", "q", "round_id", "team_id", "year", "term"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].label = "谈话对象或职务"


@login_required
def talk_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not selectors.may_list_talks(user):
        raise Http404
    form = TalkFilterForm(request.GET, user=user)
    talks = form.results(selectors.talk_search, user=user)
    return render(request, "findings/talk_list.html", {
        "form": form, "filter_error": FILTER_ERROR if form.errors else "",
        "period": form.period_label(), **paginate(request, talks, PAGE_SIZE),
    })  # fmt: skip
