"""Writes of a team's work on an assigned unit: talks, findings, leads, immediate items.

A team member may record only for a unit their team is assigned in that round; the
office may record for any assignment. Categories must match their sub-categories.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import IO

from django.db import transaction

from xuncha.accounts.access import can
from xuncha.accounts.models import User
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.common.models import Evidence
from xuncha.common.services import evidence_kept_on_success, evidence_store
from xuncha.planning.models import Assignment

from .choices import ImmediateStatus, LeadResult, Subcategory
from .models import EvidenceRead, Finding, ImmediateItem, ImmediateReport, Lead, Talk


def _work(assignment: Assignment, by: User) -> dict[str, object]:
    if not can(by, "work.record", assignment):
        raise PermissionDenied("只有巡察办或本巡察组可以记录对该单位的巡察工作。")
    return {"round_id": assignment.round_id, "team_id": assignment.team_id,
            "unit_id": assignment.unit_id, "recorded_by": by}  # fmt: skip


def talk_create(*, assignment: Assignment, by: User, talk_on: dt.date, interviewee: str,
                position: str = "", summary: str) -> Talk:  # fmt: skip
    if not interviewee.strip() or not summary.strip():
        raise ServiceError("谈话对象和谈话要点不能为空。")
    return Talk.objects.create(**_work(assignment, by), talk_on=talk_on,
                               interviewee=interviewee.strip(), position=position.strip(),
                               summary=summary.strip())  # fmt: skip


def finding_create(
    *, assignment: Assignment, by: User, category: str, subcategory: str, description: str,
    source: str, amount: Decimal = Decimal(0), files: Sequence[tuple[IO[bytes], str]] = (),
) -> Finding:  # fmt: skip
    """Record a finding with its evidence; on any failure nothing is kept."""
    work = _work(assignment, by)
    if subcategory not in dict(Subcategory.of(category)):
        raise ServiceError("具体类别与问题类别不一致。")
    if not description.strip():
        raise ServiceError("请填写问题描述。")
    if amount < 0:
        raise ServiceError("涉及金额不能为负数。")
    with evidence_kept_on_success() as stored, transaction.atomic():
        finding = Finding(**work, category=category, subcategory=subcategory,
                          description=description.strip(), source=source, amount=amount)  # fmt: skip
        finding._history_user = by  # type: ignore[attr-defined]
        finding.save()
        stored.extend(evidence_store(data=d, name=n, by=by) for d, n in files)
        finding.evidence.set(stored)
        return finding


def lead_create(*, assignment: Assignment, by: User, description: str, handed_to: str,
                handed_on: dt.date, receiver: str, due_on: dt.date,
                finding: Finding | None = None) -> Lead:  # fmt: skip
    work = _work(assignment, by)
    if due_on < handed_on:
        raise ServiceError("办结期限不能早于移交日期。")
    if finding is not None and finding.team_id != assignment.team_id:
        raise ServiceError("关联的问题不属于本巡察组。")
    lead = Lead(**work, description=description.strip(), handed_to=handed_to, handed_on=handed_on,
                receiver=receiver.strip(), due_on=due_on, finding=finding)  # fmt: skip
    lead._history_user = by  # type: ignore[attr-defined]
    lead.save()
    return lead


def lead_record_result(*, lead: Lead, by: User, result: str, result_on: dt.date) -> Lead:
    if not can(by, "lead.result", lead):
        raise PermissionDenied("只有巡察办或移交线索的巡察组可以登记办理结果。")
    if result not in LeadResult.values or result == LeadResult.PENDING:
        raise ServiceError("请选择办理结果。")
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        if lead.result != LeadResult.PENDING:  # another tab or person got there first
            raise ServiceError(f"该线索已登记办理结果（{lead.get_result_display()}），未作修改。")
        lead.result, lead.result_on = result, result_on
        lead._history_user = by  # type: ignore[attr-defined]
        lead.save(update_fields=["result", "result_on", "updated_at"])
        return lead


def immediate_create(*, assignment: Assignment, by: User, description: str,
                     deadline: dt.date) -> ImmediateItem:  # fmt: skip
    item = ImmediateItem(
        **_work(assignment, by), description=description.strip(), deadline=deadline
    )
    item._history_user = by  # type: ignore[attr-defined]
    item.save()
    return item


def immediate_mark_done(*, item: ImmediateItem, by: User, done_on: dt.date) -> ImmediateItem:
    """The inspecting side confirms an immediate item done (twice is refused)."""
    if not can(by, "immediate.done", item):
        raise PermissionDenied("只有巡察办或本巡察组可以确认立行立改事项完成。")
    with transaction.atomic():
        item = ImmediateItem.objects.select_for_update().get(pk=item.pk)
        if item.status == ImmediateStatus.DONE:
            raise ServiceError("该事项已确认完成。")
        item.status, item.done_on = ImmediateStatus.DONE, done_on
        item._history_user = by  # type: ignore[attr-defined]
        item.save(update_fields=["status", "done_on", "updated_at"])
        return item


def immediate_report(
    *, item: ImmediateItem, by: User, text: str, files: Sequence[tuple[IO[bytes], str]] = ()
) -> ImmediateReport:
    """The unit reports what it did on its immediate item, with evidence files, as it
    does on ledger items; the team then confirms it done. On any failure nothing is kept."""
    if not can(by, "immediate.report", item):
        raise PermissionDenied("只有整改单位可以报告本单位立行立改事项的整改情况。")
    if not text.strip():
        raise ServiceError("请填写整改情况。")
    with evidence_kept_on_success() as stored, transaction.atomic():
        item = ImmediateItem.objects.select_for_update().get(pk=item.pk)
        if item.status == ImmediateStatus.DONE:
            raise ServiceError("该立行立改事项已确认完成，无需再报告。")
        stored.extend(evidence_store(data=d, name=n, by=by) for d, n in files)
        report = ImmediateReport.objects.create(item=item, text=text.strip(), reported_by=by)
        report.evidence.set(stored)
        return report


def evidence_opened(*, evidence: Evidence, by: User, subject: str) -> EvidenceRead:
    """Log that ``by`` opened ``evidence`` from ``subject`` ("finding:12"); the caller
    has already checked the user may."""
    return EvidenceRead.objects.create(evidence=evidence, user=by, subject=subject[:40])
