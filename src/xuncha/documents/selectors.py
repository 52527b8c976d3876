"""What the documents read: a round's assignments and, for one inspected unit, the
team's talks, petitions, findings, leads, immediate items, recommendations, ledger and
cross-check figures. Every document kind (:mod:`xuncha.documents.kinds`) reads the data
through these functions, so a figure printed in a document has one query behind it,
named in the report's ``figures`` as its source."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Min, Prefetch, Q, QuerySet, Sum

from xuncha.accounts.access import document_kind_allowed, documents_scope
from xuncha.accounts.models import User
from xuncha.findings.choices import Category
from xuncha.findings.models import Finding, ImmediateItem, Lead, Recommendation, Talk
from xuncha.planning.models import Assignment, MemberRole, Round, TeamMember
from xuncha.units.models import Unit


def round_by_number(number: int) -> Round | None:
    """The round numbered ``number`` (第N轮); when several terms have one, the newest's."""
    return Round.objects.filter(number=number).order_by("-term__start_year", "-start_date").first()


def unit_by_key(key: str) -> Unit | None:
    """A unit by its code, its id or its exact name (None when none or several match)."""
    key = key.strip()
    found = Unit.objects.filter(code=key).first()
    if found is None and key.isdigit():
        found = Unit.objects.filter(pk=int(key)).first()
    if found is None:
        named = list(Unit.objects.filter(name=key)[:2])
        found = named[0] if len(named) == 1 else None
    return found


def round_assignments(*, round: Round, unit: Unit | None = None) -> list[Assignment]:
    """The round's inspected units (one, when ``unit`` is given) in unit-code order."""
    assignments = Assignment.objects.filter(round=round).select_related("unit", "team", "round")
    if unit is not None:
        assignments = assignments.filter(unit=unit)
    return list(assignments.order_by("unit__code", "id"))


def may_generate(user: User, a: Assignment, kind: str) -> bool:
    """Whether the access policy lets ``user`` generate ``kind`` on the assignment's unit
    (:func:`~xuncha.accounts.access.documents_scope`)."""
    scope = documents_scope(user, round_id=a.round_id, unit_id=a.unit_id)
    return document_kind_allowed(scope, kind)


def _mine(a: Assignment) -> dict[str, int]:
    return {"round_id": a.round_id, "team_id": a.team_id, "unit_id": a.unit_id}


def category_order() -> dict[str, int]:
    """The three focuses in their declared order (the report groups problems so)."""
    return {value: n for n, value in enumerate(Category.values)}


def findings(a: Assignment) -> list[Finding]:
    """The team's findings on the unit, grouped by the three focuses in their order,
    each with its working paper (and signers), evidence files and ledger item."""
    rows = (
        Finding.objects.filter(**_mine(a))
        .select_related(
            "paper__handler_signed_by", "paper__deputy_signed_by", "paper__leader_signed_by"
        )
        .prefetch_related("evidence")
        .order_by("id")
    )
    order = category_order()
    return sorted(rows, key=lambda f: (order.get(f.category, len(order)), f.pk))


def talk_count(a: Assignment) -> int:
    """Individual talks the team held on the unit (个别谈话, 人次)."""
    return Talk.objects.filter(**_mine(a)).count()


def petition_counts(a: Assignment) -> dict[str, int]:
    """Petitions the team received about the unit in the round, per channel and in all."""
    from xuncha.petitions.models import Petition

    rows = (
        Petition.objects.filter(round_id=a.round_id, unit_id=a.unit_id)
        .order_by()
        .values("channel")
        .annotate(n=Count("id"))
    )
    counts = {r["channel"]: r["n"] for r in rows}
    counts["total"] = sum(counts.values())
    return counts


def leads(a: Assignment) -> list[Lead]:
    """The team's leads on the unit, in the order they were handed over."""
    return list(
        Lead.objects.filter(**_mine(a)).select_related("finding").order_by("handed_on", "id")
    )


def immediate_items(a: Assignment) -> list[ImmediateItem]:
    """The unit's immediate-rectification items, by deadline."""
    return list(ImmediateItem.objects.filter(**_mine(a)).order_by("deadline", "id"))


def recommendations(a: Assignment) -> list[Recommendation]:
    """The team's recommendations to the unit, in their order, with the findings each
    answers."""
    return list(
        Recommendation.objects.filter(**_mine(a))
        .prefetch_related(Prefetch("findings", queryset=Finding.objects.only("id")))
        .order_by("order", "id")
    )


def team_leaders(a: Assignment) -> dict[str, list[str]]:
    """The team's leader and deputies by name (``"leader"``, ``"deputy"``)."""
    members = TeamMember.objects.filter(
        team_id=a.team_id, role__in=[MemberRole.LEADER, MemberRole.DEPUTY]
    ).select_related("cadre")
    out: dict[str, list[str]] = {MemberRole.LEADER: [], MemberRole.DEPUTY: []}
    for m in members.order_by("id"):
        out[m.role].append(m.cadre.name)
    return out


def crosscheck_totals(a: Assignment) -> dict[str, Any]:
    """The team's cross-check figures (every suspect key once, at its latest verdict):
    the team's data cross-checks cover its round, not one unit alone."""
    from xuncha.checks.models import CheckRun
    from xuncha.checks.selectors import verified_totals

    runs = CheckRun.objects.filter(team_id=a.team_id)
    return verified_totals(runs, per_key=True)


def ledger_items(a: Assignment) -> QuerySet[Any]:
    """The unit's ledger items of the round (整改台账), in the ledger's order, with the
    finding each rectifies."""
    from xuncha.rectifications.models import RectificationItem

    return (
        RectificationItem.objects.filter(round_id=a.round_id, unit_id=a.unit_id)
        .select_related("finding", "unit")
        .order_by("deadline", "id")
    )


def latest_progress(items: QuerySet[Any]) -> dict[int, str]:
    """Each item's latest progress report text (the ledger's 整改进展)."""
    from xuncha.rectifications.selectors import item_export_rows

    return {i.pk: getattr(i, "progress", None) or "" for i in item_export_rows(items)}


def rules_made(a: Assignment) -> int:
    """Rules the unit made or revised in rectifying the round's items (建章立制)."""
    from xuncha.rectifications.models import RuleMade

    return RuleMade.objects.filter(round_id=a.round_id, unit_id=a.unit_id).count()


def intake_code(a: Assignment) -> Any:
    """The team's 码上巡察 channel for the unit in the round (a unit's own code first,
    else the team-wide one), or None."""
    from xuncha.petitions.models import IntakeCode

    codes = IntakeCode.objects.filter(round_id=a.round_id, team_id=a.team_id, active=True)
    codes = codes.filter(Q(unit_id=a.unit_id) | Q(unit__isnull=True))
    return codes.order_by(F("unit_id").asc(nulls_last=True), "-opens_on", "-id").first()


def feedback_day(a: Assignment) -> dt.date | None:
    """The day the team first fed findings back to the unit in the round, or None."""
    day: dt.date | None = Finding.objects.filter(**_mine(a)).aggregate(d=Min("fed_back_on"))["d"]
    return day


def feedback_number(a: Assignment, day: dt.date) -> int:
    """The feedback's number in its year (〔year〕N号): its place among the rounds'
    units first fed back that year, in the order of that first day (then round and unit).
    Derived from the data, so generating again gives the same number; a feedback not yet
    given (no finding fed back) comes after every one given up to ``day``."""
    firsts = (
        Finding.objects.filter(fed_back_on__year=day.year)
        .order_by()
        .values("round_id", "unit_id")
        .annotate(first=Min("fed_back_on"))
    )
    key = (day, a.round_id, a.unit_id)
    before = sum(1 for r in firsts if (r["first"], r["round_id"], r["unit_id"]) < key)
    return before + 1


def amount_total(rows: list[Finding]) -> Decimal:
    return sum((f.amount for f in rows), Decimal(0))


def recovered_total(a: Assignment) -> Decimal:
    """Money recovered on the unit's ledger items of the round."""
    total: Decimal | None = ledger_items(a).aggregate(s=Sum("money_recovered"))["s"]
    return total or Decimal(0)
