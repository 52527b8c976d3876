"""One page of a list, and the query string that keeps its filters across pages."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def paginate(request: HttpRequest, items: QuerySet[Any], size: int) -> dict[str, Any]:
    """``page`` and ``query`` for common/pager.html (a bad page number gives page 1)."""
    page: Page[Any] = Paginator(items, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": page, "query": query.urlencode()}
