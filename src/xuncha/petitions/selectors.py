"""Reads of petitions, through the one access policy. Content and identity are
decrypted only here, and only after the read has been logged by the caller."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from xuncha.accounts.access import allowed, restrict
from xuncha.accounts.models import Role, User
from xuncha.common.widgets import path_related
from xuncha.findings.choices import Source
from xuncha.findings.models import Finding
from xuncha.planning.models import Assignment, Team
from xuncha.planning.selectors import in_period
from xuncha.units.models import Unit

from . import services, vault
from .models import Access, Attachment, EvidenceCopy, IntakeCode, Message, Petition


def petition_list(*, user: User, team_id: int | None = None, channel: str = "", stage: str = "",
                  category: str = "", overdue: bool = False, number: str = "",
                  year: int | None = None, term: int | None = None,
                  to_finding: bool = False) -> QuerySet[Petition]:  # fmt: skip
    """The inbox. ``year`` / ``term`` (the round began then, as the figures page counts
    petitions) and ``to_finding`` (turned into a finding) are the figures' drill-downs."""
    petitions = restrict(Petition.objects.all(), user).select_related(
        "team", "round", "unit", "handler"
    )
    petitions = in_period(petitions, year=year, term=term)
    if to_finding:
        petitions = petitions.filter(finding__isnull=False)
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
        .order_by("-round__start_date", "number", "id")
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


def related_choice(petition: Petition, user: User, pk: int) -> Petition | None:
    """Another petition of the same team, by number, that the user may see."""
    found: Petition | None = related_choices(petition, user).filter(pk=pk).first()
    return found


def team_units(petition: Petition) -> QuerySet[Unit]:
    """The units the petition may be about: its team's assignments, with their superiors
    for the unit picker's paths (one query for the whole list)."""
    assigned = Assignment.objects.filter(team_id=petition.team_id).values("unit_id")
    return Unit.objects.filter(pk__in=assigned).select_related(*path_related()).order_by("code")


def intake_assignments(user: User) -> QuerySet[Assignment]:
    """Assignments the user may make a unit's QR code for."""
    return restrict(Assignment.objects.all(), user, "change").select_related("team", "unit")


def thread(petition: Petition, *, staff: bool = True) -> list[tuple[Message, str]]:
    """The exchange with the petitioner, decrypted (staff: log the read first; the
    public page passes ``staff=False`` and gets no staff names)."""
    messages = petition.messages.select_related("sent_by") if staff else petition.messages.all()
    return [(m, services.message_body(m)) for m in messages]


def related(petition: Petition) -> QuerySet[Petition]:
    return petition.related.all()


def duplicates(petition: Petition) -> QuerySet[Petition]:
    return petition.duplicates.all()


def attachment_detail(*, user: User, pk: int) -> Attachment:
    """An attachment of a petition the user may see; 404 otherwise."""
    visible = restrict(Petition.objects.all(), user).values("pk")
    return get_object_or_404(
        Attachment.objects.select_related("petition").filter(petition__in=visible), pk=pk
    )


@dataclass(frozen=True)
class AttachmentRow:
    """An attachment as the petition page lists it."""

    attachment: Attachment
    name: str  # the petitioner's file name (decrypted; staff only)
    evidence_name: str  # the neutral name it gets as evidence
    evidence_ok: bool  # a kind evidence accepts
    attached: bool  # already evidence of the petition's finding


def attachments(petition: Petition) -> list[AttachmentRow]:
    """The petition's attachments, numbered in order (信访附件1, 2, ...), with what each
    may become as evidence. Two queries, whatever the count."""
    attached: set[int] = set()
    if petition.finding_id is not None:
        copies = EvidenceCopy.objects.filter(
            attachment__petition=petition, finding_id=petition.finding_id
        )
        attached = set(copies.values_list("attachment_id", flat=True))
    rows = []
    for position, att in enumerate(petition.attachments.all(), 1):
        name = services.attachment_meta(att)["name"]
        rows.append(AttachmentRow(att, name, services.evidence_name(att, position),
                                  att.mime in services.EVIDENCE_MIMES, att.pk in attached))  # fmt: skip
    return rows


def evidence_choices(petition: Petition, rows: list[AttachmentRow]) -> tuple[QuerySet[Attachment], dict[int, str]]:  # fmt: skip
    """The attachments that may still be attached as evidence, and their labels."""
    open_rows = [r for r in rows if r.evidence_ok and not r.attached]
    labels = {r.attachment.pk: f"{r.evidence_name}（原文件：{r.name}）" for r in open_rows}
    return petition.attachments.filter(pk__in=labels), labels


@dataclass(frozen=True)
class FindingSources:
    """The petitions a finding came from, as the finding page shows them: links only
    for those who may open petitions, and never anything of their content."""

    from_petition: bool
    petitions: list[Petition]


def finding_sources(*, user: User, finding: Finding) -> FindingSources:
    """One query for those who may open petitions, none for anyone else."""
    if not allowed(user, "petitions.open"):
        return FindingSources(finding.source == Source.PETITION, [])
    petitions = list(restrict(Petition.objects.filter(finding=finding), user).order_by("id"))
    return FindingSources(finding.source == Source.PETITION or bool(petitions), petitions)
