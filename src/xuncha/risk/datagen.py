"""Department workbooks for a demo or a test: the data four departments send the office
(组织部 党组织考评, 农业农村局 三资, 自然资源局 征地拆迁, 信访局 信访件数), messy the way
real ones are, and planted so that the shipped model, computing, finds a chosen share of
units at each level.

Each unit gets a truth level first (seed 004's shares by default: 859 / 388 / 170 of 1,417,
by largest remainder for another count). Its values are then drawn around a score in the
middle of its level's band, with noise, and redrawn until the shipped model's score falls
in that band with a margin to both thresholds, so rounding never moves a unit across one.
Some watch units are planted by the must-rule instead: a weak party organisation (考评 4)
whose other values are quiet, so their score alone would be general. The levels are not
written anywhere: the model computes them from these values.

The mess: a title and a note above the header; names with 「村委会」/「居委会」 suffixes;
some rows without a code; numbers as text (「12」, 「12件」); a row for a unit that no longer
exists (matches no unit); one row naming, without code or township, a unit whose name two
units share (matches two — only when the given units have such a pair); units without a
land taking are simply absent from 自然资源局's workbook (missing → 0 in the model).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

from .engine import classify_loop
from .spec import LEVELS, Spec, parse_spec, shipped_model_text

SEED_004 = {"general": 859, "watch": 388, "high": 170}  # of 1,417
BANDS = {"general": (3.0, 35.0), "watch": (44.0, 61.0), "high": (69.0, 95.0)}
MARGIN = 2.0  # a drawn score keeps this far from each threshold
MUST_SHARE = 0.12  # of watch units planted by the weak-party-organisation rule

# department, file stem, sheet, title, indicator columns (header, code)
DEPARTMENTS = [
    ("组织部", "组织部_村级党组织考评结果", "考评结果", "{year}年度村（社区）党组织考评结果汇总表",
     [("党组织考评等次（1好 2较好 3一般 4软弱涣散）", "party_org_grade")]),
    ("农业农村局", "农业农村局_农村三资监管情况", "三资", "{year}年农村集体“三资”监管情况统计表",
     [("三资管理异常问题数（个）", "assets_anomalies"),
      ("集体资金收支规模（万元）", "collective_funds")]),
    ("自然资源局", "自然资源局_征地拆迁项目", "征地拆迁", "{year}年度征地拆迁项目涉及村（社区）情况",
     [("征地拆迁项目数（个）", "land_taking_projects"),
      ("征地拆迁补偿款（万元）", "land_compensation")]),
    ("信访局", "信访局_信访件数统计", "Sheet1", "{year}年度村（社区）信访件数统计",
     [("信访件数（件）", "petition_count")]),
]  # fmt: skip

# code -> (scale of the normalised value, decimals)
_RAW = {
    "party_org_grade": (None, 0), "assets_anomalies": (10, 0), "collective_funds": (500, 1),
    "land_taking_projects": (5, 0), "land_compensation": (2000, 1), "petition_count": (20, 0),
}  # fmt: skip


@dataclass
class DepartmentFile:
    department: str
    path: Path
    sheet: str
    header_row: int  # Excel row number of the header
    columns: dict[
        str, str
    ]  # header -> "unit_code" | "unit_name" | "township" | "county" | "indicator:<code>"


@dataclass
class DepartmentData:
    files: list[DepartmentFile]
    truth: dict[str, str]  # unit code -> level the data is planted for
    values: dict[str, dict[str, float]]  # unit code -> indicator code -> value (as written)
    must_cases: list[str]  # codes of the watch units planted by the must-rule
    # (file name, Excel row) -> unit code the row is about, or "" for a row to skip: how a
    # user resolves the rows that match no unit or several.
    resolutions: dict[tuple[str, int], str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        c = Counter(self.truth.values())
        return {lv: c[lv] for lv in LEVELS}


def shares(n: int, of: dict[str, int] = SEED_004) -> dict[str, int]:
    """``n`` split in the proportions of ``of`` by largest remainder (exact for 1,417)."""
    total = sum(of.values())
    exact = {lv: n * k / total for lv, k in of.items()}
    out = {lv: int(x) for lv, x in exact.items()}
    for lv in sorted(exact, key=lambda lv: out[lv] - exact[lv])[: n - sum(out.values())]:
        out[lv] += 1
    return out


def _raw(code: str, norm: float, rng: random.Random) -> float:
    scale, decimals = _RAW[code]
    if scale is None:  # a grade 1–4
        return float(min(4, max(1, 1 + round(norm * 3))))
    return round(max(0.0, norm * scale * rng.uniform(0.95, 1.05)), decimals)


def _draw(spec: Spec, level: str, must_case: bool, rng: random.Random) -> dict[str, float]:
    lo, hi = BANDS["general"] if must_case else BANDS[level]
    for _ in range(1000):
        target = rng.uniform(lo, hi) / 100
        if must_case:
            target = rng.uniform(0.0, 0.12)
        row = {code: _raw(code, min(1.0, max(0.0, rng.gauss(target, 0.15))), rng) for code in _RAW}
        if must_case:
            row["party_org_grade"] = 4.0
        elif level == "general" and row["party_org_grade"] >= 4:
            continue
        score, computed = classify_loop(spec, [row])[0]
        if computed != level or min(abs(score - spec.watch), abs(score - spec.high)) < MARGIN:
            continue
        if not must_case and not lo <= score <= hi:
            continue
        return row
    raise RuntimeError(f"could not draw values for a {level} unit")  # pragma: no cover


def plant(
    units: list[tuple[str, str, str, str]], *, seed: int, counts: dict[str, int] | None = None
) -> tuple[dict[str, str], dict[str, dict[str, float]], list[str]]:
    """Truth levels and values per unit code (no files)."""
    rng = random.Random(seed)
    spec = parse_spec(shipped_model_text())
    counts = counts or shares(len(units))
    levels = [lv for lv in LEVELS for _ in range(counts[lv])]
    rng.shuffle(levels)
    watch = [i for i, lv in enumerate(levels) if lv == "watch"]
    must = set(rng.sample(watch, round(len(watch) * MUST_SHARE)))
    truth, values, must_cases = {}, {}, []
    for i, (code, *_rest) in enumerate(units):
        truth[code] = levels[i]
        values[code] = _draw(spec, levels[i], i in must, rng)
        if i in must:
            must_cases.append(code)
    return truth, values, must_cases


def _messy_name(name: str, rng: random.Random) -> str:
    r = rng.random()
    if name.endswith("村") and r < 0.3:
        return name + ("村委会" if r < 0.2 else "村民委员会")
    if name.endswith("社区") and r < 0.3:
        return name + "居委会"
    return name


def _messy_number(v: float, label: str, rng: random.Random) -> float | str:
    r = rng.random()
    text = str(int(v)) if float(v).is_integer() else str(v)
    if r < 0.08:
        return text  # a number cell stored as text
    if r < 0.11 and label:
        return text + label
    return v


def write_department_workbooks(
    folder: Path | str, units: list[tuple[str, str, str, str]], *, year: int, seed: int,
    counts: dict[str, int] | None = None,
) -> DepartmentData:  # fmt: skip
    """Write the four departments' workbooks for ``units`` = [(code, name, township
    name, county name), …] into ``folder`` and return them with the planted truth."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed * 7919 + 1)
    truth, values, must_cases = plant(units, seed=seed, counts=counts)
    names = Counter(name for _, name, _, _ in units)
    shared = [u for u in units if names[u[1]] > 1]
    files: list[DepartmentFile] = []
    resolutions: dict[tuple[str, int], str] = {}
    for k, (dept, stem, sheet, title, cols) in enumerate(DEPARTMENTS):
        path = folder / f"{stem}_{year}.xlsx"
        rows: list[list[object]] = []
        order = list(units)
        rng.shuffle(order)
        labels = {"assets_anomalies": "个", "land_taking_projects": "个", "petition_count": "件"}
        for code, name, township, county in order:
            v = values[code]
            if dept == "自然资源局" and v["land_taking_projects"] == 0:
                continue  # no land taking: not on this department's list
            cells: list[object] = [county, township, _messy_name(name, rng),
                                   "" if rng.random() < 0.1 else code]  # fmt: skip
            cells += [_messy_number(v[c], labels.get(c, ""), rng) for _, c in cols]
            rows.append(cells)
        header_at = 4  # title, department and date, a blank row, then the header
        ghost_at = rng.randrange(len(rows) // 2 + 1) if rows else 0
        rows.insert(ghost_at, [units[0][3], units[0][2], "红旗村（已撤并）", "",
                               *[1 for _ in cols]])  # fmt: skip
        resolutions[(path.name, header_at + 1 + ghost_at)] = ""
        if k == 0 and shared:
            code, name, township, county = rng.choice(shared)
            for i, r in enumerate(rows):
                if r[3] == code or (r[2] == name and r[1] == township):
                    rows[i][:4] = ["", "", name, ""]
                    resolutions[(path.name, header_at + 1 + i)] = code
                    break
        header = ["县市区", "乡镇（街道）", "村（社区）名称", "单位编码", *[h for h, _ in cols]]
        _write(path, sheet, title.format(year=year), dept, header, rows)
        columns = {"县市区": "county", "乡镇（街道）": "township", "村（社区）名称": "unit_name",
                   "单位编码": "unit_code"} | {h: f"indicator:{c}" for h, c in cols}  # fmt: skip
        files.append(DepartmentFile(dept, path, sheet, header_at, columns))
    written = {
        code: {c: x for c, x in v.items()
               if not (c.startswith("land_") and v["land_taking_projects"] == 0)}
        for code, v in values.items()
    }  # fmt: skip
    return DepartmentData(files, truth, written, must_cases, resolutions)


def _write(path: Path, sheet: str, title: str, dept: str, header: list[str],
           rows: list[list[object]]) -> None:  # fmt: skip
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    bold = wb.add_format({"bold": True})
    ws.write(0, 0, title, bold)
    ws.write(1, 0, f"填报单位：{dept}（盖章）        填报日期：")
    for j, h in enumerate(header):
        ws.write(3, j, h, bold)
    for i, r in enumerate(rows, start=4):
        for j, cell in enumerate(r):
            if isinstance(cell, str):
                ws.write_string(i, j, cell)
            else:
                ws.write_number(i, j, float(cell))  # type: ignore[arg-type]
    ws.write(len(rows) + 5, 0, "注：考评等次、异常问题数以年度汇总为准。")
    wb.close()
