"""Reads of the escalation app: where each major finding sits in its chain."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from .models import Escalation, HopStatus, MajorFinding, ReceivedMajorFinding, TrustedSender


@dataclass(frozen=True)
class Position:
    """Where a finding sits: its last hop (None when not yet reported up) in words."""

    text: str
    hop: Escalation | None


def position_of(hops: list[Escalation], before: list[dict[str, str]] | None = None) -> Position:
    if not hops:
        if before:
            return Position(f"已由{before[-1].get('from_office', '')}呈报至本单位", None)
        return Position("未呈报", None)
    hop = hops[-1]
    if hop.status == HopStatus.SENT:
        return Position(f"已呈报至{hop.to_office}，待签收", hop)
    who = f"{hop.to_office} {hop.received_by}".strip()
    return Position(f"{who} 已{'签收' if hop.status == HopStatus.RECEIVED else '阅处'}", hop)


def majors() -> QuerySet[MajorFinding]:
    return MajorFinding.objects.select_related(
        "finding__unit", "finding__round", "marked_by"
    ).prefetch_related("hops")


def received_findings() -> QuerySet[ReceivedMajorFinding]:
    return ReceivedMajorFinding.objects.select_related(
        "bundle", "bundle__received_by"
    ).prefetch_related("hops")


def senders() -> QuerySet[TrustedSender]:
    return TrustedSender.objects.select_related("registered_by")
