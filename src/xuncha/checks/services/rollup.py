"""Confirmed suspects rolled up into one finding fed back to the unit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from xuncha.accounts.models import User
from xuncha.common.errors import ServiceError
from xuncha.findings.choices import Category, Source, Subcategory
from xuncha.findings.models import Finding
from xuncha.findings.services import finding_create
from xuncha.planning.models import Assignment, Team
from xuncha.rectifications.services import rectification_create

from ..models import CheckRun, Suspect, Verdict
from ..selectors import current_suspects
from ._common import require_team as _require_team
from .verification import sync_recovered


def suspects_to_finding(
    *, run: CheckRun, by: User, assignment: Assignment, description: str = "",
    fed_back_on: dt.date | None = None,
) -> Finding:  # fmt: skip
    """Roll the confirmed suspects of a run not yet in a finding up into one finding
    (source 数据比对, amount = the improper total) fed back to the unit as a
    rectification item whose recovered money follows the suspects.

    "Not yet in a finding" is judged by key across all the team's runs, with the team
    locked: a suspect rolled up from any run, or superseded by a later run's verdict,
    is never rolled up again; the finding is linked on every row of the suspect."""
    _require_team(by, run.team_id)
    if assignment.team_id != run.team_id:
        raise ServiceError("所选被巡察单位不是本组负责的单位。")
    with transaction.atomic():
        Team.objects.select_for_update().get(pk=run.team_id)  # one roll-up at a time
        team_rows = Suspect.objects.filter(run__team_id=run.team_id)
        linked = team_rows.filter(finding__isnull=False).values("key")
        confirmed = current_suspects(
            Suspect.objects.filter(run=run, verdict=Verdict.CONFIRMED, finding__isnull=True)
        ).exclude(key__in=linked)
        agg = confirmed.aggregate(n=Count("id"), people=Count("id_normalized", distinct=True),
                                  amount=Sum("improper_amount"))  # fmt: skip
        if not agg["n"]:
            raise ServiceError("没有尚未汇入问题的核实属实疑点。")
        amount = agg["amount"] or Decimal(0)
        program = run.title
        text = description.strip() or (
            f"数据比对发现{program}违规发放问题：经核实属实 {agg['n']} 条，"
            f"涉及 {agg['people']} 人，违规发放 {amount:,.2f} 元（第 {run.number} 次比对）。"
        )
        finding = finding_create(
            assignment=assignment, by=by, category=Category.CORRUPTION,
            subcategory=Subcategory.BENEFIT_FUNDS, description=text, source=Source.CROSSCHECK,
            amount=amount,
        )  # fmt: skip
        Suspect.objects.filter(pk__in=confirmed.values("pk")).update(finding=finding)
        same = Suspect.objects.filter(finding=finding).values("key")
        team_rows.filter(finding__isnull=True, key__in=same).update(finding=finding)
        rectification_create(
            finding=finding, by=by, fed_back_on=fed_back_on or timezone.localdate()
        )
        sync_recovered([finding.pk])
    return finding
