"""Verification of suspects: on screen, from a returned workbook, and carried to
re-runs. A verdict belongs to the suspect's key within the team: every run that finds
the same suspect again starts from its latest verdict, a workbook from any run lands
on the key's latest occurrence, and the figures count each key once (see
:func:`xuncha.checks.selectors.current_suspects`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from xuncha.accounts.access import can_unmask
from xuncha.accounts.models import User
from xuncha.common.errors import ConcurrentEdit, PermissionDenied, ServiceError
from xuncha.rectifications.models import RectificationItem

from ..models import CheckRun, RunStatus, Suspect, Unmasking, Verdict
from ..selectors import current_suspects, later_occurrence
from ._common import require_team as _require_team

CARRIED = ("verdict", "improper_amount", "recovered_amount", "note", "verified_by",
           "verified_at", "version")  # fmt: skip
"""What a re-run takes over: the version too, so a workbook exported from an earlier
run at that version imports without a false conflict."""


def verification_carry(run: CheckRun) -> int:
    """Give ``run``'s suspects the latest verdict of the same key from every earlier
    completed run of the team, not only the one before (a narrow run in between must
    not lose what a full run before it had), and the finding the key was rolled into.
    Returns how many suspects were carried.

    One UPDATE … FROM over a window (PostgreSQL, and SQLite 3.33+): the earlier rows are
    read once, not once per column and suspect as correlated subqueries would."""
    suspect, checkrun = Suspect._meta.db_table, CheckRun._meta.db_table
    cols = [f.column for f in Suspect._meta.concrete_fields if f.name in CARRIED]
    picked = ", ".join(f"s.{c}" for c in cols)
    assign = ", ".join(f"{c} = src.{c}" for c in cols)
    earlier = (f"FROM {suspect} s JOIN {checkrun} r ON r.id = s.run_id "
               "WHERE r.team_id = %s AND r.status = %s AND r.number < %s")  # fmt: skip
    args: list[Any] = [run.team_id, str(RunStatus.DONE), run.number]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {suspect} SET {assign} FROM (SELECT s.key, {picked}, row_number() OVER "
            f"(PARTITION BY s.key ORDER BY r.number DESC) AS rn {earlier} "
            f"AND s.verified_at IS NOT NULL) src "
            f"WHERE src.rn = 1 AND {suspect}.run_id = %s AND {suspect}.key = src.key",
            [*args, run.pk],
        )
        carried = cursor.rowcount
        cursor.execute(
            f"UPDATE {suspect} SET finding_id = src.finding_id FROM (SELECT s.key, "
            f"max(s.finding_id) AS finding_id {earlier} AND s.finding_id IS NOT NULL "
            f"GROUP BY s.key) src WHERE {suspect}.run_id = %s AND {suspect}.key = src.key",
            [*args, run.pk],
        )
    return carried


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
    """Record the verification of one suspect (on screen). Refused on a run's row when a
    later run found the same suspect again: its verdict is kept there now, and two
    rows of one suspect must not disagree."""
    _require_team(by, suspect.run.team_id)
    improper, recovered = check_verification(verdict, improper_amount, recovered_amount)
    with transaction.atomic():
        current = Suspect.objects.select_for_update().select_related("run").get(pk=suspect.pk)
        later = later_occurrence(current)
        if later is not None:
            raise ServiceError(
                f"该疑点在第 {later.run.number} 次比对中再次出现（疑点 {later.number}），"
                "请在最新一次比对中核查。"
            )
        if version is not None and current.version != version:
            raise ConcurrentEdit("该疑点已被他人修改，请刷新页面后重新录入。")
        if current.finding_id and verdict != Verdict.CONFIRMED:
            raise ServiceError("该疑点已汇入问题，不能改为非属实；如确有误，请先在问题中说明。")
        _apply(current, by, verdict, improper, recovered, note)
        sync_recovered([current.finding_id])
        return current


def _apply(s: Suspect, by: User, verdict: str, improper: Decimal | None,
           recovered: Decimal | None, note: str) -> None:  # fmt: skip
    s.verdict, s.improper_amount, s.recovered_amount = verdict, improper, recovered
    s.note, s.verified_by, s.verified_at = note.strip()[:2000], by, timezone.now()
    s.version += 1
    s._history_user = by  # type: ignore[attr-defined]
    s.save(update_fields=["verdict", "improper_amount", "recovered_amount", "note",
                          "verified_by", "verified_at", "version"])  # fmt: skip


def sync_recovered(finding_ids: Iterable[int | None]) -> None:
    """A finding's rectification item shows the money recovered on its suspects, each
    counted once, at its latest verdict."""
    for finding_id in {f for f in finding_ids if f}:
        rows = current_suspects(Suspect.objects.filter(finding_id=finding_id))
        total = rows.aggregate(s=Sum("recovered_amount"))["s"] or Decimal(0)
        RectificationItem.objects.filter(finding_id=finding_id).update(money_recovered=total)


@dataclass
class ImportReport:
    applied: int = 0
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)


def verification_import(*, run: CheckRun, by: User, rows: list[dict[str, Any]]) -> ImportReport:
    """Apply verification rows read from a returned 疑点核查表 (see :mod:`..workbook`).

    Each row names its suspect by key, so a workbook exported from any earlier run of
    the team lands on the same suspect's latest row (a workbook from before keys were
    exported names it by number in ``run``). A row equal to what is recorded changes
    nothing (importing twice is harmless); a row whose suspect was changed since the
    export is a conflict: not applied, reported. Bad values refuse the whole file (the
    caller checked them already)."""
    _require_team(by, run.team_id)
    if run.status != RunStatus.DONE:
        raise ServiceError("只能导入已完成比对的核查结果。")
    report = ImportReport()
    with transaction.atomic():
        targets = _import_targets(run, rows)
        touched = []
        for r in rows:
            s = targets[r["line"]]
            conflict = _import_conflict(s, r)
            if conflict == "same":
                report.unchanged += 1
            elif conflict:
                report.conflicts.append(conflict)
            else:
                _apply(s, by, r["verdict"], r["improper"], r["recovered"], r["note"])
                touched.append(s.finding_id)
                report.applied += 1
        sync_recovered(touched)
    return report


def _import_targets(run: CheckRun, rows: list[dict[str, Any]]) -> dict[int, Suspect]:
    """Each workbook line's suspect: the latest row of its key in the team, locked."""
    by_number = {s.number: s.key for s in Suspect.objects.filter(
        run=run, number__in=[r["number"] for r in rows if len(r["check"]) < 32])}  # fmt: skip
    keys: dict[int, str] = {}
    for r in rows:
        key = r["check"] if len(r["check"]) >= 32 else by_number.get(r["number"], "")
        if not key.startswith(r["check"]) or not r["check"]:
            raise ServiceError(
                f"第 {r['line']} 行：疑点编号 {r['number']} 与表中其他内容不符（表格行被改动或来自其他批次）。"
            )
        keys[r["line"]] = key
    latest: dict[str, Suspect] = {}
    team_rows = Suspect.objects.filter(
        run__team_id=run.team_id, run__status=RunStatus.DONE, key__in=set(keys.values())
    )
    for s in (
        team_rows.select_for_update(of=("self",)).select_related("run").order_by("run__number")
    ):
        latest[s.key] = s
    missing = [line for line, key in keys.items() if key not in latest]
    if missing:
        raise ServiceError(
            f"第 {missing[0]} 行：该疑点不属于本组的比对（表格行被改动或来自其他组），未导入任何内容。"
        )
    return {line: latest[key] for line, key in keys.items()}


def _import_conflict(s: Suspect, r: dict[str, Any]) -> str:
    """ "same" if the row changes nothing, a conflict's description, or "" to apply."""
    same = (s.verdict, s.improper_amount, s.recovered_amount, s.note) == (
        r["verdict"], r["improper"], r["recovered"], r["note"])  # fmt: skip
    if same:
        return "same"
    where = f"疑点 {s.number}（第 {s.run.number} 次比对；表中第 {r['line']} 行，{s.name}）"
    if s.version != r["version"]:
        return (f"{where}：导出后已在系统中修改为「{s.get_verdict_display()}」，"
                f"表中为「{Verdict(r['verdict']).label}」，未导入")  # fmt: skip
    if s.finding_id and r["verdict"] != Verdict.CONFIRMED:
        return f"{where}：已汇入问题，不能改为非属实，未导入"
    return ""


def unmasking_log(*, run: CheckRun, by: User, what: str, suspect: Suspect | None = None) -> None:
    """Record that ``by`` saw full ID numbers; refused to those without the right."""
    if not can_unmask(by, run.team_id):
        raise PermissionDenied("只有巡察办和巡察组组长、副组长可以查看完整身份证号码。")
    Unmasking.objects.create(run=run, suspect=suspect, what=what, user=by)
