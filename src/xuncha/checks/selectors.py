"""Reads of the cross-check workbench, each narrowed to what the user may see."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.http import QueryDict
from django.urls import reverse

from xuncha.accounts.access import allowed, restrict
from xuncha.accounts.models import User
from xuncha.common.choices import badge_parts
from xuncha.common.filters import Neighbours, Order, invalid_neighbours, list_query, neighbours
from xuncha.planning.models import Assignment, Team

from .models import CheckRun, Dataset, RunStatus, Suspect, Unmasking, Verdict


def teams_for(user: User) -> QuerySet[Team]:
    """Teams whose cross-check the user works on: the office every team, a team member
    their own; nobody else (supervisors and leaders read figures only)."""
    teams = Team.objects.select_related("round").order_by("-round__start_date", "number", "id")
    return restrict(teams, user) if allowed(user, "checks.open") else teams.none()


def datasets(*, user: User, team: Team) -> QuerySet[Dataset]:
    return restrict(Dataset.objects.filter(team=team, retired=False), user).select_related(
        "uploaded_by"
    )


def runs(*, user: User, team: Team) -> QuerySet[CheckRun]:
    return restrict(CheckRun.objects.filter(team=team), user).select_related("created_by")


def visible_datasets(user: User) -> QuerySet[Dataset]:
    """Datasets the user may open, with the team and round their page names."""
    return restrict(Dataset.objects.select_related("team__round"), user)


def visible_runs(user: User) -> QuerySet[CheckRun]:
    """Runs the user may open, with what their pages name (team, round, who started)."""
    return restrict(CheckRun.objects.select_related("team__round", "created_by"), user)


def visible_suspects(user: User) -> QuerySet[Suspect]:
    """Suspects the user may open, with their run, team, round, finding and verifier."""
    return restrict(
        Suspect.objects.select_related("run__team__round", "finding", "verified_by"), user
    )


def last_done_run(*, user: User, team: Team) -> CheckRun | None:
    """The team's latest completed run (its parameters are shown beside the run form)."""
    return runs(user=user, team=team).filter(status=RunStatus.DONE).first()


def busy_run(*, user: User, team: Team) -> CheckRun | None:
    """The team's run still queued or running, if any."""
    return (
        runs(user=user, team=team).filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).first()
    )


def run_progress(run: CheckRun) -> dict[str, Any]:
    """What the run page's script shows while the run works: the status with its label
    and tone as :class:`RunStatus` declares them (the script keeps no table of its own),
    whether it has finished, the progress, the step and any error."""
    label, tone = badge_parts(run.status, "run")
    return {"status": run.status, "label": label, "tone": tone, "finished": run.finished,
            "progress": run.progress, "step": run.step, "error": run.error}  # fmt: skip


def team_assignments(run: CheckRun) -> QuerySet[Assignment]:
    """The units the run's team inspects: where a finding from its suspects may go.
    The run was read through :func:`visible_runs`, so its team is one the user works on."""
    return Assignment.objects.filter(team_id=run.team_id).select_related("unit")


def suspect_group(suspect: Suspect, limit: int = 50) -> list[Suspect]:
    """The other suspects of the same rule and group in the run (e.g. the payments of
    one duplicate), for a suspect with no register row to show."""
    if not suspect.group_id:
        return []
    return list(
        Suspect.objects.filter(run_id=suspect.run_id, rule=suspect.rule, group_id=suspect.group_id)
        .exclude(pk=suspect.pk)
        .order_by("number")[:limit]
    )


def unmasking_log(suspect: Suspect, limit: int = 20) -> QuerySet[Unmasking]:
    """Who saw the suspect's full ID number and account, newest first."""
    return Unmasking.objects.filter(suspect=suspect).select_related("user")[:limit]


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
    return qs.order_by(*SUSPECTS_ORDER.by())


SUSPECTS_ORDER = Order("number", descending=False, nulls_last=True)
"""The suspect list's order (:func:`suspect_list`), which previous/next follows."""


def suspect_neighbours(
    *, user: User, suspect: Suspect, data: QueryDict, save_form: str = ""
) -> Neighbours:
    """The previous and next suspects of the run's suspect list filtered as ``data``
    (the list's query string carried to the suspect page): verifying one after another
    never needs the list."""
    from .forms import FilterForm  # forms import services, which import these selectors

    run = suspect.run
    about = {"query": list_query(data), "list_url": reverse("checks:suspects", args=[run.pk]),
             "detail": "checks:suspect", "noun": "此疑点", "save_form": save_form}  # fmt: skip
    form = FilterForm(data or None, counties=choices(run, "county"), files=choices(run, "file"))
    if form.is_bound and not form.is_valid():
        return invalid_neighbours(**about)
    filters = form.cleaned_data if form.is_bound else {}
    items = suspect_list(user=user, run=run, **filters)
    return neighbours(items, suspect, SUSPECTS_ORDER, **about)


def choices(run: CheckRun, field: str) -> list[str]:
    """The distinct values of a suspect column in a run (for the filter lists)."""
    values = Suspect.objects.filter(run=run).exclude(**{field: ""}).values_list(field, flat=True)
    return sorted(set(values.order_by().distinct()))


MARKED = Q(verified_at__isnull=False) | Q(finding__isnull=False)
"""A suspect whose row holds a verdict: verified (even back to 待核实) or in a finding."""


def _same_key(**extra: Any) -> QuerySet[Suspect]:
    return Suspect.objects.filter(
        run__team_id=OuterRef("run__team_id"), run__status=RunStatus.DONE, key=OuterRef("key"),
        **extra,
    )  # fmt: skip


def current_suspects(suspects: QuerySet[Suspect]) -> QuerySet[Suspect]:
    """Of ``suspects``, the rows that hold their key's verdict within the team: the
    latest completed run's row that was verified or rolled into a finding, or, for a key
    never verified, its latest row. One row per key and team, whatever the runs in
    between looked at, so a narrow re-run never hides what a full run before it had."""
    later = _same_key(run__number__gt=OuterRef("run__number"))
    unmarked = Q(verified_at__isnull=True) & Q(finding__isnull=True)
    return suspects.filter(
        (MARKED & ~Exists(later.filter(MARKED)))
        | (unmarked & ~Exists(_same_key().filter(MARKED)) & ~Exists(later))
    )


def later_occurrence(suspect: Suspect) -> Suspect | None:
    """The same suspect in the team's latest completed run after ``suspect``'s run, if
    any: where its verification now belongs."""
    return (
        Suspect.objects.filter(
            run__team_id=suspect.run.team_id, run__status=RunStatus.DONE, key=suspect.key,
            run__number__gt=suspect.run.number,
        )
        .select_related("run")
        .order_by("-run__number")
        .first()
    )  # fmt: skip


def verification_history(suspect: Suspect, limit: int = 20) -> QuerySet[Any]:
    """Every recorded change of the suspect's verification, in whichever of the team's
    runs it was made (a re-run carries the verdict, the record stays where it was made)."""
    rows = Suspect.objects.filter(run__team_id=suspect.run.team_id, key=suspect.key)
    return (
        Suspect.history.filter(id__in=rows.values("id"))
        .select_related("history_user", "run")
        .order_by("-history_date")[:limit]
    )


def verified_totals(runs: Any, *, per_key: bool = False) -> dict[str, Any]:
    """Counts and money over the suspects of the given runs (a run's page), or with
    ``per_key`` each suspect key of the runs' teams once, at its latest verdict
    (:func:`current_suspects`; the figures: re-running never lowers them)."""
    suspects = Suspect.objects.filter(run__in=runs)
    if per_key:
        suspects = current_suspects(suspects.filter(run__status=RunStatus.DONE))
    agg = suspects.aggregate(
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


def run_rows(run: CheckRun) -> dict[str, Any]:
    """The payment rows a run's suspects are on, each once however many rules hit it
    (as the workbook's 合计 counts them): how many, and their amount (each row's amount
    once; the per-rule amounts added up would count a row hit by two rules twice)."""
    rows = (
        Suspect.objects.filter(run=run).order_by()
        .values("file", "sheet", "row").annotate(row_amount=Max("amount"))
    )  # fmt: skip
    agg = rows.aggregate(rows=Count("row"), amount=Sum("row_amount"))
    return {"rows": agg["rows"], "amount": agg["amount"] or Decimal(0)}


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
