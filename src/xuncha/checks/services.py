"""Every write of the cross-check workbench: datasets, runs, verification, findings.

The engine (:mod:`xuncha.crosscheck`) does the checking; this module keeps what the
workbench adds: who may do it, the files, the job's state, and the suspects in the
database so that they can be filtered, verified and turned into findings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import secrets
import shutil
import time
import unicodedata
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Count, OuterRef, Subquery, Sum
from django.utils import timezone

from xuncha import __version__
from xuncha.accounts.access import can_unmask, is_inspecting_side
from xuncha.accounts.models import User
from xuncha.common import jobs
from xuncha.common.errors import ConcurrentEdit, PermissionDenied, ServiceError
from xuncha.crosscheck import RULES, RULES_BY_ID, CheckConfig, InputError, Mapping
from xuncha.crosscheck.engine import HIT_SCHEMA
from xuncha.crosscheck.isolated import run_check_isolated
from xuncha.crosscheck.preview import FilePreview, preview_isolated
from xuncha.crosscheck.roles import ROLES
from xuncha.findings.choices import Category, Source, Subcategory
from xuncha.findings.models import Finding
from xuncha.findings.services import finding_create
from xuncha.planning.models import Assignment, Team
from xuncha.rectifications.models import RectificationItem
from xuncha.rectifications.services import rectification_create

from .models import CheckRun, Dataset, DatasetKind, RunStatus, Suspect, Unmasking, Verdict

log = logging.getLogger(__name__)

DEFAULT_PROGRAM = CheckConfig(payments=[]).program
CHUNK = 1 << 20


def _require_team(by: User, team_id: int) -> None:
    if not is_inspecting_side(by, team_id):
        raise PermissionDenied("只有巡察办或本巡察组可以使用本组的数据比对。")


# ------------------------------------------------------------------ datasets


def clean_file_name(name: str) -> str:
    """The name a user's file is kept and quoted under: no folders, no control
    characters, at most 120 characters, the extension kept."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 8:
        stem, ext = name, ""
    stem = stem[: 120 - len(ext) - 1] or "数据文件"
    return f"{stem}.{ext}" if ext else stem


PREVIEW_CACHE = ".preview.json"
"""Beside each dataset's file (a user's file name never starts with a dot)."""


def dataset_preview(dataset: Dataset) -> FilePreview:
    """What the engine will read from the dataset with its current mapping.

    The file is untrusted: it is read in a child process with memory and time limits
    (:func:`preview_isolated`), once per mapping; the preview is kept beside the file,
    so a page view does not read the file again."""
    key = json.dumps(
        {"mapping": dataset.mapping, "sha256": dataset.sha256, "version": __version__},
        sort_keys=True,
    )
    cache = Path(dataset.file.path).parent / PREVIEW_CACHE
    try:
        stored = json.loads(cache.read_text(encoding="utf-8"))
        if stored["key"] == key:
            return FilePreview.from_json(stored["preview"])
    except (OSError, ValueError, TypeError, KeyError):
        pass  # none yet, or from another mapping or version: read the file
    preview = preview_isolated(dataset.file.path, _mapping([dataset]), name=dataset.name)
    if preview.error is None:  # a crash or time-out may not recur: not kept
        part = cache.with_name(f"{PREVIEW_CACHE}.{secrets.token_hex(4)}")
        part.write_text(json.dumps({"key": key, "preview": preview.to_json()}), encoding="utf-8")
        part.replace(cache)
    return preview


def dataset_upload(*, team: Team, kind: str, data: IO[bytes], name: str, by: User) -> Dataset:
    """Store an uploaded table and check it can be read. A file that is not a table
    (or is corrupt, encrypted, empty, in an unknown encoding, a zip bomb, or one that
    crashes its reader in the child process it is read in) is refused and nothing is
    kept; an active dataset of the same name is replaced (new data for the next run)."""
    _require_team(by, team.pk)
    if kind not in DatasetKind.values:
        raise ServiceError("请选择数据类别（发放名单、死亡人员名单或财政供养人员名单）。")
    name = clean_file_name(name)
    limit = settings.DATASET_MAX_BYTES
    dataset = Dataset(team=team, kind=kind, name=name, token=secrets.token_hex(16),
                      size=0, sha256="", uploaded_by=by)  # fmt: skip
    path = Path(settings.MEDIA_ROOT) / dataset.file.field.upload_to(dataset, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    try:
        with path.open("wb") as out:
            while chunk := data.read(CHUNK):
                dataset.size += len(chunk)
                if dataset.size > limit:
                    raise ServiceError(f"「{name}」超过 {limit // (1024 * 1024)} MB 的上限。")
                digest.update(chunk)
                out.write(chunk)
        if dataset.size == 0:
            raise ServiceError(f"「{name}」是空文件。")
        dataset.sha256 = digest.hexdigest()
        dataset.file.name = str(path.relative_to(settings.MEDIA_ROOT))
        preview = dataset_preview(dataset)
        if preview.unreadable:
            raise ServiceError(preview.error or _unreadable(name, preview))
        with transaction.atomic():
            same = Dataset.objects.filter(team=team, retired=False, sha256=dataset.sha256).first()
            if same is not None:
                raise ServiceError(
                    f"「{name}」与已上传的「{same.name}」内容完全相同，无需重复上传。"
                )
            Dataset.objects.select_for_update().filter(team=team, retired=False, name=name).update(
                retired=True
            )
            dataset.save()
        return dataset
    except BaseException:
        shutil.rmtree(path.parent, ignore_errors=True)
        raise


def _unreadable(name: str, preview: FilePreview) -> str:
    reasons = "；".join(f"工作表「{s.sheet}」{s.error}" for s in preview.sheets)
    return f"文件「{name}」没有可以读取的工作表：{reasons}。"


def dataset_upload_files(*, team: Team, by: User, files: dict[str, list[Path]]) -> list[Dataset]:
    """Upload files from disk by kind ({"payments": [...], "deaths": [...]}), all or none
    (the demo, scripts and benchmarks load generated data this way)."""
    done: list[Dataset] = []
    try:
        for kind, paths in files.items():
            for path in paths:
                with path.open("rb") as f:
                    done.append(dataset_upload(team=team, kind=kind, data=f, name=path.name, by=by))
    except BaseException:
        for dataset in done:
            shutil.rmtree(Path(dataset.file.path).parent, ignore_errors=True)
            dataset.delete()
        raise
    return done


def dataset_map(
    *, dataset: Dataset, by: User, columns: dict[str, str], header_row: int | None = None
) -> FilePreview:
    """Save the user's column mapping (column letter -> role; roles not given are as
    recognised). Refused, and nothing saved, if a sheet would then have no ID column."""
    _require_team(by, dataset.team_id)
    chosen = {k.upper(): v for k, v in columns.items() if v}
    unknown = sorted({r for r in chosen.values() if r not in ROLES and r != "ignore"})
    if unknown or any(not re.fullmatch(r"[A-Z]{1,3}", k) for k in chosen):
        raise ServiceError("列映射有误：未知的列或角色。")
    twice = sorted(
        {ROLES[r] for r in chosen.values() if r != "ignore" and list(chosen.values()).count(r) > 1}
    )
    if twice:
        raise ServiceError(f"同一角色只能对应一列：{'、'.join(twice)}。")
    if header_row is not None and not 1 <= header_row <= 40:
        raise ServiceError("表头行号应在 1 到 40 之间。")
    before = dataset.mapping
    dataset.mapping = {k: v for k, v in (("columns", chosen), ("header_row", header_row)) if v}
    preview = dataset_preview(dataset)
    errors, _ = preview.problems(dataset.kind)
    if errors:
        dataset.mapping = before
        raise ServiceError(f"「{dataset.name}」按此映射无法比对：{'；'.join(errors)}。")
    dataset.save(update_fields=["mapping", "updated_at"])
    return preview


def dataset_retire(*, dataset: Dataset, by: User) -> None:
    """Leave a dataset out of future runs (past runs keep it, and their evidence)."""
    _require_team(by, dataset.team_id)
    dataset.retired = True
    dataset.save(update_fields=["retired", "updated_at"])


def _mapping(datasets: Iterable[Dataset]) -> Mapping:
    return Mapping(files={d.name: d.mapping for d in datasets if d.mapping})


# ------------------------------------------------------------------ runs


@dataclass
class RunParams:
    standard: Decimal = Decimal(600)
    grace_days: int = 0
    program: str = DEFAULT_PROGRAM
    rules: list[str] = field(default_factory=lambda: [r.id for r in RULES])

    def as_json(self) -> dict[str, Any]:
        return {"standard": str(self.standard), "grace_days": self.grace_days,
                "program": self.program, "rules": self.rules}  # fmt: skip


def run_start(*, team: Team, by: User, datasets: list[Dataset], params: RunParams) -> CheckRun:
    """Queue a run of the rules over ``datasets``; the worker does the rest."""
    _require_team(by, team.pk)
    if any(d.team_id != team.pk or d.retired for d in datasets):
        raise ServiceError("所选数据不属于本组或已停用。")
    if not any(d.kind == DatasetKind.PAYMENTS for d in datasets):
        raise ServiceError("请至少选择一份发放名单。")
    unknown = [r for r in params.rules if r not in RULES_BY_ID]
    if unknown or not params.rules:
        raise ServiceError("请至少选择一条规则。")
    if params.standard <= 0 or params.grace_days < 0:
        raise ServiceError("发放标准应大于 0，宽限天数不能为负数。")
    if not params.program.strip():
        raise ServiceError("请填写资金项目名称。")
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
    from .tasks import check_run_task

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
    by_kind = {k: [Path(d.file.path) for d in datasets if d.kind == k] for k in DatasetKind.values}
    p = run.params
    config = CheckConfig(
        payments=by_kind["payments"], deaths=by_kind["deaths"], payroll=by_kind["payroll"],
        standard=Decimal(p["standard"]), grace_days=int(p["grace_days"]),
        rules=tuple(p["rules"]), program=p["program"], mapping=_mapping(datasets),
        memory_limit=settings.CHECK_MEMORY_LIMIT,
    )  # fmt: skip
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
            _store_suspects(run, result.hits)
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


# The suspect's columns the engine fills (named as in its hits), and how each is sent
# to the database: text never NULL, decimals and dates as text (SQLite binds neither).
_HIT_FIELDS = [f for f in Suspect._meta.concrete_fields if f.column in HIT_SCHEMA.names]
_TEXT = {f.column for f in Suspect._meta.concrete_fields
         if isinstance(f, models.CharField | models.TextField)}  # fmt: skip


def _store_suspects(run: CheckRun, hits: Any) -> None:
    """Insert the hits as suspects in one statement stream (COPY on PostgreSQL), then
    carry over the verification of the same suspects in the previous run."""
    import duckdb

    con = duckdb.connect()
    try:
        con.register("hits", hits)
        picked = {
            "run_id": str(run.pk),
            "number": "row_number() OVER ()",
            "key": "md5(concat_ws('|', rule, file, sheet, \"row\", id_number, amount, payment_date))",
            "verdict": f"'{Verdict.PENDING}'",
            "note": "''",
            "version": "0",
        }
        for f in _HIT_FIELDS:
            as_text = isinstance(f, models.DecimalField | models.DateField)
            picked[f.column] = f'CAST("{f.column}" AS VARCHAR)' if as_text else f'"{f.column}"'
        for c in picked.keys() & _TEXT:
            picked[c] = f"coalesce(CAST({picked[c]} AS VARCHAR), '')"
        select = ", ".join(f"{expr} AS {c}" for c, expr in picked.items())
        table = con.sql(f"SELECT {select} FROM hits").to_arrow_table()
    finally:
        con.close()
    _bulk_insert(Suspect._meta.db_table, table)
    previous = run.previous_id
    if previous is None:
        return
    old = Suspect.objects.filter(run_id=previous, key=OuterRef("key"))
    carried = Suspect.objects.filter(
        run=run, key__in=Suspect.objects.filter(run_id=previous).exclude(
            verdict=Verdict.PENDING, finding__isnull=True
        ).values("key"),
    )  # fmt: skip
    carried.update(**{f: Subquery(old.values(f)[:1]) for f in (
        "verdict", "improper_amount", "recovered_amount", "note", "verified_by", "verified_at",
        "finding",
    )})  # fmt: skip


def _bulk_insert(table: str, data: Any) -> None:
    """Insert an Arrow table: COPY for PostgreSQL, executemany for SQLite."""
    cols = list(data.column_names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            import io

            import pyarrow.csv as pacsv

            buf = io.BytesIO()
            pacsv.write_csv(data, buf, pacsv.WriteOptions(include_header=False))
            text_cols = ", ".join(c for c in cols if c in _TEXT)
            sql = (f"COPY {table} ({', '.join(cols)}) FROM STDIN "
                   f"(FORMAT csv, FORCE_NOT_NULL ({text_cols}))")  # fmt: skip
            with cursor.cursor.copy(sql) as copy:
                copy.write(buf.getvalue())
            return
        marks = ", ".join(["%s"] * len(cols))
        columns = [data.column(c).to_pylist() for c in cols]
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",
            list(zip(*columns, strict=True)),
        )


def _summary(run: CheckRun, manifest: dict[str, Any], total: int) -> dict[str, Any]:
    """Counts per rule (from the manifest, which has them) and the changes since the
    previous run (from the suspects)."""
    per_rule = {
        r["id"]: {"count": r["hits"], "amount": r["amount"]}
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


# ------------------------------------------------------------------ verification


def _money(value: Decimal | None, label: str) -> Decimal | None:
    if value is None:
        return None
    if value < 0:
        raise ServiceError(f"{label}不能为负数。")
    return value.quantize(Decimal("0.01"))


def check_verification(
    verdict: str, improper: Decimal | None, recovered: Decimal | None
) -> tuple[Decimal | None, Decimal | None]:
    """The amounts as stored, or ServiceError saying what does not fit together."""
    if verdict not in Verdict.values:
        raise ServiceError("核查结论只能是属实、不属实或待核实。")
    improper, recovered = _money(improper, "应追回金额"), _money(recovered, "已追回金额")
    if verdict != Verdict.CONFIRMED and (improper or recovered):
        raise ServiceError("只有核查属实的疑点才能填写应追回金额和已追回金额。")
    if verdict == Verdict.CONFIRMED and improper is None:
        raise ServiceError("核查属实的疑点须填写应追回金额（没有需追回的填 0）。")
    if recovered is not None and improper is not None and recovered > improper:
        raise ServiceError("已追回金额不能大于应追回金额。")
    return improper, recovered


def suspect_verify(
    *, suspect: Suspect, by: User, verdict: str, improper_amount: Decimal | None = None,
    recovered_amount: Decimal | None = None, note: str = "", version: int | None = None,
) -> Suspect:  # fmt: skip
    """Record the verification of one suspect (on screen)."""
    _require_team(by, suspect.run.team_id)
    improper, recovered = check_verification(verdict, improper_amount, recovered_amount)
    with transaction.atomic():
        current = Suspect.objects.select_for_update().get(pk=suspect.pk)
        if version is not None and current.version != version:
            raise ConcurrentEdit("该疑点已被他人修改，请刷新页面后重新录入。")
        if current.finding_id and verdict != Verdict.CONFIRMED:
            raise ServiceError("该疑点已汇入问题，不能改为非属实；如确有误，请先在问题中说明。")
        _apply(current, by, verdict, improper, recovered, note)
        _sync_recovered([current.finding_id])
        return current


def _apply(s: Suspect, by: User, verdict: str, improper: Decimal | None,
           recovered: Decimal | None, note: str) -> None:  # fmt: skip
    s.verdict, s.improper_amount, s.recovered_amount = verdict, improper, recovered
    s.note, s.verified_by, s.verified_at = note.strip()[:2000], by, timezone.now()
    s.version += 1
    s._history_user = by  # type: ignore[attr-defined]
    s.save(update_fields=["verdict", "improper_amount", "recovered_amount", "note",
                          "verified_by", "verified_at", "version"])  # fmt: skip


def _sync_recovered(finding_ids: Iterable[int | None]) -> None:
    """A finding's rectification item shows the money recovered on its suspects."""
    for finding_id in {f for f in finding_ids if f}:
        latest = CheckRun.objects.filter(suspects__finding_id=finding_id).order_by("-number")[:1]
        total = Suspect.objects.filter(finding_id=finding_id, run__in=latest).aggregate(
            s=Sum("recovered_amount"))["s"] or Decimal(0)  # fmt: skip
        RectificationItem.objects.filter(finding_id=finding_id).update(money_recovered=total)


@dataclass
class ImportReport:
    applied: int = 0
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)


def verification_import(*, run: CheckRun, by: User, rows: list[dict[str, Any]]) -> ImportReport:
    """Apply verification rows read from a returned 疑点核查表 (see :mod:`.workbook`).

    Each row names its suspect and the version it was exported at. A row equal to what
    is recorded changes nothing (importing twice is harmless); a row whose suspect was
    changed since the export is a conflict: not applied, reported. Bad values refuse the
    whole file (the caller checked them already)."""
    _require_team(by, run.team_id)
    if run.status != RunStatus.DONE:
        raise ServiceError("只能导入已完成比对的核查结果。")
    report = ImportReport()
    with transaction.atomic():
        suspects = {s.number: s for s in Suspect.objects.select_for_update().filter(
            run=run, number__in=[r["number"] for r in rows])}  # fmt: skip
        touched = []
        for r in rows:
            s = suspects.get(r["number"])
            if s is None:
                raise ServiceError(
                    f"第 {r['line']} 行：疑点编号 {r['number']} 不属于第 {run.number} 次比对。"
                )
            if s.key[:8] != r["check"]:
                raise ServiceError(
                    f"第 {r['line']} 行：疑点编号 {r['number']} 与表中其他内容不符（表格行被改动或来自其他批次）。"
                )
            same = (s.verdict, s.improper_amount, s.recovered_amount, s.note) == (
                r["verdict"], r["improper"], r["recovered"], r["note"])  # fmt: skip
            if same:
                report.unchanged += 1
            elif s.version != r["version"]:
                report.conflicts.append(
                    f"疑点 {s.number}（第 {r['line']} 行，{s.name}）：导出后已在系统中修改为"
                    f"「{s.get_verdict_display()}」，表中为「{Verdict(r['verdict']).label}」，未导入"
                )
            elif s.finding_id and r["verdict"] != Verdict.CONFIRMED:
                report.conflicts.append(
                    f"疑点 {s.number}（第 {r['line']} 行）：已汇入问题，不能改为非属实，未导入"
                )
            else:
                _apply(s, by, r["verdict"], r["improper"], r["recovered"], r["note"])
                touched.append(s.finding_id)
                report.applied += 1
        _sync_recovered(touched)
    return report


def unmasking_log(*, run: CheckRun, by: User, what: str, suspect: Suspect | None = None) -> None:
    """Record that ``by`` saw full ID numbers; refused to those without the right."""
    if not can_unmask(by, run.team_id):
        raise PermissionDenied("只有巡察办和巡察组组长、副组长可以查看完整身份证号码。")
    Unmasking.objects.create(run=run, suspect=suspect, what=what, user=by)


# ------------------------------------------------------------------ findings


def suspects_to_finding(
    *, run: CheckRun, by: User, assignment: Assignment, description: str = "",
    fed_back_on: dt.date | None = None,
) -> Finding:  # fmt: skip
    """Roll the confirmed suspects of a run not yet in a finding up into one finding
    (source 数据比对, amount = the improper total) fed back to the unit as a
    rectification item whose recovered money follows the suspects."""
    _require_team(by, run.team_id)
    if assignment.team_id != run.team_id:
        raise ServiceError("所选被巡察单位不是本组负责的单位。")
    with transaction.atomic():
        confirmed = Suspect.objects.select_for_update().filter(
            run=run, verdict=Verdict.CONFIRMED, finding__isnull=True
        )
        agg = confirmed.aggregate(n=Count("id"), people=Count("id_normalized", distinct=True),
                                  amount=Sum("improper_amount"))  # fmt: skip
        if not agg["n"]:
            raise ServiceError("没有尚未汇入问题的核实属实疑点。")
        amount = agg["amount"] or Decimal(0)
        program = run.params.get("program") or DEFAULT_PROGRAM
        text = description.strip() or (
            f"数据比对发现{program}违规发放问题：经核实属实 {agg['n']} 条，"
            f"涉及 {agg['people']} 人，违规发放 {amount:,.2f} 元（第 {run.number} 次比对）。"
        )
        finding = finding_create(
            assignment=assignment, by=by, category=Category.CORRUPTION,
            subcategory=Subcategory.BENEFIT_FUNDS, description=text, source=Source.CROSSCHECK,
            amount=amount,
        )  # fmt: skip
        confirmed.update(finding=finding)
        rectification_create(
            finding=finding, by=by, fed_back_on=fed_back_on or timezone.localdate()
        )
        _sync_recovered([finding.pk])
    return finding
