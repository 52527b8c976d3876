"""Reads of findings, through the one access policy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from xuncha.accounts.access import can, restrict
from xuncha.accounts.models import User
from xuncha.common.filters import keyword_q, narrow
from xuncha.common.models import Evidence
from xuncha.common.widgets import path_related
from xuncha.planning.models import Assignment
from xuncha.planning.selectors import in_period

from .choices import UNFED, ImmediateStatus, LeadResult
from .models import Finding, ImmediateItem, ImmediateReport, Lead, Talk, WorkingPaper

DUE_SOON_DAYS = 7  # as the ledger's (rectifications.models.DUE_SOON_DAYS), without the import cycle


def finding_list(*, user: User, q: str = "", category: str = "", source: str = "",
                 round_id: int | None = None, year: int | None = None,
                 term: int | None = None, item_status: str = "", paper: str = "",
                 unit_id: int | None = None) -> QuerySet[Finding]:  # fmt: skip
    findings = restrict(Finding.objects.all(), user).select_related("unit", "round", "team")
    if paper == "signed":
        findings = findings.filter(paper_signed_q())
    elif paper == "unsigned":
        findings = findings.exclude(paper_signed_q())
    if unit_id:
        findings = findings.filter(unit_id=unit_id)
    findings = in_period(findings, year=year, term=term)  # the figures page's drill-down
    if q:
        findings = findings.filter(keyword_q(q, "description"))
    if category:
        findings = findings.filter(category=category)
    if source:
        findings = findings.filter(source=source)
    if round_id:
        findings = findings.filter(round_id=round_id)
    if item_status == UNFED:
        findings = findings.filter(rectification__isnull=True)
    elif item_status:
        findings = findings.filter(rectification__status=item_status)
    return findings.order_by("-created_at", "-id")


def finding_detail(*, user: User, pk: int) -> Finding:
    return get_object_or_404(
        restrict(Finding.objects.all(), user).select_related(
            "unit", "round", "team", "recorded_by"
        ),
        pk=pk,
    )


def may_open_finding_evidence(user: User, finding: Finding) -> bool:
    """A finding's evidence is the team's working material (petition files among it):
    the office and the finding's team open it; others see that it exists."""
    return can(user, "finding.evidence", finding)


def finding_evidence_list(finding: Finding) -> list[Evidence]:
    """The finding's evidence files, in the order they were stored."""
    return list(finding.evidence.order_by("id"))


def finding_evidence(*, user: User, finding_pk: int, evidence_pk: int) -> tuple[Finding, Evidence]:
    """One evidence file of a finding the user may open; 404 for anything else (another
    finding's file, a finding not visible, a role that may not open it)."""
    finding = finding_detail(user=user, pk=finding_pk)
    if not may_open_finding_evidence(user, finding):
        raise Http404
    return finding, get_object_or_404(finding.evidence.all(), pk=evidence_pk)


def assignments_for(user: User) -> QuerySet[Assignment]:
    """The assignments the user may record work for (own teams; all for the office),
    each with its unit's superiors for the unit picker, newest round first."""
    return (
        restrict(Assignment.objects.all(), user, "change")
        .select_related("unit", "team", "round", *path_related("unit__"))
        .order_by("-round__start_date", "-round_id", "unit__code")
    )


def assignment_detail(*, user: User, pk: int) -> Assignment:
    """An assignment (a unit's work page) the user may see; 404 otherwise."""
    visible = restrict(Assignment.objects.select_related("unit", "team", "round"), user)
    return get_object_or_404(visible, pk=pk)


def work_page_id(*, user: User, round_id: int, unit_id: int) -> int | None:
    """The unit's work page in that round (its assignment), if the user may open it:
    breadcrumbs link an item to it."""
    visible = restrict(Assignment.objects.filter(round_id=round_id, unit_id=unit_id), user)
    return visible.values_list("pk", flat=True).first()


def assignment_work(*, user: User, assignment: Assignment) -> dict[str, QuerySet[Any]]:
    """The team's talks, findings, leads and immediate items on the assigned unit in its
    round, each as the user may see it (leads: the office and the team only)."""
    mine = {"round_id": assignment.round_id, "unit_id": assignment.unit_id,
            "team_id": assignment.team_id}  # fmt: skip
    return {
        "talks": restrict(Talk.objects.filter(**mine), user),
        "findings": restrict(Finding.objects.filter(**mine), user).select_related(
            "rectification", "paper"
        ),
        "leads": restrict(Lead.objects.filter(**mine), user),
        "immediate": restrict(ImmediateItem.objects.filter(**mine), user),
    }


def team_lead(*, user: User, team_id: int, pk: int) -> Lead:
    """A lead of that team the user may change (404 otherwise)."""
    return get_object_or_404(restrict(Lead.objects.filter(team_id=team_id), user), pk=pk)


def team_immediate(*, user: User, team_id: int, pk: int) -> ImmediateItem:
    """An immediate item of that team the user may see (404 otherwise)."""
    return get_object_or_404(restrict(ImmediateItem.objects.filter(team_id=team_id), user), pk=pk)


def immediate_list(*, user: User, today: dt.date, status: str = "", due: str = "",
                   team_id: int | None = None, year: int | None = None,
                   term: int | None = None) -> QuerySet[ImmediateItem]:  # fmt: skip
    """Immediate items as the user may see them; ``due`` narrows open items to those
    overdue or due within the ledger's "due soon" window."""
    items = restrict(ImmediateItem.objects.all(), user).select_related("unit", "round", "team")
    items = in_period(items, year=year, term=term)  # the figures page's drill-down
    if status:
        items = items.filter(status=status)
    if team_id:
        items = items.filter(team_id=team_id)
    if due in ("overdue", "due_soon"):
        items = items.filter(immediate_due_q(due, today))
    return items.order_by("deadline", "id")


def immediate_due_q(due: str, today: dt.date) -> Q:
    """Open items ``"overdue"`` or ``"due_soon"`` as a condition, shared by the list and
    the home page's counts so the two agree."""
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    deadline = Q(deadline__lt=today) if due == "overdue" else Q(deadline__range=(today, soon))
    return Q(status=ImmediateStatus.OPEN) & deadline


def lead_overdue_q(today: dt.date) -> Q:
    """Leads still pending past their due date (the list's ?overdue=1 and the home count)."""
    return Q(result=LeadResult.PENDING, due_on__lt=today)


def immediate_detail(*, user: User, pk: int) -> ImmediateItem:
    items = restrict(ImmediateItem.objects.all(), user).select_related("unit", "round", "team")
    return get_object_or_404(items, pk=pk)


def immediate_reports(item: ImmediateItem) -> QuerySet[ImmediateReport]:
    """The unit's reports on the item, oldest first, with reporter and evidence."""
    return item.reports.select_related("reported_by").prefetch_related("evidence")


def immediate_evidence(
    *, user: User, item_pk: int, evidence_pk: int
) -> tuple[ImmediateItem, Evidence]:
    """One evidence file reported on an immediate item the user may see; 404 otherwise."""
    item = immediate_detail(user=user, pk=item_pk)
    return item, reported_evidence(item.reports.all(), evidence_pk)


def reported_evidence(reports: QuerySet[Any], pk: int) -> Evidence:
    """One evidence file of these reports (an immediate item's, a ledger item's); 404
    for a file reported elsewhere."""
    return get_object_or_404(Evidence.objects.filter(pk__in=reports.values("evidence")), pk=pk)


def lead_list(*, user: User, today: dt.date, overdue: bool = False, year: int | None = None,
              term: int | None = None) -> QuerySet[Lead]:  # fmt: skip
    """Leads as the user may see them (office and handing team only); ``overdue`` keeps
    those still pending past their due date."""
    leads = restrict(Lead.objects.all(), user).select_related("unit", "round", "team")
    leads = in_period(leads, year=year, term=term)  # the figures page's drill-down
    if overdue:
        leads = leads.filter(lead_overdue_q(today))
    return leads.order_by("due_on", "id")


def may_list_talks(user: User) -> bool:
    """Whether the user has a talk list: the office, the teams (their own talks) and the
    supervisor, as the access policy lets each read talks on a unit's work page; the
    leader and a unit count talks on the figures page but read none of them."""
    return not restrict(Talk.objects.all(), user).query.is_empty()


def talk_list(*, user: User, q: str = "", round_id: int | None = None, year: int | None = None,
              term: int | None = None) -> QuerySet[Talk]:  # fmt: skip
    """Talks as the user may see them, newest first, each with its unit's work page
    (``work_id``: the assignment, where the whole record is read)."""
    talks = restrict(Talk.objects.all(), user).select_related("unit", "round", "team")
    talks = in_period(talks, year=year, term=term)  # the figures page's drill-down
    if q := q.strip():
        talks = talks.filter(Q(interviewee__icontains=q) | Q(position__icontains=q))
    if round_id:
        talks = talks.filter(round_id=round_id)
    work = Assignment.objects.filter(round_id=OuterRef("round_id"), unit_id=OuterRef("unit_id"),
                                     team_id=OuterRef("team_id")).values("pk")[:1]  # fmt: skip
    return talks.annotate(work_id=Subquery(work)).order_by("-talk_on", "-id")


def talk_search(*, user: User, unit: str = "", team_id: int | None = None,
                **filters: Any) -> QuerySet[Talk]:  # fmt: skip
    """:func:`talk_list` with the shared list filters: the unit (and its subordinate
    units) by name, the team."""
    return narrow(talk_list(user=user, **filters), unit=unit, team_id=team_id)


def finding_search(
    *, user: User, unit: str = "", team_id: int | None = None,
    amount_min: Decimal | None = None, amount_max: Decimal | None = None, **filters: Any,
) -> QuerySet[Finding]:  # fmt: skip
    """:func:`finding_list` with the shared list filters: the unit (and its subordinate
    units) by name, the team, the amount range."""
    findings = finding_list(user=user, **filters)
    return narrow(findings, unit=unit, team_id=team_id, amount_min=amount_min,
                  amount_max=amount_max)  # fmt: skip


def finding_export_rows(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    """The filtered findings with the unit's parent and the ledger item's status, in one
    query (for the export)."""
    return findings.select_related("unit__parent").annotate(item_status=F("rectification__status"))


def paper_signed_q(prefix: str = "") -> Q:
    """Findings whose working paper carries all three sign-offs (承办人, 副组长, 组长):
    only these go into the report. ``prefix`` reaches the finding through a relation
    (``"findings__"`` on a recommendation)."""
    return Q(**{f"{prefix}paper__{who}_signed_by__isnull": False
                for who in ("handler", "deputy", "leader")})  # fmt: skip


Materials = dict[str, list[dict[str, Any]]]


def materials(finding: Finding) -> Materials:
    """What supports a finding, as its working paper lists it: the evidence files
    (name, size, sha256), the talk records chosen on the paper (date, interviewee,
    position) and the cross-check suspects rolled into it (source file, sheet and row as
    the user sees them in the spreadsheet, rule, amount; one per suspect, the row that
    holds its verdict). Each entry keeps its ``pk`` for links."""
    return materials_for([finding])[finding.pk]


def materials_for(rows: list[Finding]) -> dict[int, Materials]:
    """:func:`materials` for many findings in three queries (a report of 200 problems
    would otherwise read some 800 times), per finding id."""
    from xuncha.checks.models import Suspect  # checks imports findings' services
    from xuncha.checks.selectors import current_suspects

    ids = [f.pk for f in rows]
    out: dict[int, Materials] = {i: {"evidence": [], "talks": [], "suspects": []} for i in ids}
    evidence = (
        Finding.evidence.through.objects.filter(finding_id__in=ids)
        .order_by("evidence_id")
        .values_list("finding_id", "evidence_id", "evidence__original_name", "evidence__size",
                     "evidence__sha256")
    )  # fmt: skip
    for finding_id, pk, name, size, sha256 in evidence:
        out[finding_id]["evidence"].append({"pk": pk, "name": name, "size": size, "sha256": sha256})
    talks = (
        WorkingPaper.talks.through.objects.filter(workingpaper__finding_id__in=ids)
        .order_by("talk__talk_on", "talk_id")
        .values_list("workingpaper__finding_id", "talk_id", "talk__talk_on", "talk__interviewee",
                     "talk__position")
    )  # fmt: skip
    for finding_id, pk, day, interviewee, position in talks:
        out[finding_id]["talks"].append(
            {"pk": pk, "date": day, "interviewee": interviewee, "position": position}
        )
    suspects = current_suspects(Suspect.objects.filter(finding_id__in=ids))
    for s in suspects.order_by("file", "sheet", "row", "id"):
        out[cast(int, s.finding_id)]["suspects"].append(
            {"pk": s.pk, "number": s.number, "file": s.file, "sheet": s.sheet, "row": s.row,
             "rule": s.rule_title, "name": s.name, "amount": s.amount}
        )  # fmt: skip
    return out


def may_open_paper(user: User, finding: Finding) -> bool:
    """A working paper is the team's material (talks, suspects, evidence): the office and
    the finding's team open it, as they open the evidence."""
    return can(user, "finding.evidence", finding)


def finding_paper(finding: Finding) -> WorkingPaper | None:
    """The finding's paper with its signers, if it has one yet."""
    return (
        WorkingPaper.objects.select_related(
            "handler_signed_by", "deputy_signed_by", "leader_signed_by"
        )
        .filter(finding=finding)
        .first()
    )


def paper_finding(*, user: User, pk: int) -> Finding:
    """The finding (by pk) whose paper the user may open; 404 for anyone else."""
    finding = finding_detail(user=user, pk=pk)
    if not may_open_paper(user, finding):
        raise Http404
    return finding


def paper_talk_choices(finding: Finding) -> QuerySet[Talk]:
    """The talks a paper may cite: the team's with the finding's unit in its round."""
    return Talk.objects.filter(
        round_id=finding.round_id, unit_id=finding.unit_id, team_id=finding.team_id
    ).order_by("talk_on", "id")


def paper_next_step(paper: WorkingPaper) -> str:
    """The sign-off due next ("" once all three are given)."""
    for step in ("handler", "deputy", "leader"):
        if not getattr(paper, f"{step}_signed_by_id"):
            return step
    return ""


def paper_may_sign(user: User, finding: Finding, paper: WorkingPaper) -> bool:
    """Whether the user is who gives the paper's next sign-off (the button shows for
    them; the service still decides, e.g. on a missing 定性依据)."""
    from xuncha.planning.models import MemberRole, TeamMember

    step = paper_next_step(paper)
    if not step or not can(user, "paper.sign", finding):
        return False
    member = TeamMember.objects.filter(team_id=finding.team_id, cadre__user=user).first()
    if member is None:
        return False
    signed = {getattr(paper, f"{s}_signed_by_id") for s in ("handler", "deputy", "leader")}
    if member.cadre_id in signed:
        return False
    wanted = {"deputy": MemberRole.DEPUTY, "leader": MemberRole.LEADER}.get(step)
    return wanted is None or member.role == wanted


def paper_counts(*, round_id: int, unit_ids: list[int] | None = None) -> dict[int, tuple[int, int]]:
    """Per unit of the round: (findings whose paper is fully signed, all findings)."""
    from django.db.models import Count

    rows = Finding.objects.filter(round_id=round_id)
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=unit_ids)
    counted = rows.values("unit_id").annotate(
        signed=Count("pk", filter=paper_signed_q()), total=Count("pk")
    )
    return {r["unit_id"]: (r["signed"], r["total"]) for r in counted}


def recommendations_of(*, user: User, round_id: int, unit_id: int) -> QuerySet[Any]:
    """The recommendations to a unit in a round as the user may see them, in order, with
    the findings each answers."""
    from .models import Recommendation

    recs = Recommendation.objects.filter(round_id=round_id, unit_id=unit_id)
    return restrict(recs, user).prefetch_related("findings").order_by("order", "id")


def unit_findings(assignment: Assignment) -> QuerySet[Finding]:
    """The unit's findings in the assignment's round: what a recommendation may answer."""
    return Finding.objects.filter(
        round_id=assignment.round_id, unit_id=assignment.unit_id
    ).order_by("created_at", "id")


def may_read_recommendations(user: User) -> bool:
    """Whether the user reads recommendations at all (the office, the teams, supervisors)."""
    from .models import Recommendation

    return not restrict(Recommendation.objects.all(), user).query.is_empty()
