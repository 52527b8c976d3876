"""Reads of findings, through the one access policy."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from xuncha.accounts.access import restrict
from xuncha.accounts.models import User
from xuncha.planning.models import Assignment

from .models import Finding


def finding_list(*, user: User, q: str = "", category: str = "", source: str = "",
                 round_id: int | None = None) -> QuerySet[Finding]:  # fmt: skip
    findings = restrict(Finding.objects.all(), user).select_related("unit", "round", "team")
    if q:
        findings = findings.filter(Q(description__icontains=q) | Q(unit__name__icontains=q))
    if category:
        findings = findings.filter(category=category)
    if source:
        findings = findings.filter(source=source)
    if round_id:
        findings = findings.filter(round_id=round_id)
    return findings.order_by("-created_at", "-id")


def finding_detail(*, user: User, pk: int) -> Finding:
    return get_object_or_404(
        restrict(Finding.objects.all(), user).select_related(
            "unit", "round", "team", "recorded_by"
        ),
        pk=pk,
    )


def assignments_for(user: User) -> QuerySet[Assignment]:
    """The assignments the user may record work for (own teams; all for the office)."""
    return restrict(Assignment.objects.all(), user, "change").select_related(
        "unit", "team", "round"
    )
