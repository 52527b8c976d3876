"""Reads of petitions, through the one access policy. Content and identity are
decrypted only here, and only after the read has been logged by the caller."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from xuncha.accounts.access import restrict
from xuncha.accounts.models import Role, User
from xuncha.planning.models import Team

from . import vault
from .models import Access, IntakeCode, Petition


def petition_list(*, user: User, team_id: int | None = None, channel: str = "", stage: str = "",
                  category: str = "", overdue: bool = False, number: str = "") -> QuerySet[Petition]:  # fmt: skip
    petitions = restrict(Petition.objects.all(), user).select_related(
        "team", "round", "unit", "handler"
    )
    if team_id:
        petitions = petitions.filter(team_id=team_id)
    if channel:
        petitions = petitions.filter(channel=channel)
    if stage == "new":
        petitions = petitions.filter(disposition="", handler__isnull=True)
    elif stage == "handling":
        petitions = petitions.filter(disposition="", handler__isnull=False)
    elif stage == "done":
        petitions = petitions.exclude(disposition="")
    if category:
        petitions = petitions.filter(category=category)
    if overdue:
        petitions = petitions.filter(responded_at__isnull=True, respond_by__lt=timezone.localdate())
    if number:
        digits = "".join(ch for ch in number if ch.isdigit())
        petitions = petitions.filter(pk=int(digits)) if digits else petitions.none()
    return petitions.order_by("-received_on", "-id")


def inbox_counts(*, user: User) -> dict[str, int]:
    today = timezone.localdate()
    counts: dict[str, int] = restrict(Petition.objects.all(), user).aggregate(
        new=Count("id", filter=Q(disposition="", handler__isnull=True)),
        overdue=Count("id", filter=Q(responded_at__isnull=True, respond_by__lt=today)),
        due_soon=Count("id", filter=Q(responded_at__isnull=True,
                                      respond_by__range=(today, today + dt.timedelta(days=3)))),
    )  # fmt: skip
    return counts


def petition_detail(*, user: User, pk: int) -> Petition:
    return get_object_or_404(
        restrict(Petition.objects.all(), user).select_related(
            "team", "round", "unit", "handler", "intake", "finding", "lead", "duplicate_of"
        ),
        pk=pk,
    )


def content(petition: Petition) -> dict[str, str]:
    value: dict[str, str] = vault.unseal_json(petition.content)
    return value


def identity(petition: Petition) -> dict[str, str] | None:
    value: dict[str, str] | None = vault.unseal_json(petition.identity)
    return value


def reads(petition: Petition) -> QuerySet[Access]:
    return petition.reads.select_related("user", "attachment")


def handlers(petition: Petition) -> QuerySet[User]:
    """Who may be made the handler: the team's members and the office."""
    return (
        User.objects.filter(
            Q(role=Role.TEAM, cadre__teammember__team_id=petition.team_id) | Q(role=Role.OFFICE),
            is_active=True,
        )
        .distinct()
        .order_by("role", "username")
    )


def teams_for(user: User) -> QuerySet[Team]:
    """Teams whose petitions the user may record or whose QR codes they may make."""
    return (
        restrict(Team.objects.all(), user, "change")
        .select_related("round")
        .order_by("-round__start_date", "name")
    )


def intake_list(*, user: User) -> QuerySet[IntakeCode]:
    return (
        restrict(IntakeCode.objects.all(), user)
        .select_related("team", "round", "unit")
        .annotate(received=Count("petitions"))
    )


def intake_detail(*, user: User, pk: int) -> IntakeCode:
    return get_object_or_404(
        restrict(IntakeCode.objects.all(), user).select_related("team", "round", "unit"), pk=pk
    )


def related_choices(petition: Petition, user: User) -> QuerySet[Any]:
    return restrict(Petition.objects.filter(team_id=petition.team_id), user).exclude(pk=petition.pk)
