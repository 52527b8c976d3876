"""A run as a background job: queueing, the worker's execution, failure and reaping."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from xuncha.accounts.models import User
from xuncha.common import jobs
from xuncha.common.errors import ServiceError
from xuncha.crosscheck import CheckConfig, InputError
from xuncha.crosscheck.isolated import run_check_isolated
from xuncha.crosscheck.programs import DEFAULT_PROGRAM, program_of
from xuncha.planning.models import Team

from ..models import CheckRun, Dataset, RunStatus, Suspect, Verdict
from ._common import require_team as _require_team
from .bulk import suspects_insert
from .datasets import _mapping, dataset_preview
from .verification import verification_carry

log = logging.getLogger(__name__)


@dataclass
class RunParams:
    """A run's settings: the program (its id), the report's title, the values of its
    rules' parameters by name (the others keep their defaults), the rules to run
    (none: all of the program's) and the texts of the office's own rules ticked for it
    (kept whole with the run)."""

    program: str = DEFAULT_PROGRAM
    title: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    rules: list[str] | None = None
    user_rules: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        values = {k: str(v) if isinstance(v, Decimal) else v for k, v in self.params.items()}
        rules = list(program_of(self.program).rule_ids) if self.rules is None else self.rules
        kept = {"program": self.program, "title": self.title, "params": values, "rules": rules}
        return kept | ({"user_rules": self.user_rules} if self.user_rules else {})


def run_start(*, team: Team, by: User, datasets: list[Dataset], params: RunParams) -> CheckRun:
    """Queue a run of the rules over ``datasets``; the worker does the rest."""
    _require_team(by, team.pk)
    if any(d.team_id != team.pk or d.retired for d in datasets):
        raise ServiceError("所选数据不属于本组或已停用。")
    try:
        main = program_of(params.program).inputs[0]  # the payment list
    except InputError as err:
        raise ServiceError(str(err)) from err
    if not any(d.kind == main.id for d in datasets):
        raise ServiceError(f"请至少选择一份{main.label}。")
    if params.rules == []:
        raise ServiceError("请至少选择一条规则。")
    try:  # the declaration checks rules, inputs and each parameter, with its own message
        CheckConfig(inputs={d.kind: [Path(d.name)] for d in datasets}, program=params.program,
                    user_rules=tuple(params.user_rules),
                    params=dict(params.params), rules=tuple(params.rules or ())).validate()  # fmt: skip
    except InputError as err:
        raise ServiceError(str(err)) from err
    problems = []
    for d in datasets:
        errors, _ = dataset_preview(d).problems(d.kind)
        problems += [f"「{d.name}」{e}" for e in errors]
    if problems:
        raise ServiceError(
            "以下数据无法比对，请先修正列映射或换用正确的文件：" + "；".join(problems)
        )
    with transaction.atomic():
        Team.objects.select_for_update().get(pk=team.pk)  # numbers and "one at a time"
        busy = CheckRun.objects.filter(team=team, status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
        if busy.exists():
            raise ServiceError("本组已有一次比对在排队或运行，请等它结束后再运行。")
        last = CheckRun.objects.filter(team=team).order_by("-number").first()
        previous = (
            CheckRun.objects.filter(team=team, status=RunStatus.DONE).order_by("-number").first()
        )
        run = CheckRun.objects.create(
            team=team, number=(last.number + 1) if last else 1, previous=previous,
            params=params.as_json(), created_by=by, step="等待工作进程",
        )  # fmt: skip
        run.datasets.set(datasets)
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from ..tasks import check_run_task

    check_run_task(run_id)


def run_execute(run_id: int) -> None:
    """The job: run the engine, keep its report and manifest, store the suspects.
    Called by the worker; everything it writes appears at once or not at all."""
    with transaction.atomic():
        run = CheckRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != RunStatus.QUEUED:
            return  # removed, or already taken by another worker
        now = timezone.now()
        run.status, run.worker, run.started_at, run.heartbeat_at = (
            RunStatus.RUNNING, jobs.worker_id(), now, now)  # fmt: skip
        run.step = "开始"
        run.save(update_fields=["status", "worker", "started_at", "heartbeat_at", "step"])
    folder = run_folder(run.pk)
    t0 = time.perf_counter()
    try:
        with jobs.heartbeat(lambda: _beat(run.pk)):
            _execute(run, folder, t0)
    except (InputError, ServiceError) as err:
        _fail(run.pk, str(err), folder)
    except Exception as err:
        log.exception("check run %s failed", run.pk)
        _fail(
            run.pk,
            f"运行出错（{type(err).__name__}: {str(err)[:300]}），请联系系统管理员。",
            folder,
        )


def run_folder(run_id: int) -> Path:
    """Where a run's report files are kept (under MEDIA_ROOT)."""
    return Path(settings.MEDIA_ROOT) / "checks" / "runs" / str(run_id)


def _beat(run_id: int) -> None:
    CheckRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(heartbeat_at=timezone.now())


def _progress(run_id: int, share: float, step: str) -> None:
    CheckRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        progress=max(0.0, min(share, 1.0)), step=step[:200], heartbeat_at=timezone.now()
    )


def _execute(run: CheckRun, folder: Path, t0: float) -> None:
    from xuncha.crosscheck.report import MANIFEST, write_outputs

    datasets = list(run.datasets.all())
    inputs: dict[str, list[Path]] = {}
    for d in datasets:
        inputs.setdefault(d.kind, []).append(Path(d.file.path))
    p = run.params
    config = CheckConfig(
        inputs=inputs,
        program=p["program"],
        params=p["params"],
        rules=tuple(p["rules"]),
        user_rules=tuple(p.get("user_rules", ())),
        title=p["title"],
        mapping=_mapping(datasets),
        memory_limit=settings.CHECK_MEMORY_LIMIT,
    )
    timings = {"prepare": round(time.perf_counter() - t0, 3)}
    # In a child process with limits: a file that crashes its reader fails this run
    # with an InputError naming it, and the worker lives on.
    result = run_check_isolated(
        config, _scratch(), progress=lambda s, w: _progress(run.pk, s * 0.9, w)
    )
    timings["check"] = result.seconds
    # The report (DuckDB and zlib, which release the GIL) is written on a helper thread
    # while the suspects go into the database; both land, or neither does.
    _progress(run.pk, 0.9, "生成疑点核查表并保存疑点")
    t1 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=1) as helper:
        report = helper.submit(write_outputs, result, folder)
        with transaction.atomic():
            current = CheckRun.objects.select_for_update().get(pk=run.pk)
            if current.status != RunStatus.RUNNING or current.worker != run.worker:
                raise ServiceError("该次比对已被标记为失败（工作进程曾失去响应），结果未保存。")
            suspects_insert(run, result.hits)
            verification_carry(run)
            timings["store"] = round(time.perf_counter() - t1, 3)
            outputs = report.result()
            timings["report_and_store"] = round(time.perf_counter() - t1, 3)
            manifest = json.loads(outputs[MANIFEST].read_text(encoding="utf-8"))
            summary = _summary(run, manifest, result.hits.num_rows)
            summary["timings"] = timings  # seconds of each part of the job
            CheckRun.objects.filter(pk=run.pk).update(
                status=RunStatus.DONE, progress=1.0, step="完成", finished_at=timezone.now(),
                seconds=round(time.perf_counter() - t0, 3), manifest=manifest, summary=summary,
                folder=str(folder.relative_to(settings.MEDIA_ROOT)),
            )  # fmt: skip


def _fail(run_id: int, reason: str, folder: Path | None = None) -> None:
    CheckRun.objects.filter(pk=run_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).update(
        status=RunStatus.FAILED, error=reason, finished_at=timezone.now(), step="失败"
    )
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def runs_reap(*, stale_after: float | None = None) -> int:
    """Mark failed the runs whose worker is gone: its process no longer exists on this
    machine, or it has not reported for ``stale_after`` seconds. Returns how many.

    Then remove what killed runs left on this machine: run folders of runs that did
    not finish (a half-written report holds full ID numbers) and scratch folders no
    live run holds (see :mod:`xuncha.crosscheck.workdir`). The worker does this when it
    starts, and every minute."""
    stale_after = settings.JOB_STALE_SECONDS if stale_after is None else stale_after
    cutoff = timezone.now() - dt.timedelta(seconds=stale_after)
    reaped = 0
    for run in CheckRun.objects.filter(status=RunStatus.RUNNING):
        alive = jobs.pid_alive(run.worker)
        if alive is False or (run.heartbeat_at is not None and run.heartbeat_at < cutoff):
            why = "工作进程已退出" if alive is False else f"工作进程 {stale_after:.0f} 秒没有响应"
            _fail(run.pk, f"比对中断：{why}（进程 {run.worker}），结果未保存。可以重新运行。",
                  run_folder(run.pk))  # fmt: skip
            reaped += 1
    _sweep_leftovers()
    return reaped


def _sweep_leftovers() -> None:
    from xuncha.crosscheck.workdir import sweep

    sweep(_scratch())
    runs = run_folder(0).parent
    if not runs.is_dir():
        return
    numbered = {int(p.name): p for p in runs.iterdir() if p.name.isdigit() and p.is_dir()}
    live = set(CheckRun.objects.filter(pk__in=numbered).exclude(status=RunStatus.FAILED)
               .values_list("pk", flat=True))  # fmt: skip
    for run_id, folder in numbered.items():
        if run_id in live:
            sweep(folder)  # a finished run's folder: only a killed rewrite's work folder
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _scratch() -> Path:
    """Where runs keep their scratch files: in the data folder, never the system's."""
    scratch = Path(settings.DATA_DIR) / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    return scratch


def _summary(run: CheckRun, manifest: dict[str, Any], total: int) -> dict[str, Any]:
    """Counts per rule (from the manifest, which has them, with the hits of each whose
    payee could not be told: 无法归属到人) and the changes since the previous run (from
    the suspects)."""
    per_rule = {
        r["id"]: {"count": r["hits"], "amount": r["amount"]}
        | ({"unattributed": r["unattributed"]} if "unattributed" in r else {})
        for r in manifest["rules"] if r["status"] == "run" and r["hits"]
    }  # fmt: skip
    out: dict[str, Any] = {"total": total, "per_rule": per_rule}
    rows = Suspect.objects.filter(run=run)
    if run.previous_id is not None:
        old = Suspect.objects.filter(run_id=run.previous_id)
        same = rows.filter(key__in=old.values("key")).count()
        out["changes"] = {
            "previous": CheckRun.objects.get(pk=run.previous_id).number,
            "new": out["total"] - same,
            "gone": old.exclude(key__in=rows.values("key")).count(),
            "same": same,
            "carried": rows.exclude(verdict=Verdict.PENDING).count(),
        }
    return out
