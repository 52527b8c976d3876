"""Writes of a team's work on an assigned unit: talks, findings, leads, immediate items,
working papers (问题底稿) and recommendations (意见建议).

A team member may record only for a unit their team is assigned in that round; the
office may record for any assignment. Categories must match their sub-categories.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import IO

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from xuncha.accounts.access import allowed, can
from xuncha.accounts.models import User
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.common.models import Evidence
from xuncha.common.services import evidence_kept_on_success, evidence_store
from xuncha.planning.models import Assignment, Cadre, MemberRole, TeamMember

from .choices import ImmediateStatus, LeadResult, Subcategory
from .models import (
    EvidenceRead,
    Finding,
    ImmediateItem,
    ImmediateReport,
    Lead,
    Recommendation,
    Talk,
    WorkingPaper,
)


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


def _check_content(*, category: str, subcategory: str, description: str, amount: Decimal) -> None:
    """What a finding must be, recorded or changed."""
    if subcategory not in dict(Subcategory.of(category)):
        raise ServiceError("具体类别与问题类别不一致。")
    if not description.strip():
        raise ServiceError("请填写问题描述。")
    if amount < 0:
        raise ServiceError("涉及金额不能为负数。")


def finding_create(
    *, assignment: Assignment, by: User, category: str, subcategory: str, description: str,
    source: str, amount: Decimal = Decimal(0), files: Sequence[tuple[IO[bytes], str]] = (),
    basis: str = "", responsible: str = "",
) -> Finding:  # fmt: skip
    """Record a finding with its evidence and its working paper; on any failure nothing
    is kept."""
    work = _work(assignment, by)
    _check_content(category=category, subcategory=subcategory, description=description,
                   amount=amount)  # fmt: skip
    with evidence_kept_on_success() as stored, transaction.atomic():
        finding = Finding(**work, category=category, subcategory=subcategory,
                          description=description.strip(), source=source, amount=amount,
                          basis=basis.strip(), responsible=responsible.strip())  # fmt: skip
        finding._history_user = by  # type: ignore[attr-defined]
        finding.save()
        stored.extend(evidence_store(data=d, name=n, by=by) for d, n in files)
        finding.evidence.set(stored)
        paper_ensure(finding=finding)
        return finding


# What a sign-off vouches for: a change to any of these after one voids them all.
SUBSTANCE = ("category", "subcategory", "description", "amount", "basis", "responsible")
VOIDED = "问题内容已修改，底稿原有签署已失效（保留在变更记录中），请重新签署。"


def finding_update(
    *, finding: Finding, by: User, category: str, subcategory: str, description: str,
    amount: Decimal, basis: str, responsible: str,
    files: Sequence[tuple[IO[bytes], str]] = (), remove: Sequence[int] = (),
) -> tuple[Finding, bool]:  # fmt: skip
    """Change a finding (its team or the office): classification, description, amount,
    定性依据, 责任指向; add evidence files (``files``) and take some off (``remove``:
    evidence pks). If its substance or evidence changed after its paper was signed, the
    sign-offs are cleared (their record stays in the paper's history); the second value
    says whether that happened. On any failure nothing is kept."""
    if not can(by, "change", finding):
        raise PermissionDenied("只有巡察办或本巡察组可以修改该问题。")
    _check_content(category=category, subcategory=subcategory, description=description,
                   amount=amount)  # fmt: skip
    with evidence_kept_on_success() as stored, transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        new = {"category": category, "subcategory": subcategory,
               "description": description.strip(), "amount": amount, "basis": basis.strip(),
               "responsible": responsible.strip()}  # fmt: skip
        changed = [f for f in SUBSTANCE if getattr(finding, f) != new[f]]
        held = set(finding.evidence.values_list("pk", flat=True))
        gone = held & set(remove)
        stored.extend(evidence_store(data=d, name=n, by=by) for d, n in files)
        if changed:
            for name in changed:
                setattr(finding, name, new[name])
            finding._history_user = by  # type: ignore[attr-defined]
            finding.save(update_fields=[*changed, "updated_at"])
        if stored:
            finding.evidence.add(*stored)
        if gone:
            finding.evidence.remove(*gone)
        voided = bool(changed or stored or gone) and _paper_void(finding, by)
        return finding, voided


def _paper_void(finding: Finding, by: User) -> bool:
    """Clear the sign-offs of the finding's paper, if it has any (the history keeps
    them, with the reason)."""
    paper = WorkingPaper.objects.select_for_update().filter(finding=finding).first()
    if paper is None or not any(getattr(paper, f"{step}_signed_by_id") for step in STEPS):
        return False
    for step in STEPS:
        setattr(paper, f"{step}_signed_by", None)
        setattr(paper, f"{step}_signed_at", None)
    paper._history_user = by  # type: ignore[attr-defined]
    paper._change_reason = "问题内容修改，签署失效"  # type: ignore[attr-defined]
    paper.save()
    return True


# The sign-offs in their order, with who may give each and what it is called.
STEPS = ("handler", "deputy", "leader")
STEP_NAMES = {"handler": "承办人签署", "deputy": "副组长审核", "leader": "组长审签"}
_STEP_ROLES = {"deputy": MemberRole.DEPUTY, "leader": MemberRole.LEADER}


def paper_number(finding: Finding) -> str:
    """The next number in the finding's round and team: 「年度-轮次-组次-序号」, e.g.
    2026-1-2-007 for the 7th paper of the 2nd team in round 1 of 2026."""
    round_, team = finding.round, finding.team
    prefix = f"{round_.start_date.year}-{round_.number}-{team.number or team.pk}-"
    numbers = WorkingPaper.objects.filter(number__startswith=prefix).values_list(
        "number", flat=True
    )
    last = max((int(n[len(prefix) :]) for n in numbers if n[len(prefix) :].isdigit()), default=0)
    return f"{prefix}{last + 1:03d}"


def paper_ensure(*, finding: Finding) -> WorkingPaper:
    """The finding's working paper, made with the next number if it has none yet (on
    recording, or when an older finding's paper is first opened). Two people opening it
    at once get the same paper."""
    for _attempt in range(5):
        paper = WorkingPaper.objects.filter(finding=finding).first()
        if paper is not None:
            return paper
        try:
            with transaction.atomic():
                return WorkingPaper.objects.create(finding=finding, number=paper_number(finding))
        except IntegrityError:
            continue  # the same number or the same finding taken meanwhile: read again
    raise ServiceError("生成底稿编号时发生冲突，请刷新页面重试。")


def _signer(by: User, finding: Finding) -> tuple[Cadre, str]:
    """The cadre of ``by`` and their role in the finding's team; refused otherwise."""
    if not allowed(by, "paper.sign"):
        raise PermissionDenied("只有本巡察组成员可以签署问题底稿。")
    member = (
        TeamMember.objects.filter(team_id=finding.team_id, cadre__user=by)
        .select_related("cadre")
        .first()
    )
    if member is None:
        raise PermissionDenied("您不是该问题所属巡察组的成员，不能签署其底稿。")
    return member.cadre, member.role


def paper_sign(*, paper: WorkingPaper, by: User, step: str) -> WorkingPaper:
    """Sign the paper as 承办人 (any member of the finding's team), then 副组长 (the
    team's deputy leader), then 组长 (its leader), in that order, each person once. The
    finding must name its 定性依据 and 责任指向 first."""
    if step not in STEPS:
        raise ServiceError("未知的签署环节。")
    with transaction.atomic():
        paper = WorkingPaper.objects.select_for_update().select_related("finding").get(pk=paper.pk)
        finding = paper.finding
        cadre, role = _signer(by, finding)
        name = STEP_NAMES[step]
        if getattr(paper, f"{step}_signed_by_id"):
            raise ServiceError(f"该底稿已完成{name}，无需重复签署。")
        missing = [label for field, label in (("basis", "定性依据"), ("responsible", "责任指向"))
                   if not getattr(finding, field).strip()]  # fmt: skip
        if missing:
            raise ServiceError(f"问题尚未填写{'和'.join(missing)}，不能签署底稿，请先修改问题。")
        index = STEPS.index(step)
        if index and not getattr(paper, f"{STEPS[index - 1]}_signed_by_id"):
            raise ServiceError(f"请先完成{STEP_NAMES[STEPS[index - 1]]}，再进行{name}。")
        if step in _STEP_ROLES and role != _STEP_ROLES[step]:
            who = MemberRole(_STEP_ROLES[step]).label
            raise PermissionDenied(f"{name}须由本组{who}进行，您在本组的分工不是{who}。")
        if cadre.pk in {getattr(paper, f"{s}_signed_by_id") for s in STEPS}:
            raise ServiceError("同一人只能在一份底稿上签署一次，请由其他人员签署。")
        setattr(paper, f"{step}_signed_by", cadre)
        setattr(paper, f"{step}_signed_at", timezone.now())
        paper._history_user = by  # type: ignore[attr-defined]
        paper.save(update_fields=[f"{step}_signed_by", f"{step}_signed_at", "updated_at"])
        return paper


def paper_talks_set(*, paper: WorkingPaper, by: User, talks: Sequence[Talk]) -> bool:
    """Choose the talk records that support the paper, among the team's talks with the
    finding's unit in its round. A change after a sign-off voids the sign-offs (the
    material vouched for changed); the result says whether it did."""
    finding = paper.finding
    if not can(by, "change", finding):
        raise PermissionDenied("只有巡察办或本巡察组可以选择底稿的谈话记录。")
    foreign = [t for t in talks if (t.round_id, t.unit_id, t.team_id)
               != (finding.round_id, finding.unit_id, finding.team_id)]  # fmt: skip
    if foreign:
        raise ServiceError(
            f"谈话记录「{foreign[0].interviewee}」不是本组本轮对该单位的谈话，不能列入底稿。"
        )
    with transaction.atomic():
        before = set(paper.talks.values_list("pk", flat=True))
        after = {t.pk for t in talks}
        if before == after:
            return False
        paper.talks.set(after)
        return _paper_void(finding, by)


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


def _answered(assignment: Assignment, findings: Sequence[Finding]) -> list[Finding]:
    """The findings a recommendation answers must be the unit's in that round."""
    stray = [
        f for f in findings if (f.round_id, f.unit_id) != (assignment.round_id, assignment.unit_id)
    ]
    if stray:
        raise ServiceError(f"问题「{stray[0]}」不是本轮该单位的问题，不能作为意见建议针对的问题。")
    return list(findings)


def recommendation_create(*, assignment: Assignment, by: User, text: str,
                          findings: Sequence[Finding] = (), order: int | None = None) -> Recommendation:  # fmt: skip
    """Add a recommendation to the unit (last unless ``order`` is given)."""
    work = _work(assignment, by)
    if not text.strip():
        raise ServiceError("请填写意见建议。")
    answered = _answered(assignment, findings)
    with transaction.atomic():
        if order is None:
            mine = Recommendation.objects.filter(
                round_id=assignment.round_id, unit_id=assignment.unit_id
            )
            order = (mine.aggregate(m=Max("order"))["m"] or 0) + 1
        rec = Recommendation(**work, text=text.strip(), order=order)
        rec._history_user = by  # type: ignore[attr-defined]
        rec.save()
        rec.findings.set(answered)
        return rec


def recommendation_update(*, recommendation: Recommendation, assignment: Assignment, by: User,
                          text: str, findings: Sequence[Finding], order: int) -> Recommendation:  # fmt: skip
    _work(assignment, by)
    if (recommendation.round_id, recommendation.unit_id) != (
        assignment.round_id,
        assignment.unit_id,
    ):
        raise ServiceError("该意见建议不属于此单位。")
    if not text.strip():
        raise ServiceError("请填写意见建议。")
    answered = _answered(assignment, findings)
    with transaction.atomic():
        recommendation.text, recommendation.order = text.strip(), order
        recommendation._history_user = by  # type: ignore[attr-defined]
        recommendation.save(update_fields=["text", "order", "updated_at"])
        recommendation.findings.set(answered)
        return recommendation


def recommendation_delete(
    *, recommendation: Recommendation, assignment: Assignment, by: User
) -> None:
    _work(assignment, by)
    if (recommendation.round_id, recommendation.unit_id) != (
        assignment.round_id,
        assignment.unit_id,
    ):
        raise ServiceError("该意见建议不属于此单位。")
    recommendation._history_user = by  # type: ignore[attr-defined]
    recommendation.delete()
