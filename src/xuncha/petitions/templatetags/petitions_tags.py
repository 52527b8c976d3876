"""Template tags other apps' pages call to show petition facts without their views
knowing about petitions: ``{% include "petitions/_finding_sources.html" %}``."""

from __future__ import annotations

from typing import Any

from django import template

from xuncha.findings.models import Finding

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def finding_sources(context: Any, finding: Finding) -> selectors.FindingSources:
    """``{% finding_sources finding as sources %}``: the petitions the finding came
    from that the page's user may open (none for those who may not)."""
    return selectors.finding_sources(user=context["user"], finding=finding)
