"""Review rubrics as data: a declaration (:class:`RubricSpec`), read from and written to
Excel, checked whole before anything is stored (as indicator systems are).

The workbook has a sheet 「评查项目」 (one row per criterion: 评查项目, 分值, 评查要点;
the points add up to 100) and an optional sheet 「次要问题类别」 (column 问题类别: the
problem subcategories, by name or code, that the "trivial problems" check counts as
low-weight; none when absent). A workbook with any problem is refused whole and every
problem is named with its sheet, row and column.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO

from xuncha.common.errors import ServiceError
from xuncha.common.sheets import Problems, header, letter, points, refuse
from xuncha.findings.choices import Subcategory

SHEET = "评查项目"
LOW_SHEET = "次要问题类别"
COLUMNS = ("评查项目", "分值", "评查要点")
REQUIRED = ("评查项目", "分值")
LOW_COLUMNS = ("问题类别",)
TOTAL = Decimal(100)
SHIPPED_DIR = Path(__file__).parent / "rubrics"


@dataclass(frozen=True)
class CriterionSpec:
    name: str
    points: Decimal
    guidance: str = ""


@dataclass
class RubricSpec:
    criteria: list[CriterionSpec]
    low_weight: list[str] = field(default_factory=list)  # Subcategory codes


def parse_rows(rows: list[list[str]]) -> RubricSpec:
    """The 「评查项目」 sheet's rows (as text) as a declaration; ServiceError naming every
    problem."""
    start, head = header(rows, SHEET, REQUIRED)
    bad = Problems()
    for c, name in enumerate(head):
        if name and name not in COLUMNS:
            bad.at(SHEET, start + 1, f"{letter(c)}（{name}）",
                   f"未知的列（可用的列：{'、'.join(COLUMNS)}）")  # fmt: skip
    cols = {name: head.index(name) for name in COLUMNS if name in head}
    criteria: list[CriterionSpec] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows[start + 1 :], start=start + 2):
        cell = {k: (row[c].strip() if c < len(row) else "") for k, c in cols.items()}
        if not any(cell.values()):
            continue
        name, value = cell["评查项目"], points(cell["分值"])
        if not name:
            bad.at(SHEET, n, "评查项目", "不能为空")
        elif len(name) > 200:
            bad.at(SHEET, n, "评查项目", f"过长（{len(name)} 字，上限 200 字）")
        elif name in seen:
            bad.at(SHEET, n, "评查项目", f"「{name}」与第 {seen[name]} 行重复")
        if value is None or value == 0:
            bad.at(SHEET, n, "分值", f"「{cell['分值']}」不是大于 0、最多两位小数的分值")
        if name and value:
            seen.setdefault(name, n)
            criteria.append(CriterionSpec(name, value, cell.get("评查要点", "")))
    total = sum((c.points for c in criteria), Decimal(0))
    if criteria and not bad and total != TOTAL:
        bad.append(f"「{SHEET}」表：各评查项目分值合计为 {total}，应为 {TOTAL}（百分制）")
    if not criteria and not bad:
        bad.append(f"「{SHEET}」表没有任何评查项目。")
    refuse(bad)
    return RubricSpec(criteria)


def parse_low_weight(rows: list[list[str]], spec: RubricSpec) -> None:
    """Set the low-weight subcategories from the 「次要问题类别」 sheet's rows."""
    start, head = header(rows, LOW_SHEET, LOW_COLUMNS)
    c = head.index("问题类别")
    bad, found = Problems(), []
    for n, row in enumerate(rows[start + 1 :], start=start + 2):
        text = row[c].strip() if c < len(row) else ""
        if not text:
            continue
        code = next((v for v, label in Subcategory.choices if text in (v, label)), None)
        if code is None:
            labels = "、".join(label for _, label in Subcategory.choices)
            bad.at(LOW_SHEET, n, "问题类别", f"「{text}」无法识别，应为{labels}之一")
        elif code not in found:
            found.append(code)
    refuse(bad)
    spec.low_weight = found


def read_workbook(data: bytes, *, name: str) -> RubricSpec:
    """A rubric's declaration from an uploaded workbook, each sheet read in the sandboxed
    child process (the file is untrusted)."""
    from xuncha.crosscheck import InputError
    from xuncha.crosscheck.preview import sheet_rows_isolated

    if not data:
        raise ServiceError(f"「{name}」是空文件。")
    try:
        spec = parse_rows(sheet_rows_isolated(data, name=name, prefer=SHEET))
        low = sheet_rows_isolated(data, name=name, prefer=LOW_SHEET)
    except InputError as err:
        raise ServiceError(str(err)) from err
    # Without a 「次要问题类别」 sheet the reader hands back the first sheet: none then.
    if any(set(LOW_COLUMNS) <= set(row) for row in low[:10]):
        parse_low_weight(low, spec)
    return spec


def write_workbook(spec: RubricSpec, out: IO[bytes]) -> None:
    """The declaration as a workbook :func:`read_workbook` reads back unchanged."""
    import xlsxwriter

    from xuncha.crosscheck.report import TEXT_ONLY

    wb = xlsxwriter.Workbook(out, {"in_memory": True, **TEXT_ONLY})
    bold = wb.add_format({"bold": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    ws = wb.add_worksheet(SHEET)
    ws.write_row(0, 0, COLUMNS, bold)
    for c, width in enumerate((24, 8, 70)):
        ws.set_column(c, c, width, wrap)
    for r, crit in enumerate(spec.criteria, 1):
        ws.write_row(r, 0, [crit.name, str(crit.points), crit.guidance])
    ws = wb.add_worksheet(LOW_SHEET)
    ws.write_row(0, 0, LOW_COLUMNS, bold)
    ws.set_column(0, 0, 24)
    labels = dict(Subcategory.choices)
    for r, code in enumerate(spec.low_weight, 1):
        ws.write_string(r, 0, labels[code])
    wb.close()


def shipped() -> dict[str, tuple[str, RubricSpec]]:
    """The rubrics that ship (rubrics/*.json): name → (note, declaration). Each goes
    through the same checks as an imported workbook."""
    found: dict[str, tuple[str, RubricSpec]] = {}
    for path in sorted(SHIPPED_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = [list(COLUMNS)] + [
            [c["name"], str(c["points"]), c.get("guidance", "")] for c in data["criteria"]
        ]
        spec = parse_rows(rows)
        parse_low_weight([list(LOW_COLUMNS)] + [[code] for code in data["low_weight"]], spec)
        found[data["name"]] = (data["note"], spec)
    return found
