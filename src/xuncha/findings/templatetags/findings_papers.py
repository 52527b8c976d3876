"""Working-paper counts for pages outside this app (the round page): per unit, how many
findings have a fully signed paper out of all, each number a link to the findings list.

``{% load findings_papers %}{% round_paper_counts round as papers %}`` once, then
``{% paper_count papers a %}`` for each assignment ``a``."""

from __future__ import annotations

from typing import Any

from django import template

from xuncha.findings.selectors import paper_counts

register = template.Library()


@register.simple_tag
def round_paper_counts(round_: Any) -> dict[int, tuple[int, int]]:
    """(signed, total) per unit of the round, in one query."""
    return paper_counts(round_id=round_.pk)


@register.inclusion_tag("findings/_paper_count.html")
def paper_count(counts: dict[int, tuple[int, int]], assignment: Any) -> dict[str, Any]:
    signed, total = counts.get(assignment.unit_id, (0, 0))
    return {"a": assignment, "signed": signed, "total": total}
