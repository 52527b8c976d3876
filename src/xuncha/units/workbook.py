"""Units to and from Excel: the office keeps its unit list in a workbook today.

Import validates the whole file first and writes nothing unless every row is right,
listing each problem with its Excel row; parents may come after their children or
already be in the database; existing codes are updated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction

from xuncha.common.errors import ServiceError

from .models import RiskLevel, Unit, UnitKind

HEADERS = ("编码", "名称", "类型", "上级编码", "风险等级")
SYNONYMS = {"编码": ("编码", "单位编码", "代码"), "名称": ("名称", "单位名称"), "类型": ("类型", "单位类型"),
            "上级编码": ("上级编码", "上级单位编码"), "风险等级": ("风险等级", "风险类别")}  # fmt: skip
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int


def _depths(units: list[Unit]) -> dict[int, int]:
    """How deep each unit sits (0 for a root), so parents can be written first."""
    parent: dict[int, int | None] = {u.pk: u.parent_id for u in units}
    depth: dict[int, int] = {}
    for pk in parent:
        chain: list[int] = []
        node: int | None = pk
        while node is not None and node not in depth and node not in chain:
            chain.append(node)
            node = parent.get(node)
        base = depth.get(node, -1) if node is not None else -1
        for i, n in enumerate(reversed(chain)):
            depth[n] = base + 1 + i
    return depth


def units_export(out: IO[bytes]) -> int:
    """All units, parents before children; returns the number of rows."""
    import xlsxwriter

    from xuncha.crosscheck.report import TEXT_ONLY

    units = list(Unit.objects.select_related("parent"))
    depth = _depths(units)
    units.sort(key=lambda u: (depth[u.pk], u.code))
    # Codes and names are text as typed: never formulas, links or numbers (issue 15).
    wb = xlsxwriter.Workbook(out, {"in_memory": True, **TEXT_ONLY})
    ws = wb.add_worksheet("被巡察单位")
    ws.write_row(0, 0, HEADERS, wb.add_format({"bold": True}))
    for c, width in enumerate((16, 28, 12, 16, 12)):
        ws.set_column(c, c, width)
    kinds, risks = dict(UnitKind.choices), dict(RiskLevel.choices)
    for r, u in enumerate(units, start=1):
        ws.write_row(
            r,
            0,
            [u.code, u.name, kinds[u.kind], u.parent.code if u.parent else "", risks[u.risk_level]],
        )
    wb.close()
    return len(units)


def _read(data: bytes, name: str) -> list[list[str]]:
    """The first sheet's rows as text, read in a child process with limits (the file is
    untrusted: a bomb or a reader crash is a refusal naming it, not a dead server)."""
    from xuncha.crosscheck import InputError
    from xuncha.crosscheck.preview import sheet_rows_isolated

    if not data:
        raise ServiceError(f"「{name}」是空文件。")
    try:
        return sheet_rows_isolated(data, name=name)
    except InputError as err:
        raise ServiceError(str(err)) from err


def _header(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    for i, row in enumerate(rows[:10]):
        found = {
            key: row.index(name) for key, names in SYNONYMS.items() for name in names if name in row
        }
        if {"编码", "名称", "类型"} <= set(found):
            return i, found
    raise ServiceError("前 10 行中找不到表头（需要“编码”“名称”“类型”列）。")


def _choice(value: str, choices: Any, default: str | None = None) -> str | None:
    if not value:
        return default
    by_label = {label: v for v, label in choices}
    return value if value in dict(choices) else by_label.get(value)


def _validate(rows: list[list[str]]) -> tuple[list[dict[str, Any]], list[str]]:
    start, cols = _header(rows)
    records: list[dict[str, Any]] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows[start + 1 :], start=start + 2):
        cell = {k: (row[c] if c < len(row) else "") for k, c in cols.items()}
        if not any(cell.values()):
            continue
        code, name = cell["编码"], cell["名称"]
        kind = _choice(cell["类型"], UnitKind.choices)
        risk = _choice(cell.get("风险等级", ""), RiskLevel.choices, RiskLevel.GENERAL)
        if not code or not name:
            problems.append(f"第 {i} 行：编码和名称不能为空")
        elif code in seen:
            problems.append(f"第 {i} 行：编码「{code}」与第 {seen[code]} 行重复")
        if kind is None:
            problems.append(f"第 {i} 行：类型「{cell['类型']}」无法识别")
        if risk is None:
            problems.append(f"第 {i} 行：风险等级「{cell['风险等级']}」无法识别")
        if cell.get("上级编码") and cell["上级编码"] == code:
            problems.append(f"第 {i} 行：单位不能是自己的上级")
        seen.setdefault(code, i)
        records.append({"row": i, "code": code, "name": name, "kind": kind, "risk": risk,
                        "parent": cell.get("上级编码", "")})  # fmt: skip
    return records, problems


def _check_parents(records: list[dict[str, Any]], problems: list[str]) -> None:
    in_file = {r["code"]: r["parent"] for r in records}
    known = set(
        Unit.objects.filter(code__in=[r["parent"] for r in records if r["parent"]]).values_list(
            "code", flat=True
        )
    )
    for r in records:
        if r["parent"] and r["parent"] not in in_file and r["parent"] not in known:
            problems.append(f"第 {r['row']} 行：上级编码「{r['parent']}」在文件和系统中都不存在")
        chain, node = set(), r["code"]
        while in_file.get(node):
            if node in chain:
                problems.append(f"第 {r['row']} 行：上级关系构成循环")
                break
            chain.add(node)
            node = in_file[node]


def units_import(data: bytes, *, name: str = "单位名录.xlsx") -> ImportReport:
    """Create or update units from a workbook (``name``: the file's, for messages); all
    or nothing."""
    records, problems = _validate(_read(data, name))
    _check_parents(records, problems)
    if problems:
        more = f"……等共 {len(problems)} 处问题" if len(problems) > MAX_PROBLEMS else ""
        raise ServiceError("导入失败，未写入任何数据：" + "；".join(problems[:MAX_PROBLEMS]) + more)
    with transaction.atomic():
        existing = {u.code: u for u in Unit.objects.filter(code__in=[r["code"] for r in records])}
        units = {}
        for r in records:
            unit = existing.get(r["code"]) or Unit(code=r["code"])
            unit.name, unit.kind, unit.risk_level, unit.parent = (
                r["name"],
                r["kind"],
                r["risk"],
                None,
            )
            unit.save()
            units[r["code"]] = unit
        parents = {
            u.code: u
            for u in Unit.objects.filter(code__in=[r["parent"] for r in records if r["parent"]])
        }
        for r in records:
            units[r["code"]].parent = parents.get(r["parent"])
            units[r["code"]].save(update_fields=["parent"])
        _recount_counties(list(units.values()))
    return ImportReport(created=len(records) - len(existing), updated=len(existing))


def _recount_counties(units: list[Unit]) -> None:
    """A county's county is itself; any other unit's is its parent's (top-down)."""
    every = {u.pk: u for u in Unit.objects.all()}
    depth = _depths(list(every.values()))
    for u in sorted(units, key=lambda x: depth[x.pk]):
        parent = every.get(u.parent_id) if u.parent_id else None
        u.county = u if u.kind == UnitKind.COUNTY else (parent.county if parent else None)
        every[u.pk] = u
        u.save(update_fields=["county"])
