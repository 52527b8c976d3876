"""One page of a list, and the query string that keeps its filters across pages."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def paginate(request: HttpRequest, items: QuerySet[Any], size: int) -> dict[str, Any]:
    """``page`` and ``query`` for common/pager.html (a bad page number gives page 1).

    The page is found in two steps (a "deferred join"): the filtered, ordered ids of the
    page first, then those rows with their related rows. A deep page (``?page=500``)
    then skips ids, not rows joined to their unit, round and finding, so its time does
    not grow with its depth."""
    ids: QuerySet[Any] = items.values_list("pk", flat=True)
    page: Page[Any] = Paginator(ids, size).get_page(request.GET.get("page"))
    wanted = list(page.object_list)
    rows = {row.pk: row for row in items.filter(pk__in=wanted)}
    page.object_list = [rows[pk] for pk in wanted if pk in rows]
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": page, "query": query.urlencode()}
