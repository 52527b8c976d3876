"""Every write to the ledger. Each service checks the role, the state and the version
the user saw, changes the item inside one transaction with the row locked, and
raises :class:`~xuncha.common.errors.ServiceError` (in Chinese) leaving it unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import IO

from django.db import IntegrityError, transaction
from django.utils import timezone

from xuncha.accounts.access import allowed, can
from xuncha.accounts.models import User
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.common.models import Evidence
from xuncha.common.services import (
    check_version,
    evidence_kept_on_success,
    evidence_store,
    locked,
    save_versioned,
)
from xuncha.findings.models import Finding

from .models import ProgressReport, RectificationItem, RuleKind, RuleMade, Status


def rectification_create(*, finding: Finding, by: User, fed_back_on: dt.date) -> RectificationItem:
    """Feed a finding back to its unit: it becomes an item of the unit's ledger."""
    if not can(by, "rectification.feed_back", finding):
        raise PermissionDenied("只有巡察办或本巡察组可以反馈问题。")
    with transaction.atomic():
        if RectificationItem.objects.filter(finding=finding).exists():
            raise ServiceError("该问题已经反馈，整改台账中已有对应事项。")
        finding.fed_back_on = fed_back_on
        finding.save(update_fields=["fed_back_on", "updated_at"])
        return RectificationItem.objects.create(
            finding=finding,
            round_id=finding.round_id,
            team_id=finding.team_id,
            unit_id=finding.unit_id,
        )


def _locked(item: RectificationItem, version: int | None) -> RectificationItem:
    """The item re-read under a row lock, refused if someone changed it meanwhile."""
    current = locked(item)
    check_version(current, version, "事项")
    return current


def rectification_propose_plan(
    *, item: RectificationItem, by: User, measures: str, owner: str, deadline: dt.date,
    goal: str = "", department: str = "", version: int | None = None,
) -> RectificationItem:  # fmt: skip
    """The unit proposes (or changes) its goal, measures, owner, department and deadline;
    the office must accept them again before work counts as planned."""
    if not can(by, "rectification.plan", item):
        raise PermissionDenied("只有整改单位或巡察办可以制定整改方案。")
    if not measures.strip() or not owner.strip():
        raise ServiceError("整改措施和责任人不能为空。")
    with transaction.atomic():
        item = _locked(item, version)
        if item.status in (Status.CLOSE_REQUESTED, Status.CLOSED):
            raise ServiceError(f"事项{item.get_status_display()}，不能再修改整改方案。")
        item.measures, item.owner, item.deadline = measures.strip(), owner.strip(), deadline
        item.goal, item.department = goal.strip(), department.strip()
        item.status, item.plan_accepted_by, item.plan_accepted_at = (
            Status.PLAN_SUBMITTED,
            None,
            None,
        )
        item.returned_reason, item.returned_at = "", None
        return save_versioned(
            item,
            by,
            ["goal", "measures", "owner", "department", "deadline", "status", "plan_accepted_by",
             "plan_accepted_at",
             "returned_reason", "returned_at"],
        )  # fmt: skip


def rectification_accept_plan(
    *, item: RectificationItem, by: User, version: int | None = None
) -> RectificationItem:
    if not can(by, "rectification.accept", item):
        raise PermissionDenied("只有巡察办可以认可整改方案。")
    with transaction.atomic():
        item = _locked(item, version)
        if item.status != Status.PLAN_SUBMITTED:
            raise ServiceError(f"事项{item.get_status_display()}，没有待认可的整改方案。")
        item.status, item.plan_accepted_by, item.plan_accepted_at = (
            Status.IN_PROGRESS,
            by,
            timezone.now(),
        )
        return save_versioned(item, by, ["status", "plan_accepted_by", "plan_accepted_at"])


def rectification_report_progress(
    *, item: RectificationItem, by: User, text: str, files: Sequence[tuple[IO[bytes], str]] = (),
    done: bool = False, version: int | None = None,
) -> ProgressReport:  # fmt: skip
    """The unit reports progress with evidence files (``(stream, name)`` pairs);
    ``done`` asks for close-out and needs evidence. If anything fails, neither the
    report nor any file is kept and the item is unchanged."""
    if not can(by, "rectification.progress", item):
        raise PermissionDenied("只有整改单位可以报告整改进展。")
    if not text.strip():
        raise ServiceError("请填写整改进展。")
    if done and not files:
        raise ServiceError("申请销号必须附整改证据材料。")
    with evidence_kept_on_success() as stored, transaction.atomic():
        item = _locked(item, version)
        if item.status != Status.IN_PROGRESS:
            raise ServiceError(f"事项{item.get_status_display()}，现在不能报告进展。")
        stored.extend(evidence_store(data=data, name=name, by=by) for data, name in files)
        report = ProgressReport.objects.create(
            item=item, text=text.strip(), done=done, reported_by=by
        )
        report.evidence.set(stored)
        if done:
            item.status, item.done_reported_by = Status.CLOSE_REQUESTED, by
        item.returned_reason, item.returned_at = "", None
        save_versioned(item, by, ["status", "done_reported_by", "returned_reason", "returned_at"])
        return report


def rectification_close(
    *, item: RectificationItem, by: User, note: str, money_recovered: Decimal | None = None,
    version: int | None = None,
) -> RectificationItem:  # fmt: skip
    """对账销号: only the inspecting side, only with evidence, never the reporter."""
    if not can(by, "rectification.close", item):
        raise PermissionDenied("只有巡察办或本巡察组可以对账销号。")
    with transaction.atomic():
        item = _locked(item, version)
        if item.status == Status.CLOSED:
            raise ServiceError("该事项已经销号，无需重复操作。")
        if item.status != Status.CLOSE_REQUESTED:
            raise ServiceError(f"事项{item.get_status_display()}，整改单位尚未申请销号。")
        if by.pk == item.done_reported_by_id:
            raise PermissionDenied("申请销号的人不能为自己销号。")
        if not Evidence.objects.filter(pk__in=_evidence_ids(item)).exists():
            raise ServiceError("没有整改证据材料，不能销号。")
        item.status, item.closed_by, item.closed_at, item.close_note = (
            Status.CLOSED,
            by,
            timezone.now(),
            note,
        )
        fields = ["status", "closed_by", "closed_at", "close_note"]
        if money_recovered is not None:
            item.money_recovered = money_recovered
            fields.append("money_recovered")
        return save_versioned(item, by, fields)


def rectification_reopen(
    *, item: RectificationItem, by: User, reason: str, version: int | None = None
) -> RectificationItem:
    """Reopen a closed item (sham rectification found, say); the history keeps all."""
    if not can(by, "rectification.reopen", item):
        raise PermissionDenied("只有巡察办可以重新打开已销号事项。")
    return _reopen(item, by, reason, version)


def rectification_reopen_found_untrue(
    *, item: RectificationItem, by: User, reason: str
) -> RectificationItem:
    """Reopen a closed item an on-site reverse check (销号反向核查) found not as reported:
    the check's result is the authority, so whoever may record it (the office or the
    supervisor) reopens the item; the ledger's own reopen stays the office's."""
    if not allowed(by, "reversecheck.run"):
        raise PermissionDenied("只有巡察办或督查人员可以记录反向核查结果。")
    return _reopen(item, by, reason, None)


def _reopen(
    item: RectificationItem, by: User, reason: str, version: int | None
) -> RectificationItem:
    if not reason.strip():
        raise ServiceError("请填写重新打开的原因。")
    with transaction.atomic():
        item = _locked(item, version)
        if item.status != Status.CLOSED:
            raise ServiceError("只有已销号的事项可以重新打开。")
        item.status, item.closed_by, item.closed_at = Status.IN_PROGRESS, None, None
        item.done_reported_by, item.close_note = None, f"重新打开：{reason.strip()}"
        return save_versioned(
            item, by, ["status", "closed_by", "closed_at", "done_reported_by", "close_note"]
        )


# What a return sends back: the state it applies to -> the state the item goes back to.
_RETURNS = {
    Status.PLAN_SUBMITTED: (Status.AWAITING_PLAN, "整改方案"),
    Status.CLOSE_REQUESTED: (Status.IN_PROGRESS, "销号申请"),
}


def rectification_return(
    *, item: RectificationItem, by: User, reason: str, version: int | None = None
) -> RectificationItem:
    """退回: the office or the supervisor sends a submitted plan or a close-out request
    back to the unit with a reason the unit reads on the item; nothing else changes."""
    if not can(by, "rectification.return", item):
        raise PermissionDenied("只有巡察办或整改督查可以退回整改方案或销号申请。")
    if not reason.strip():
        raise ServiceError("退回必须填写原因（退回原因不能为空）。")
    with transaction.atomic():
        item = _locked(item, None)  # the state first: "since closed" says more than "changed"
        if item.status not in _RETURNS:
            raise ServiceError(
                f"事项现为“{item.get_status_display()}”，没有待审核的整改方案或销号申请，无法退回。"
            )
        item = _locked(item, version)
        item.status, what = _RETURNS[Status(item.status)]
        item.returned_reason = f"{what}被退回：{reason.strip()}"
        item.returned_at, item.done_reported_by = timezone.now(), None
        if item.status == Status.AWAITING_PLAN:
            item.plan_accepted_by, item.plan_accepted_at = None, None
        return save_versioned(item, by, ["status", "returned_reason", "returned_at", "done_reported_by",
                                "plan_accepted_by", "plan_accepted_at"])  # fmt: skip


def _evidence_ids(item: RectificationItem) -> list[int]:
    return list(
        ProgressReport.evidence.through.objects.filter(progressreport__item=item).values_list(
            "evidence_id", flat=True
        )
    )


# ------------------------------------------------------------------ 建章立制


class RuleInvalid(ServiceError):
    """A rule record refused for one field (``field`` names it, for the form)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _rule_checked(*, title: str, kind: str, issued_on: dt.date | None, doc_number: str) -> dt.date:
    if not title.strip():
        raise RuleInvalid("title", "请填写制度名称。")
    if kind not in RuleKind.values:
        raise RuleInvalid("kind", "请选择类型（制定或修订）。")
    if issued_on is None:
        raise RuleInvalid("issued_on", "请填写印发日期。")
    if issued_on > timezone.localdate():
        raise RuleInvalid("issued_on", "印发日期不能晚于今天。")
    if len(doc_number.strip()) > 100:
        raise RuleInvalid("doc_number", "文号不能超过 100 个字。")
    return issued_on


def rules_editable(user: User, item: RectificationItem) -> bool:
    """Who records and edits an item's rules: the unit on its own item until it is
    closed; the office at any time."""
    if allowed(user, "rules.correct"):
        return True
    return item.status != Status.CLOSED and can(user, "rules.record", item)


def _rule_may(by: User, item: RectificationItem) -> None:
    if rules_editable(by, item):
        return
    if not can(by, "rules.record", item):
        raise PermissionDenied("只有整改单位或巡察办可以登记建章立制。")
    if item.status == Status.CLOSED:
        raise ServiceError("事项已销号，建章立制不能再修改；如需更正请联系巡察办。")


def _rule_unique(*, unit_id: int, doc_number: str, exclude: int | None = None) -> None:
    if not doc_number:
        return
    same = RuleMade.objects.filter(unit_id=unit_id, doc_number=doc_number)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise RuleInvalid("doc_number", f"本单位已有文号为「{doc_number}」的制度。")


def _rule_saved(rule: RuleMade, by: User) -> RuleMade:
    rule._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as err:  # two saves of one number at once: the constraint decides
        raise RuleInvalid("doc_number", f"本单位已有文号为「{rule.doc_number}」的制度。") from err
    return rule


def rule_record(
    *, item: RectificationItem, by: User, title: str, kind: str, issued_on: dt.date | None,
    doc_number: str = "", file: tuple[IO[bytes], str] | None = None,
) -> RuleMade:  # fmt: skip
    """Record a rule made or revised for ``item``, with its file stored as evidence.
    A refused record keeps neither the row nor the file."""
    _rule_may(by, item)
    issued = _rule_checked(title=title, kind=kind, issued_on=issued_on, doc_number=doc_number)
    doc_number = doc_number.strip()
    _rule_unique(unit_id=item.unit_id, doc_number=doc_number)
    with evidence_kept_on_success() as stored, transaction.atomic():
        if file is not None:
            stored.append(evidence_store(data=file[0], name=file[1], by=by))
        rule = RuleMade(item=item, unit_id=item.unit_id, round_id=item.round_id, title=title.strip(),
                        kind=kind, issued_on=issued, doc_number=doc_number, recorded_by=by,
                        evidence=stored[0] if stored else None)  # fmt: skip
        return _rule_saved(rule, by)


def rule_update(
    *, rule: RuleMade, by: User, title: str, kind: str, issued_on: dt.date | None,
    doc_number: str = "", file: tuple[IO[bytes], str] | None = None,
) -> RuleMade:  # fmt: skip
    """Change a rule record (the unit until the item is closed, the office at any time);
    a new file replaces the old one (which stays in the history)."""
    _rule_may(by, rule.item)
    issued = _rule_checked(title=title, kind=kind, issued_on=issued_on, doc_number=doc_number)
    doc_number = doc_number.strip()
    _rule_unique(unit_id=rule.unit_id, doc_number=doc_number, exclude=rule.pk)
    with evidence_kept_on_success() as stored, transaction.atomic():
        if file is not None:
            stored.append(evidence_store(data=file[0], name=file[1], by=by))
            rule.evidence = stored[0]
        rule.title, rule.kind, rule.issued_on = title.strip(), kind, issued
        rule.doc_number = doc_number
        return _rule_saved(rule, by)
