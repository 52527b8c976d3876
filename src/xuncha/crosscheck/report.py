"""Outputs of a run: hits.csv, the verifiers' workbook 疑点核查表.xlsx, manifest.json.

All three are written into a temporary folder inside ``out_dir`` and moved into place
only when complete, so a failed run never leaves a half-written report behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tempfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from .. import __version__
from .engine import CheckResult
from .idnumber import mask
from .linking import TIER_LABELS
from .rules import RULES_BY_ID

HITS_CSV = "hits.csv"
WORKBOOK = "疑点核查表.xlsx"
MANIFEST = "manifest.json"

CSV_COLUMNS = [
    "rule", "file", "sheet", "row", "name", "id_number", "amount", "payment_date",
    "match_tier", "evidence", "group_id", "rule_title", "payment_year", "id_normalized",
    "county", "township", "village", "register_file", "register_sheet", "register_row",
]  # fmt: skip

_SHEET_COLUMNS = [  # (header, key, width)
    ("序号", None, 6), ("文件", "file", 28), ("工作表", "sheet", 10), ("行号", "row", 7),
    ("姓名", "name", 10), ("身份证号码", "id_number", 21), ("金额（元）", "amount", 11),
    ("发放日期", "payment_date", 12), ("县市区", "county", 10), ("乡镇", "township", 10),
    ("村（社区）", "village", 12), ("匹配方式", "match_tier", 22), ("同组编号", "group_id", 9),
    ("疑点依据", "evidence", 60),
]  # fmt: skip
_VERIFIER_COLUMNS = [("核查结论", 12), ("应追回金额（元）", 14), ("备注", 30)]
VERDICTS = ["属实", "不属实", "部分属实", "待核实"]


def write_outputs(result: CheckResult, out_dir: Path, *, unmask: bool = False) -> dict[str, Path]:
    """Write the three outputs into ``out_dir`` (created if needed); return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".xuncha-", dir=out_dir))
    try:
        summary = summarise(result.hits)
        write_hits_csv(result.hits, staging / HITS_CSV)
        write_workbook(result, summary, staging / WORKBOOK, unmask=unmask)
        outputs = {name: staging / name for name in (HITS_CSV, WORKBOOK)}
        manifest = build_manifest(result, summary, outputs, unmask=unmask)
        (staging / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        final = {}
        for name in (HITS_CSV, WORKBOOK, MANIFEST):
            os.replace(staging / name, out_dir / name)
            final[name] = out_dir / name
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_hits_csv(hits: pa.Table, path: Path) -> None:
    """UTF-8 with a BOM, so Excel opens it with the Chinese intact."""
    buf = io.BytesIO()
    pacsv.write_csv(hits.select(CSV_COLUMNS), buf, pacsv.WriteOptions(quoting_style="needed"))
    with path.open("wb") as f:
        f.write(b"\xef\xbb\xbf")
        f.write(buf.getvalue())


def summarise(hits: pa.Table) -> dict[str, Any]:
    """Counts and amounts per rule and per (file, sheet) × rule, computed in SQL."""
    con = duckdb.connect()
    try:
        con.register("hits", hits)
        per_rule = con.execute(
            """SELECT rule, count(*) AS rows, count(DISTINCT coalesce(id_normalized, name)) AS people,
                      coalesce(sum(amount), 0) AS amount FROM hits GROUP BY rule"""
        ).fetchall()
        per_file = con.execute(
            """SELECT file, coalesce(sheet, '') AS sheet, rule, count(*), coalesce(sum(amount), 0)
               FROM hits GROUP BY ALL ORDER BY file, sheet"""
        ).fetchall()
        total = con.execute(
            """SELECT count(*), count(DISTINCT file || '|' || coalesce(sheet, '') || '|' || row),
                      coalesce(sum(amount), 0) FROM hits"""
        ).fetchall()[0]
    finally:
        con.close()
    return {"per_rule": per_rule, "per_file": per_file, "total": total}


def write_workbook(
    result: CheckResult, summary: dict[str, Any], path: Path, *, unmask: bool
) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    fmt = _formats(wb)
    _summary_sheet(wb, fmt, result, summary, unmask)
    rows_by_rule: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in result.hits.to_pylist():
        rows_by_rule[row["rule"]].append(row)
    for rule_id in result.rules_run:
        _rule_sheet(wb, fmt, rule_id, rows_by_rule.get(rule_id, []), unmask)
    wb.close()


def _formats(wb: Any) -> dict[str, Any]:
    base = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter"}
    return {
        "title": wb.add_format({"bold": True, "font_size": 14, "font_name": "黑体"}),
        "note": wb.add_format({"font_size": 9, "font_color": "#555555", "text_wrap": True}),
        "head": wb.add_format(
            {**base, "bold": True, "bg_color": "#DDEBF7", "align": "center", "text_wrap": True}
        ),
        "verify": wb.add_format({**base, "bold": True, "bg_color": "#FFF2CC", "align": "center"}),
        "cell": wb.add_format(base),
        "wrap": wb.add_format({**base, "text_wrap": True}),
        "money": wb.add_format({**base, "num_format": "#,##0.00"}),
        "date": wb.add_format({**base, "num_format": "yyyy-mm-dd"}),
        "int": wb.add_format({**base, "num_format": "0"}),
        "input": wb.add_format({**base, "bg_color": "#FFFBEA"}),
    }


def _summary_sheet(
    wb: Any, fmt: dict[str, Any], result: CheckResult, summary: dict[str, Any], unmask: bool
) -> None:
    ws = wb.add_worksheet("汇总")
    ws.set_column(0, 0, 30)
    ws.set_column(1, 4, 14)
    ws.write(0, 0, f"{result.config.program}数据比对疑点汇总", fmt["title"])
    ws.write(
        1,
        0,
        f"比对时间：{result.started}　规则参数：标准 {result.config.standard} 元/人/年，死亡后宽限 {result.config.grace_days} 天",
        fmt["note"],
    )
    ws.write(
        2,
        0,
        "身份证号码"
        + (
            "未遮蔽（--unmask），请按涉密要求保管本表。"
            if unmask
            else "已遮蔽显示；核查时请对照原始名单。"
        ),
        fmt["note"],
    )
    r = 4
    for c, h in enumerate(["疑点类型", "疑点条数", "涉及人数", "涉及金额（元）", "说明"]):
        ws.write(r, c, h, fmt["head"])
    per_rule = {row[0]: row for row in summary["per_rule"]}
    for rule_id in result.rules_run:
        r += 1
        rule = RULES_BY_ID[rule_id]
        _, rows, people, amount = per_rule.get(rule_id, (rule_id, 0, 0, Decimal(0)))
        ws.write(r, 0, rule.title, fmt["cell"])
        ws.write_number(r, 1, rows, fmt["int"])
        ws.write_number(r, 2, people, fmt["int"])
        ws.write_number(r, 3, float(amount), fmt["money"])
        ws.write(r, 4, rule.meaning, fmt["wrap"])
    for rule_id, why in result.rules_skipped.items():
        r += 1
        ws.write(r, 0, RULES_BY_ID[rule_id].title, fmt["cell"])
        ws.write(r, 4, why, fmt["wrap"])
    total_rows, distinct_rows, total_amount = summary["total"]
    r += 1
    ws.write(r, 0, "合计（一行可能同时属于多种疑点）", fmt["head"])
    ws.write_number(r, 1, total_rows, fmt["int"])
    ws.write(r, 2, f"不重复行 {distinct_rows}", fmt["cell"])
    ws.write_number(r, 3, float(total_amount), fmt["money"])
    r += 2
    ws.write(r, 0, "按文件 / 工作表（县市区）", fmt["title"])
    rules = result.rules_run
    r += 1
    for c, h in enumerate(["文件", "工作表", *(RULES_BY_ID[x].title for x in rules), "金额（元）"]):
        ws.write(r, c, h, fmt["head"])
    pivot: dict[tuple[str, str], dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    for file, sheet, rule_id, n, amount in summary["per_file"]:
        pivot[(file, sheet)][rule_id] += n
        pivot[(file, sheet)]["amount"] += amount
    for (file, sheet), counts in pivot.items():
        r += 1
        ws.write(r, 0, file, fmt["cell"])
        ws.write(r, 1, sheet, fmt["cell"])
        for c, rule_id in enumerate(rules, start=2):
            ws.write_number(r, c, counts.get(rule_id, 0), fmt["int"])
        ws.write_number(r, len(rules) + 2, float(counts["amount"]), fmt["money"])


def _rule_sheet(
    wb: Any, fmt: dict[str, Any], rule_id: str, rows: list[dict[str, Any]], unmask: bool
) -> None:
    rule = RULES_BY_ID[rule_id]
    ws = wb.add_worksheet(rule.title[:31])
    ws.write(0, 0, f"{rule.title}（{len(rows)} 条）", fmt["title"])
    ws.write(1, 0, f"判定规则：{rule.meaning}　依据：{rule.basis}", fmt["note"])
    columns = [*_SHEET_COLUMNS]
    for c, (head, _, width) in enumerate(columns):
        ws.set_column(c, c, width)
        ws.write(2, c, head, fmt["head"])
    first_verify = len(columns)
    for i, (head, width) in enumerate(_VERIFIER_COLUMNS):
        ws.set_column(first_verify + i, first_verify + i, width)
        ws.write(2, first_verify + i, head, fmt["verify"])
    ws.freeze_panes(3, 5)
    for i, row in enumerate(rows, start=1):
        r = i + 2
        ws.write_number(r, 0, i, fmt["int"])
        for c, (_, key, _) in enumerate(columns[1:], start=1):
            _write_cell(ws, r, c, key, row.get(key or ""), fmt, unmask)
        for j in range(len(_VERIFIER_COLUMNS)):
            ws.write_blank(r, first_verify + j, None, fmt["input"])
    last = max(len(rows) + 2, 3)
    ws.autofilter(2, 0, last, first_verify + len(_VERIFIER_COLUMNS) - 1)
    ws.data_validation(
        3, first_verify, last + 500, first_verify, {"validate": "list", "source": VERDICTS}
    )
    ws.data_validation(
        3,
        first_verify + 1,
        last + 500,
        first_verify + 1,
        {"validate": "decimal", "criteria": ">=", "value": 0},
    )


def _write_cell(
    ws: Any, r: int, c: int, key: str | None, value: Any, fmt: dict[str, Any], unmask: bool
) -> None:
    if value is None or value == "":
        ws.write_blank(r, c, None, fmt["cell"])
    elif key == "id_number":
        ws.write_string(r, c, str(value) if unmask else mask(str(value)), fmt["cell"])
    elif key == "amount":
        ws.write_number(r, c, float(value), fmt["money"])
    elif key == "payment_date":
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), fmt["date"])
    elif key == "row":
        ws.write_number(r, c, int(value), fmt["int"])
    elif key == "match_tier":
        ws.write_string(r, c, TIER_LABELS.get(str(value), str(value)), fmt["cell"])
    elif key == "evidence":
        ws.write_string(r, c, str(value), fmt["wrap"])
    else:
        ws.write_string(r, c, str(value), fmt["cell"])


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_manifest(
    result: CheckResult, summary: dict[str, Any], outputs: dict[str, Path], *, unmask: bool
) -> dict[str, Any]:
    """Everything needed to reproduce and defend the result."""
    per_rule = {row[0]: row for row in summary["per_rule"]}
    rules = []
    for rule_id in result.config.rules:
        info = RULES_BY_ID[rule_id].describe()
        info["parameters"] = {
            k: str(v) if isinstance(v, Decimal) else v
            for k, v in result.config.params_for(rule_id).items()
            if k in info["params"]
        }
        if rule_id in result.rules_run:
            _, rows, people, amount = per_rule.get(rule_id, (rule_id, 0, 0, 0))
            info.update(status="run", hits=rows, people=people, amount=str(amount))
        else:
            info.update(status="skipped", reason=result.rules_skipped.get(rule_id, ""))
        rules.append(info)
    return {
        "tool": "xuncha check",
        "version": __version__,
        "engine": {"name": result.engine, "duckdb": duckdb.__version__},
        "started": result.started,
        "seconds": result.seconds,
        "timings": result.timings,
        "config": result.config.to_dict(),
        "unmask": unmask,
        "inputs": [_source_dict(s) for s in result.sources],
        "rules": rules,
        "register_problems": result.register_problems,
        "outputs": {name: {"sha256": _sha256(p)} for name, p in outputs.items()},
    }


def _source_dict(s: Any) -> dict[str, Any]:
    return {
        "file": s.file,
        "path": s.path,
        "dataset": s.dataset,
        "sha256": s.sha256,
        "size": s.size,
        "kind": s.kind,
        "encoding": s.encoding,
        "status": "skipped" if s.error else "read",
        "error": s.error,
        "rows_read": sum(sh.rows_read for sh in s.sheets),
        "rows_used": sum(sh.rows_used for sh in s.sheets),
        "sheets": [
            {
                "sheet": sh.sheet,
                "header_rows": sh.header_rows,
                "columns": sh.columns,
                "year_from_title": sh.year_hint,
                "rows_read": sh.rows_read,
                "rows_used": sh.rows_used,
                "rows_skipped": sh.rows_skipped,
                "error": sh.error,
            }
            for sh in s.sheets
        ],
    }
