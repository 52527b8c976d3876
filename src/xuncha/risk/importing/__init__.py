"""A department's workbook into unit profiles: upload (staged), column mapping and unit
matches confirmed on screen, then imported whole or not at all.

The file is read once, at upload, in the sandbox child process (it comes from outside);
its cells are kept on the batch, so the mapping, the matching and the import never parse
it again. The header row is found among the first rows (a title above it is fine) and
each column's role is proposed from its header: the unit's code, name, township and
county, and each indicator by its name or code. A row's unit is found by its code, else
by its name without 「村委会/居委会」 and the like, narrowed by its township and county;
a row whose unit matches none or several, or whose value cannot be read as a number, is
listed by its Excel row for the user to resolve (choose the unit, or skip the row with a
reason). Every row is then imported or counted skipped with its reason.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from xuncha.accounts.access import allowed
from xuncha.accounts.models import User
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.units.models import Unit

from ..models import BatchStatus, ImportBatch, Indicator, IndicatorValue
from .headers import (
    ROLE_LABELS,
    _indicator_keys,
    _role_of,
    columns,
    find_header,
    parse_number,
    role_label,
    unique_headers,
)
from .matching import Preview, RowMatch, data_rows, name_key, preview

__all__ = [
    "ACCEPTED", "MAX_BYTES", "ROLE_LABELS", "Preview", "RowMatch", "cancel", "columns", "commit",
    "find_header", "name_key", "parse_number", "preview", "resolve", "role_label", "set_header",
    "set_mapping", "stage", "unique_headers", "unresolve",
]  # fmt: skip

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000  # a department's list of villages runs to a few thousand rows
MAX_PROBLEMS = 20
ACCEPTED = (".xlsx", ".xls", ".csv")


# -- reading ---------------------------------------------------------------------------------


def _read(data: bytes, name: str) -> tuple[str, list[list[str]]]:
    """(sheet name, every row as text) of the file (a workbook's first sheet, or a CSV
    in UTF-8 or GBK), read in the sandbox; any reason it cannot be read is a
    ServiceError naming the file."""
    from xuncha.crosscheck.errors import InputError

    from ..reading import read_isolated

    if not data:
        raise ServiceError(f"「{name}」是空文件。")
    try:
        return read_isolated(data, name=name)
    except InputError as err:
        text = str(err)
        raise ServiceError(text if name in text else f"「{name}」无法读取：{text}") from err


# -- staging ---------------------------------------------------------------------------------


def _require(by: User) -> None:
    if not allowed(by, "risk.manage"):
        raise PermissionDenied("只有巡察办可以导入部门数据。")


def _staged(batch: ImportBatch) -> None:
    if batch.status != BatchStatus.STAGED:
        raise ServiceError(f"该批数据{batch.get_status_display()}，不能再修改。")


def stage(*, by: User, department: str, year: int, data: bytes, name: str) -> ImportBatch:
    """Read the uploaded file (in the sandbox) and keep it as a staged batch with the
    proposed column mapping; nothing reaches the profiles until :func:`commit`."""
    _require(by)
    department, name = department.strip(), (name.strip() or "部门数据")[:255]
    if not department:
        raise ServiceError("请填写提供数据的部门。")
    if not 1990 <= int(year) <= 2100:
        raise ServiceError(f"数据年度「{year}」不对，应为四位年份，如 2024。")
    if not name.lower().endswith(ACCEPTED):
        raise ServiceError(f"「{name}」不是可导入的文件：只接受 Excel（xlsx、xls）或 CSV 文件。")
    if len(data) > MAX_BYTES:
        raise ServiceError(f"「{name}」过大（上限 {MAX_BYTES // 2**20} MB）。")
    digest = hashlib.sha256(data).hexdigest()
    earlier = ImportBatch.objects.filter(sha256=digest, year=year).exclude(
        status=BatchStatus.CANCELLED
    ).first()  # fmt: skip
    if earlier is not None:
        raise ServiceError(
            f"「{name}」与 {earlier.created_at:%Y-%m-%d %H:%M} 上传的「{earlier.file_name}」"
            f"内容相同（{earlier.get_status_display()}），未重复上传。"
        )
    sheet, rows = _read(data, name)
    if len(rows) > MAX_ROWS:
        raise ServiceError(
            f"「{name}」有 {len(rows)} 行，超过 {MAX_ROWS} 行的上限：部门数据应为一单位一行，"
            "请检查是否选错了文件。"
        )
    index, _, mapping = find_header(rows)
    with transaction.atomic():
        batch = ImportBatch(
            department=department[:100], year=year, file_name=name, sha256=digest,
            sheet=sheet[:100], mapping=mapping, cells=rows, header_row=index, uploaded_by=by,
        )  # fmt: skip
        batch.file.save(digest, ContentFile(data), save=False)
        batch.rows_total = len(data_rows(batch))
        batch.save()
    return batch


def set_mapping(*, by: User, batch: ImportBatch, mapping: Mapping[str, str | None]) -> ImportBatch:
    """The user's column mapping: each column label -> a role (see :data:`ROLE_LABELS`)
    or ``indicator:<code>``, or "" (not imported)."""
    _require(by)
    _staged(batch)
    headers = columns(batch)
    codes = set(Indicator.objects.values_list("code", flat=True))
    clean: dict[str, str] = {}
    seen: dict[str, str] = {}
    problems: list[str] = []
    for label in headers:
        role = (mapping.get(label) or "").strip()
        known = role in ROLE_LABELS or (role.startswith("indicator:") and role[10:] in codes)
        if not known:
            problems.append(f"列「{label}」的对应「{role}」无法识别")
            continue
        if role and role in seen:
            problems.append(f"列「{label}」和列「{seen[role]}」都对应「{role_label(role)}」")
        if role:
            seen.setdefault(role, label)
        clean[label] = role
    unknown = set(mapping) - set(headers)
    if unknown:
        problems.append("文件中没有这些列：" + "、".join(sorted(unknown)))
    if not {"unit_code", "unit_name"} & set(clean.values()):
        problems.append("至少要有一列对应“单位编码”或“单位名称”")
    if not any(r.startswith("indicator:") for r in clean.values()):
        problems.append("至少要有一列对应一项指标")
    if problems:
        raise ServiceError("列对应未保存：" + "；".join(problems) + "。")
    batch.mapping = clean
    batch.save(update_fields=["mapping", "updated_at"])
    return batch


def set_header(*, by: User, batch: ImportBatch, row: int) -> ImportBatch:
    """Take Excel row ``row`` as the header (when the one found is not): the mapping is
    proposed again from it and the choices made for rows are dropped."""
    _require(by)
    _staged(batch)
    if not 1 <= row <= min(len(batch.cells), 50) or not any(batch.cells[row - 1]):
        raise ServiceError(f"第 {row} 行不能作为表头：表头应为文件前 50 行中有内容的一行。")
    indicators = _indicator_keys()
    batch.header_row = row - 1
    batch.mapping = {}
    taken: set[str] = set()
    for label, cell in zip(columns(batch), batch.cells[row - 1] + [""] * 1000, strict=False):
        role = _role_of(cell, indicators)
        batch.mapping[label] = "" if role in taken else role
        if role:
            taken.add(role)
    batch.resolutions = {}
    batch.rows_total = len(data_rows(batch))
    batch.save(update_fields=["header_row", "mapping", "resolutions", "rows_total", "updated_at"])
    return batch


# -- resolving and importing -----------------------------------------------------------------


def _fresh(batch: ImportBatch) -> None:
    """Lock the batch and take its latest status and choices (two people resolving rows
    at once each keep the other's choice); call inside a transaction."""
    row = ImportBatch.objects.select_for_update().values("status", "resolutions").get(pk=batch.pk)
    batch.status, batch.resolutions = row["status"], row["resolutions"]
    _staged(batch)


def resolve(
    *, by: User, batch: ImportBatch, row: int, unit: Unit | None = None, skip_reason: str = ""
) -> ImportBatch:
    """The user's choice for an Excel row: its unit, or to skip it with a reason."""
    _require(by)
    _staged(batch)
    numbers = {n for n, _ in data_rows(batch)}
    if row not in numbers:
        raise ServiceError(f"文件中没有第 {row} 行数据。")
    reason = skip_reason.strip()
    if unit is None and not reason:
        raise ServiceError(f"第 {row} 行：跳过须填写理由。")
    with transaction.atomic():
        _fresh(batch)
        batch.resolutions[str(row)] = unit.pk if unit is not None else {"skip": reason[:300]}
        batch.save(update_fields=["resolutions", "updated_at"])
    return batch


def unresolve(*, by: User, batch: ImportBatch, row: int) -> ImportBatch:
    """Undo the user's choice for a row (it is matched again as the file says)."""
    _require(by)
    with transaction.atomic():
        _fresh(batch)
        batch.resolutions.pop(str(row), None)
        batch.save(update_fields=["resolutions", "updated_at"])
    return batch


def _source(batch: ImportBatch, row: int, header: str) -> str:
    sheet = f" · {batch.sheet}" if batch.sheet else ""
    return f"{batch.department} · {batch.file_name}{sheet} · 第 {row} 行 · 「{header}」"[:300]


def commit(*, by: User, batch: ImportBatch) -> ImportBatch:
    """Import every resolved row: all or nothing. Refused, naming the rows, while any
    row is unresolved; a value replaces the earlier one of the unit, indicator and year."""
    _require(by)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        _staged(batch)
        roles = set(batch.mapping.values())
        if not {"unit_code", "unit_name"} & roles or not any(
            r.startswith("indicator:") for r in roles
        ):
            raise ServiceError(
                "列对应不完整，未导入任何数据：至少要有一列对应“单位编码”或“单位名称”，"
                "一列对应一项指标。"
            )
        p = preview(batch)
        pending = p.pending
        if pending:
            listed = "；".join(f"第 {r.row} 行（{r.label}）：{r.problem}"
                              for r in pending[:MAX_PROBLEMS])  # fmt: skip
            more = f"……等共 {len(pending)} 行" if len(pending) > MAX_PROBLEMS else ""
            raise ServiceError(f"还有 {len(pending)} 行未处理，未导入任何数据：{listed}{more}。")
        indicators = {i.code: i for i in Indicator.objects.all()}
        header_of = {role[10:]: h for h, role in p.mapping.items() if role.startswith("indicator:")}
        new: list[IndicatorValue] = []
        by_indicator: dict[str, list[int]] = defaultdict(list)
        imported = 0
        for r in p.rows:
            if r.skip or r.unit is None:
                continue
            imported += 1
            for code, value in r.values.items():
                by_indicator[code].append(r.unit.pk)
                new.append(IndicatorValue(
                    unit=r.unit, indicator=indicators[code], year=batch.year, value=value,
                    batch=batch, source=_source(batch, r.row, header_of[code]),
                ))  # fmt: skip
        for code, unit_ids in by_indicator.items():
            IndicatorValue.objects.filter(
                indicator=indicators[code], year=batch.year, unit_id__in=unit_ids
            ).delete()
        IndicatorValue.objects.bulk_create(new, batch_size=2000)
        batch.status = BatchStatus.IMPORTED
        batch.rows_total = len(p.rows)
        batch.rows_imported = imported
        batch.skipped = [{"row": r.row, "unit": r.label, "reason": r.skip} for r in p.skipped]
        batch.imported_by, batch.imported_at = by, timezone.now()
        batch.save()
    return batch


def cancel(*, by: User, batch: ImportBatch) -> ImportBatch:
    """Drop a staged batch (kept, marked cancelled; nothing was imported from it)."""
    _require(by)
    _staged(batch)
    batch.status = BatchStatus.CANCELLED
    batch.save(update_fields=["status", "updated_at"])
    return batch
