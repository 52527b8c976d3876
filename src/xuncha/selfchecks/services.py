"""Every write of common problems and self-check tasks. Each service checks the role, the
state and the version the user saw, inside one transaction with the row locked, and
raises :class:`~xuncha.common.errors.ServiceError` (in Chinese) leaving nothing changed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import IO

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from xuncha.accounts.access import allowed, can
from xuncha.accounts.models import User
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.common.services import (
    check_version,
    evidence_kept_on_success,
    evidence_store,
    locked,
    save_versioned,
)
from xuncha.findings.models import Finding
from xuncha.planning.selectors import inspected_q
from xuncha.units.models import Unit, UnitKind

from . import similarity
from .models import CandidateGroup, CommonProblem, Grouping, SelfCheckTask, TaskStatus


def grouping_build(*, threshold: float = similarity.THRESHOLD) -> Grouping:
    """Group every finding anew (the job and the command call this; it reads all
    findings, so no user's scope applies: the office alone reads the result). The new
    grouping replaces the old ones in one transaction."""
    started = time.perf_counter()
    rows = Finding.objects.order_by("id").values_list("id", "unit_id", "category", "description")
    texts = [similarity.Text(*row) for row in rows.iterator(chunk_size=5000)]
    groups = similarity.group_texts(texts, threshold=threshold)
    through = CandidateGroup.findings.through
    with transaction.atomic():
        Grouping.objects.all().delete()
        grouping = Grouping.objects.create(
            findings_read=len(texts), threshold=threshold,
            seconds=round(time.perf_counter() - started, 2),
        )  # fmt: skip
        made = CandidateGroup.objects.bulk_create(
            CandidateGroup(grouping=grouping, category=g.category, words="、".join(g.top_words),
                           unit_count=len(g.unit_ids), finding_count=len(g.ids))
            for g in groups
        )  # fmt: skip
        through.objects.bulk_create(
            (through(candidategroup_id=c.pk, finding_id=f) for c, g in zip(made, groups, strict=True)
             for f in g.ids),
            batch_size=5000,
        )  # fmt: skip
    return grouping


def common_problem_create(
    *, by: User, title: str, description: str, unit_kinds: Sequence[str], deadline: dt.date,
    today: dt.date, group: CandidateGroup | None = None,
) -> CommonProblem:  # fmt: skip
    """Name a common problem (from a candidate group, whose findings and words it keeps)."""
    if not allowed(by, "commonproblem.manage"):
        raise PermissionDenied("只有巡察办可以确定共性问题。")
    if not title.strip() or not description.strip():
        raise ServiceError("请填写共性问题名称和问题表现及自查要求。")
    kinds = list(dict.fromkeys(unit_kinds))
    unknown = [k for k in kinds if k not in UnitKind.values]
    if not kinds or unknown:
        raise ServiceError("请选择共性问题适用的单位类型。")
    if deadline < today:
        raise ServiceError("自查时限不能早于今天。")
    with transaction.atomic():
        problem = CommonProblem(
            title=title.strip(), description=description.strip(), unit_kinds=kinds,
            deadline=deadline, created_by=by,
            category=group.category if group else "", words=group.words if group else "",
        )  # fmt: skip
        problem._history_user = by  # type: ignore[attr-defined]
        problem.save()
        if group is not None:
            problem.findings.add(*group.findings.values_list("pk", flat=True))
        return problem


def common_problem_push(*, problem: CommonProblem, by: User) -> int:
    """同类同改 / 未巡先改: a self-check task for every unit of the problem's kinds that
    has none yet, inspected or not. Idempotent: a second push creates tasks only for
    units added since. Returns the number of tasks created."""
    if not allowed(by, "commonproblem.manage"):
        raise PermissionDenied("只有巡察办可以推送自查自纠任务。")
    with transaction.atomic():
        problem = CommonProblem.objects.select_for_update().get(pk=problem.pk)
        units = Unit.objects.filter(kind__in=problem.unit_kinds)
        if not units.exists():
            raise ServiceError(
                f"适用单位类型（{problem.kinds_display()}）下没有任何单位，无法推送。"
            )
        # Units without a task yet, each with whether any round has inspected it.
        todo = (
            units.exclude(id__in=problem.tasks.values("unit_id")).annotate(done=inspected_q())
            .order_by("id").values_list("id", "done")
        )  # fmt: skip
        new = [SelfCheckTask(problem=problem, unit_id=unit_id, inspected=done,
                             deadline=problem.deadline) for unit_id, done in todo]  # fmt: skip
        bulk_create_with_history(new, SelfCheckTask, batch_size=2000, default_user=by)
        problem.pushed_at = timezone.now()
        problem._history_user = by  # type: ignore[attr-defined]
        problem.save(update_fields=["pushed_at", "updated_at"])
        return len(new)


WHAT = "自查任务"


def selfcheck_answer(
    *, task: SelfCheckTask, by: User, found: bool, measures: str,
    files: Sequence[tuple[IO[bytes], str]] = (), version: int | None = None,
) -> SelfCheckTask:  # fmt: skip
    """The unit reports: found the same problem or not, with what it checked and did.
    Files are optional evidence; if anything fails none is kept."""
    if not can(by, "selfcheck.answer", task):
        raise PermissionDenied("只有自查单位可以报告自查情况。")
    if not measures.strip():
        raise ServiceError("请填写自查情况及整改措施。")
    with evidence_kept_on_success() as stored, transaction.atomic():
        task = locked(task)  # the state first: "already accepted" says more than "changed"
        if task.status == TaskStatus.ACCEPTED:
            raise ServiceError("该自查任务已被认可，不能再报告。")
        if task.status == TaskStatus.ANSWERED:
            raise ServiceError("已报告自查情况，正在等待巡察办审核，不能重复报告。")
        check_version(task, version, WHAT)
        stored.extend(evidence_store(data=data, name=name, by=by) for data, name in files)
        task.evidence.add(*stored)
        task.status, task.found, task.measures = TaskStatus.ANSWERED, found, measures.strip()
        task.answered_by, task.answered_at, task.returned_reason = by, timezone.now(), ""
        return save_versioned(task, by, ["status", "found", "measures", "answered_by", "answered_at",
                                "returned_reason"])  # fmt: skip


def selfcheck_accept(*, task: SelfCheckTask, by: User, version: int | None = None) -> SelfCheckTask:
    if not can(by, "selfcheck.review", task):
        raise PermissionDenied("只有巡察办可以认可自查情况。")
    with transaction.atomic():
        task = locked(task)
        if task.status != TaskStatus.ANSWERED:
            raise ServiceError(f"任务现为“{task.get_status_display()}”，没有待审核的自查报告。")
        check_version(task, version, WHAT)
        task.status, task.reviewed_by, task.reviewed_at = TaskStatus.ACCEPTED, by, timezone.now()
        task.returned_reason = ""
        return save_versioned(task, by, ["status", "reviewed_by", "reviewed_at", "returned_reason"])


def selfcheck_return(
    *, task: SelfCheckTask, by: User, reason: str, version: int | None = None
) -> SelfCheckTask:
    """退回: the unit reads the reason on its task and reports again."""
    if not can(by, "selfcheck.review", task):
        raise PermissionDenied("只有巡察办可以退回自查情况。")
    if not reason.strip():
        raise ServiceError("退回必须填写原因（退回原因不能为空）。")
    with transaction.atomic():
        task = locked(task)
        if task.status != TaskStatus.ANSWERED:
            raise ServiceError(
                f"任务现为“{task.get_status_display()}”，没有待审核的自查报告，无法退回。"
            )
        check_version(task, version, WHAT)
        task.status, task.returned_reason = TaskStatus.RETURNED, reason.strip()
        task.reviewed_by, task.reviewed_at = by, timezone.now()
        return save_versioned(task, by, ["status", "returned_reason", "reviewed_by", "reviewed_at"])
