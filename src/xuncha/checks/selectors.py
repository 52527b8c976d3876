"""Reads of the cross-check workbench, each narrowed to what the user may see."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum

from xuncha.accounts.access import restrict, team_ids
from xuncha.accounts.models import Role, User
from xuncha.planning.models import Team

from .models import CheckRun, Dataset, RunStatus, Suspect, Verdict


def teams_for(user: User) -> QuerySet[Team]:
    """Teams whose cross-check the user works on: the office every team, a team member
    their own; nobody else (supervisors and leaders read figures only)."""
    teams = Team.objects.select_related("round").order_by("-round__start_date", "name")
    if user.is_authenticated and user.role in (Role.OFFICE, Role.ADMIN):
        return teams
    if user.is_authenticated and user.role == Role.TEAM:
        return teams.filter(pk__in=team_ids(user))
    return teams.none()


def datasets(*, user: User, team: Team) -> QuerySet[Dataset]:
    return restrict(Dataset.objects.filter(team=team, retired=False), user).select_related(
        "uploaded_by"
    )


def runs(*, user: User, team: Team) -> QuerySet[CheckRun]:
    return restrict(CheckRun.objects.filter(team=team), user).select_related("created_by")


def suspect_list(
    *, user: User, run: CheckRun, rule: str = "", county: str = "", file: str = "",
    verdict: str = "", amount_min: Decimal | None = None, amount_max: Decimal | None = None,
    name: str = "",
) -> QuerySet[Suspect]:  # fmt: skip
    qs = restrict(Suspect.objects.filter(run=run), user)
    filters: dict[str, Any] = {"rule": rule, "county": county, "file": file, "verdict": verdict}
    qs = qs.filter(**{k: v for k, v in filters.items() if v})
    if amount_min is not None:
        qs = qs.filter(amount__gte=amount_min)
    if amount_max is not None:
        qs = qs.filter(amount__lte=amount_max)
    if name:
        qs = qs.filter(name__contains=name.strip())
    return qs.order_by("number")


def choices(run: CheckRun, field: str) -> list[str]:
    """The distinct values of a suspect column in a run (for the filter lists)."""
    values = Suspect.objects.filter(run=run).exclude(**{field: ""}).values_list(field, flat=True)
    return sorted(set(values.order_by().distinct()))


def latest_runs(runs: QuerySet[CheckRun]) -> QuerySet[CheckRun]:
    """Of ``runs``, each team's latest completed one (what the figures count)."""
    done = runs.filter(status=RunStatus.DONE)
    latest = done.filter(team=OuterRef("team")).order_by("-number").values("pk")[:1]
    return done.filter(pk=Subquery(latest))


def verified_totals(runs: Any) -> dict[str, Any]:
    """Counts and money over the suspects of the given runs (for pages and figures)."""
    agg = Suspect.objects.filter(run__in=runs).aggregate(
        total=Count("id"),
        confirmed=Count("id", filter=Q(verdict=Verdict.CONFIRMED)),
        rejected=Count("id", filter=Q(verdict=Verdict.REJECTED)),
        improper=Sum("improper_amount", filter=Q(verdict=Verdict.CONFIRMED)),
        recovered=Sum("recovered_amount", filter=Q(verdict=Verdict.CONFIRMED)),
        in_findings=Count("id", filter=Q(finding__isnull=False)),
    )
    agg["pending"] = agg["total"] - agg["confirmed"] - agg["rejected"]
    agg["improper"] = agg["improper"] or Decimal(0)
    agg["recovered"] = agg["recovered"] or Decimal(0)
    return agg


def reading_notes(run: CheckRun) -> list[dict[str, Any]]:
    """What reading the run's files left out or found damaged, per file and sheet, from
    its manifest: rows skipped (with the first row numbers) and data problems such as a
    repaired quote, an error cell or two ID columns, so the team sees on the run page
    what the CLI prints and every input row is accounted for."""
    notes = []
    for i in run.manifest.get("inputs", []):
        for s in i.get("sheets") or [{}]:
            skipped = [
                (reason, n, (s.get("rows_skipped_at") or {}).get(reason, []))
                for reason, n in (s.get("rows_skipped") or {}).items()
            ]
            problems = [(p["reason"], p["count"], p["rows"]) for p in s.get("problems") or []]
            error = s.get("error") or i.get("error")
            if skipped or problems or error:
                notes.append({"file": i["file"], "sheet": s.get("sheet", ""), "error": error,
                              "skipped": skipped, "problems": problems})  # fmt: skip
    return notes
