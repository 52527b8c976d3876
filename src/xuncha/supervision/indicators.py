"""Indicator systems as data: a declaration (:class:`VersionSpec`), read from and written
to Excel, checked whole before anything is stored.

The workbook has a sheet 「指标」 (one row per indicator; a blank 「维度」 continues the
dimension above, as merged cells read) and an optional sheet 「等次」 (grade thresholds;
90 / 80 / 60 when absent). A workbook with any problem is refused whole and every
problem is named with its sheet, row and column.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO

from xuncha.common.errors import ServiceError
from xuncha.common.sheets import Problems as _Problems
from xuncha.common.sheets import header as _header
from xuncha.common.sheets import letter as _letter
from xuncha.common.sheets import points as _points
from xuncha.common.sheets import refuse as _raise

from .models import Grade, IndicatorKind, PrefillKey

SHEET = "指标"
GRADE_SHEET = "等次"
COLUMNS = ("维度", "维度分值", "指标", "类型", "分值", "否决条件", "须附证据", "台账预填")
REQUIRED = ("维度", "指标", "类型", "分值")
GRADE_COLUMNS = ("等次", "最低分")
TOTAL = Decimal(100)
SHIPPED_DIR = Path(__file__).parent / "systems"


@dataclass(frozen=True)
class IndicatorSpec:
    name: str
    kind: str
    points: Decimal
    veto_threshold: int | None = None
    evidence_required: bool = False
    prefill: str = ""


@dataclass
class DimensionSpec:
    name: str
    points: Decimal
    indicators: list[IndicatorSpec] = field(default_factory=list)


@dataclass
class VersionSpec:
    dimensions: list[DimensionSpec]
    grade_good: Decimal = Decimal(90)
    grade_fair: Decimal = Decimal(80)
    grade_average: Decimal = Decimal(60)


def _choice(text: str, choices: list[tuple[str, str]]) -> str | None:
    for value, label in choices:
        if text in (value, label):
            return value
    return None


def _row_indicator(cell: dict[str, str], n: int, bad: _Problems) -> IndicatorSpec | None:
    start = len(bad)
    kind = _choice(cell["类型"], IndicatorKind.choices)
    if kind is None:
        labels = "、".join(label for _, label in IndicatorKind.choices)
        bad.at(SHEET, n, "类型", f"「{cell['类型']}」无法识别，应为{labels}之一")
    points = _points(cell["分值"])
    if points is None:
        bad.at(SHEET, n, "分值", f"「{cell['分值']}」不是不小于 0、最多两位小数的分值")
    elif kind == IndicatorKind.VETO and points != 0:
        bad.at(SHEET, n, "分值", "一票否决项不设分值（应为 0）")
    threshold: int | None = None
    raw = cell.get("否决条件", "")
    if kind == IndicatorKind.VETO:
        threshold = int(raw) if raw.isdigit() and int(raw) >= 1 else None
        if threshold is None:
            bad.at(SHEET, n, "否决条件", "一票否决项须填写正整数（与事实不符事项数达到此数即否决）")
    elif raw:
        bad.at(SHEET, n, "否决条件", "只有一票否决项填写否决条件")
    evidence = cell.get("须附证据", "")
    if evidence not in ("", "是", "否"):
        bad.at(SHEET, n, "须附证据", f"「{evidence}」应为“是”或“否”")
    prefill = _choice(cell.get("台账预填", ""), PrefillKey.choices) if cell.get("台账预填") else ""
    if prefill is None:
        labels = "、".join(label for _, label in PrefillKey.choices)
        bad.at(SHEET, n, "台账预填", f"「{cell['台账预填']}」无法识别，应为空或{labels}之一")
    if prefill == PrefillKey.NOT_AS_REPORTED:
        if kind != IndicatorKind.VETO:
            bad.at(SHEET, n, "台账预填", "反向核查与事实不符事项数只用于一票否决项")
    elif prefill and kind == IndicatorKind.BONUS:
        bad.at(SHEET, n, "台账预填", "台账预填只用于扣分项和减分项")
    elif prefill and kind == IndicatorKind.VETO:
        bad.at(SHEET, n, "台账预填", "一票否决项只能预填反向核查与事实不符事项数")
    elif prefill == PrefillKey.COMPLETION_RATE and kind == IndicatorKind.PENALTY:
        bad.at(SHEET, n, "台账预填", "整改完成率只用于扣分项（按完成率折算得分）")
    elif prefill == PrefillKey.SATISFACTION and kind == IndicatorKind.PENALTY:
        bad.at(SHEET, n, "台账预填", "群众满意度测评满意率只用于扣分项（按满意率折算得分）")
    if not cell["指标"]:
        bad.at(SHEET, n, "指标", "不能为空")
    if len(bad) > start or kind is None or points is None:
        return None
    return IndicatorSpec(cell["指标"], kind, points, threshold, evidence == "是", prefill or "")


def _dimension_points(dim: DimensionSpec, first: int, bad: _Problems) -> None:
    base = sum((i.points for i in dim.indicators if i.kind == IndicatorKind.DEDUCTION), Decimal(0))
    if base != dim.points:
        bad.at(SHEET, first, "维度分值",
               f"维度「{dim.name}」分值为 {dim.points}，其扣分项分值合计为 {base}，两者应相等")  # fmt: skip


def parse_rows(rows: list[list[str]]) -> VersionSpec:
    """The 「指标」 sheet's rows (as text) as a declaration; ServiceError naming every problem."""
    start, header = _header(rows, SHEET, REQUIRED)
    bad = _Problems()
    for c, name in enumerate(header):
        if name and name not in COLUMNS:
            bad.at(
                SHEET,
                start + 1,
                f"{_letter(c)}（{name}）",
                f"未知的列（可用的列：{'、'.join(COLUMNS)}）",
            )
    cols = {name: header.index(name) for name in COLUMNS if name in header}
    dims: dict[str, DimensionSpec] = {}
    first: dict[str, int] = {}
    broken: set[str] = set()  # a dimension with a bad row: its sum would only repeat that
    current = ""
    for n, row in enumerate(rows[start + 1 :], start=start + 2):
        cell = {k: (row[c].strip() if c < len(row) else "") for k, c in cols.items()}
        if not any(cell.values()):
            continue
        current = cell["维度"] or current
        if not current:
            bad.at(SHEET, n, "维度", "不能为空（首个指标须写明维度）")
            continue
        if current not in dims:
            dims[current], first[current] = DimensionSpec(current, Decimal(-1)), n
        dim, before = dims[current], len(bad)
        if cell.get("维度分值"):
            value = _points(cell["维度分值"])
            if value is None:
                bad.at(
                    SHEET, n, "维度分值", f"「{cell['维度分值']}」不是不小于 0、最多两位小数的分值"
                )
            elif dim.points >= 0 and value != dim.points:
                bad.at(SHEET, n, "维度分值", f"与本维度前面写的 {dim.points} 不一致")
            else:
                dim.points = value
        indicator = _row_indicator(cell, n, bad)
        if indicator is not None:
            dim.indicators.append(indicator)
        if len(bad) > before:
            broken.add(current)
    for name, dim in dims.items():
        if dim.points < 0:
            bad.at(SHEET, first[name], "维度分值", f"维度「{name}」未填写分值")
        elif name not in broken:
            _dimension_points(dim, first[name], bad)
    total = sum((d.points for d in dims.values() if d.points >= 0), Decimal(0))
    if dims and total != TOTAL and not bad:
        bad.append(f"「{SHEET}」表：各维度分值合计为 {total}，应为 {TOTAL}（百分制）")
    if not dims and not bad:
        bad.append(f"「{SHEET}」表没有任何指标。")
    _raise(bad)
    return VersionSpec(list(dims.values()))


def parse_grades(rows: list[list[str]], spec: VersionSpec) -> None:
    """Set the thresholds from the 「等次」 sheet's rows (好 / 较好 / 一般; 差 is the rest)."""
    start, header = _header(rows, GRADE_SHEET, GRADE_COLUMNS)
    g, p = header.index("等次"), header.index("最低分")
    bad = _Problems()
    found: dict[str, Decimal] = {}
    labels = {label: value for value, label in Grade.choices}
    for n, row in enumerate(rows[start + 1 :], start=start + 2):
        grade = row[g].strip() if g < len(row) else ""
        low = row[p].strip() if p < len(row) else ""
        if not grade and not low:
            continue
        if grade not in labels:
            bad.at(GRADE_SHEET, n, "等次", f"「{grade}」应为 好、较好、一般、差 之一")
            continue
        value = _points(low) if low else (Decimal(0) if labels[grade] == Grade.POOR else None)
        if value is None:
            bad.at(GRADE_SHEET, n, "最低分", f"「{low}」不是不小于 0 的分数")
        else:
            found[labels[grade]] = value
    spec.grade_good = found.get(Grade.GOOD, spec.grade_good)
    spec.grade_fair = found.get(Grade.FAIR, spec.grade_fair)
    spec.grade_average = found.get(Grade.AVERAGE, spec.grade_average)
    if not bad and not spec.grade_good > spec.grade_fair > spec.grade_average:
        bad.append(f"「{GRADE_SHEET}」表：最低分须为 好 > 较好 > 一般")
    _raise(bad)


def read_workbook(data: bytes, *, name: str) -> VersionSpec:
    """A version's declaration from an uploaded workbook, each sheet read in the sandboxed
    child process (the file is untrusted)."""
    from xuncha.crosscheck import InputError
    from xuncha.crosscheck.preview import sheet_rows_isolated

    if not data:
        raise ServiceError(f"「{name}」是空文件。")
    try:
        spec = parse_rows(sheet_rows_isolated(data, name=name, prefer=SHEET))
        grades = sheet_rows_isolated(data, name=name, prefer=GRADE_SHEET)
    except InputError as err:
        raise ServiceError(str(err)) from err
    # Without a 「等次」 sheet the reader hands back the first sheet: keep the defaults.
    if any(set(GRADE_COLUMNS) <= set(row) for row in grades[:10]):
        parse_grades(grades, spec)
    return spec


def write_workbook(spec: VersionSpec, out: IO[bytes]) -> None:
    """The declaration as a workbook :func:`read_workbook` reads back unchanged."""
    import xlsxwriter

    from xuncha.crosscheck.report import TEXT_ONLY

    kinds, prefills = dict(IndicatorKind.choices), dict(PrefillKey.choices)
    wb = xlsxwriter.Workbook(out, {"in_memory": True, **TEXT_ONLY})
    bold = wb.add_format({"bold": True})
    ws = wb.add_worksheet(SHEET)
    ws.write_row(0, 0, COLUMNS, bold)
    for c, width in enumerate((16, 10, 48, 12, 8, 10, 10, 20)):
        ws.set_column(c, c, width)
    r = 1
    for dim in spec.dimensions:
        for i, ind in enumerate(dim.indicators):
            ws.write_row(r, 0, [
                dim.name if i == 0 else "", str(dim.points) if i == 0 else "", ind.name,
                kinds[ind.kind], str(ind.points), str(ind.veto_threshold or ""),
                "是" if ind.evidence_required else "否", prefills.get(ind.prefill, ""),
            ])  # fmt: skip
            r += 1
    ws = wb.add_worksheet(GRADE_SHEET)
    ws.write_row(0, 0, GRADE_COLUMNS, bold)
    for row, (label, low) in enumerate(
        [("好", spec.grade_good), ("较好", spec.grade_fair), ("一般", spec.grade_average)], 1
    ):
        ws.write_row(row, 0, [label, str(low)])
    wb.close()


def shipped() -> dict[str, tuple[str, VersionSpec]]:
    """The systems that ship (systems/*.json): name → (note, declaration). Each goes
    through the same checks as an imported workbook."""
    found: dict[str, tuple[str, VersionSpec]] = {}
    for path in sorted(SHIPPED_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = [list(COLUMNS)]
        for dim in data["dimensions"]:
            for i, ind in enumerate(dim["indicators"]):
                rows.append([
                    dim["name"] if i == 0 else "", str(dim["points"]) if i == 0 else "",
                    ind["name"], ind["kind"], str(ind.get("points", 0)),
                    str(ind.get("veto_threshold", "")), "是" if ind.get("evidence_required") else "否",
                    ind.get("prefill", ""),
                ])  # fmt: skip
        spec = parse_rows(rows)
        grades = data.get("grades", {})
        spec.grade_good = Decimal(str(grades.get("好", spec.grade_good)))
        spec.grade_fair = Decimal(str(grades.get("较好", spec.grade_fair)))
        spec.grade_average = Decimal(str(grades.get("一般", spec.grade_average)))
        found[data["name"]] = (data["note"], spec)
    return found
