"""Outputs of a run: hits.csv, the verifiers' workbook 疑点核查表.xlsx, manifest.json.

All three are written into a work folder inside ``out_dir`` (see :mod:`.workdir`) and
moved into place only when complete, so a failed run never leaves a half-written report
behind, and a killed run's is swept by the next.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from .. import __version__
from .engine import CheckConfig, CheckResult
from .linking import TIER_LABELS
from .rules import Rule
from .workdir import work_folder

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
UNATTRIBUTED_NOTE = (
    "没有身份证号码或号码损坏、无法唯一匹配到人的行，单行金额已超过标准；须核实领取人"
)
TEXT_ONLY = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
"""xlsxwriter options for a workbook of user-supplied text (every export uses them)."""


def write_outputs(result: CheckResult, out_dir: Path, *, unmask: bool = False) -> dict[str, Path]:
    """Write the three outputs into ``out_dir`` (created if needed); return their paths."""
    with work_folder(out_dir, "report") as staging, ThreadPoolExecutor(1) as helper:
        # hits.csv (Arrow's compute and CSV writer work without the GIL) is written
        # while the workbook is built (issue 17: the two overlap).
        csv_written = helper.submit(write_hits_csv, result.hits, staging / HITS_CSV)
        summary = summarise(result.hits, staging)
        write_workbook(result, summary, staging / WORKBOOK, unmask=unmask)
        csv_written.result()
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


def write_hits_csv(hits: pa.Table, path: Path) -> None:
    """UTF-8 with a BOM, so Excel opens it with the Chinese intact.

    A text cell that Excel would take for a formula (it starts with = + - @, a tab or a
    carriage return: a "name" like ``=HYPERLINK(…)`` in a list sent in) gets an
    apostrophe in front, as OWASP advises against CSV injection."""
    import pyarrow.compute as pc

    table = hits.select(CSV_COLUMNS)
    for i, column in enumerate(table.columns):
        if pa.types.is_string(column.type):
            defused = pc.replace_substring_regex(
                column, pattern=r"^([=+\-@\t\r])", replacement=r"'\1"
            )
            table = table.set_column(i, table.field(i), defused)
    buf = io.BytesIO()
    pacsv.write_csv(table, buf, pacsv.WriteOptions(quoting_style="needed"))
    with path.open("wb") as f:
        f.write(b"\xef\xbb\xbf")
        f.write(buf.getvalue())


def _connect(scratch: Path | None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that spills, if it must, into ``scratch`` (the report's work
    folder), not into ``.tmp`` in the current folder, DuckDB's default: hits hold full
    ID numbers."""
    return duckdb.connect(config={"temp_directory": str(scratch)} if scratch else {})


def summarise(hits: pa.Table, scratch: Path | None = None) -> dict[str, Any]:
    """Counts and amounts per rule and per (file, sheet) × rule, computed in SQL."""
    con = _connect(scratch)
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
        # The amount of each suspect row once, however many rules it hit.
        total = con.execute(
            """SELECT coalesce(sum(n), 0), count(*), coalesce(sum(amount), 0) FROM (
                   SELECT count(*) AS n, any_value(amount) AS amount FROM hits
                   GROUP BY file, coalesce(sheet, ''), row)"""
        ).fetchall()[0]
        # Hits whose payee could not be told (reported apart: 无法归属到人).
        unattributed = {
            rule: (n, amount)
            for rule, n, amount in con.execute(
                """SELECT rule, count(*), coalesce(sum(amount), 0) FROM hits
                   WHERE match_tier = 'unattributed' GROUP BY rule"""
            ).fetchall()
        }
    finally:
        con.close()
    return {"per_rule": per_rule, "per_file": per_file, "total": total,
            "unattributed": unattributed}  # fmt: skip


def write_workbook(
    result: CheckResult, summary: dict[str, Any], path: Path, *, unmask: bool
) -> None:
    """The verifiers' workbook. xlsxwriter lays out every sheet (formats, widths, frozen
    panes, filters, drop-down lists); the rule sheets' data rows, which can number tens
    of thousands, are then built as SpreadsheetML by one SQL query per sheet and spliced
    in, instead of a Python call per cell (12 s → under 1 s for 69,000 hits)."""
    import xlsxwriter
    import xlsxwriter.exceptions

    # Text is written as text: never a formula (a file named "=HYPERLINK(…)"), a link
    # or a number, whatever the lists sent in call their files, sheets and programs.
    wb = xlsxwriter.Workbook(str(path), TEXT_ONLY)
    fmt = _formats(wb)
    _summary_sheet(wb, fmt, result, summary, unmask)
    counts = {row[0]: row[1] for row in summary["per_rule"]}
    for rule_id in result.rules_run:
        _rule_sheet(wb, fmt, result.config.rule(rule_id), counts.get(rule_id, 0))
    # Style numbers of the formats the spliced cells use (assigned now, before close).
    styles = {name: f._get_xf_index() for name, f in fmt.items()}
    try:
        wb.close()
    except xlsxwriter.exceptions.FileCreateError as err:
        # xlsxwriter wraps the OS error (a full disk, a folder gone): raise it as itself,
        # so the caller says in Chinese that the output folder cannot be written.
        cause = err.args[0] if err.args and isinstance(err.args[0], OSError) else None
        raise (cause or OSError(str(err))) from err
    _write_rule_rows(path, result, styles, unmask)


def _write_rule_rows(path: Path, result: CheckResult, styles: dict[str, int], unmask: bool) -> None:
    """Each rule sheet's data rows as SpreadsheetML, built by DuckDB, several sheets at
    once (each on a cursor of its own; DuckDB works without the GIL), spliced into the
    workbook as they come (compressing one sheet while DuckDB builds the next)."""
    con = _connect(path.parent)
    try:
        # Numbered in SQL (an empty OVER keeps the order): building an Arrow array
        # from Python would make pyarrow import pandas, a second's start-up, if installed.
        con.register("_hits", result.hits)
        con.execute("CREATE TABLE hits AS SELECT *, row_number() OVER () AS _order FROM _hits")

        def body(rule_id: str) -> bytes:
            cur = con.cursor()
            try:
                return _sheet_rows_xml(cur, rule_id, styles, unmask)
            finally:
                cur.close()

        with ThreadPoolExecutor(max(1, len(result.rules_run))) as pool:
            bodies = {
                f"xl/worksheets/sheet{n}.xml": pool.submit(body, rule_id)
                for n, rule_id in enumerate(result.rules_run, start=2)
            }
            _splice_rows(path, bodies)
    finally:
        con.close()


def _sheet_rows_xml(
    con: duckdb.DuckDBPyConnection, rule_id: str, styles: dict[str, int], unmask: bool
) -> bytes:
    """The <row> elements of one rule sheet's data (from Excel row 4 on), in SQL."""
    from xlsxwriter.utility import xl_col_to_name

    tiers = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in TIER_LABELS.items())
    special = {  # column key -> (value as text, numeric?, format)
        None: ("CAST(i AS VARCHAR)", True, "int"),
        "row": ('CAST("row" AS VARCHAR)', True, "int"),
        "amount": ("CAST(amount AS VARCHAR)", True, "money"),
        "payment_date": ("CAST(payment_date - DATE '1899-12-30' AS VARCHAR)", True, "date"),
        "id_number": ("id_number" if unmask else _MASK_SQL, False, "cell"),
        "match_tier": (f"CASE match_tier {tiers} ELSE match_tier END", False, "cell"),
        "evidence": ("evidence", False, "wrap"),
    }
    picked, cells = [], []
    for c, (_, key, _) in enumerate(_SHEET_COLUMNS):
        expr, numeric, style = special.get(key, (f"CAST({key} AS VARCHAR)", False, "cell"))
        picked.append(f"{expr} AS v{c}")
        head = f'<c r="{xl_col_to_name(c)}'
        if numeric:
            value = f"""concat('{head}', r, '" s="{styles[style]}"><v>', v{c}, '</v></c>')"""
        else:
            value = f"""concat('{head}', r, '" s="{styles[style]}" t="inlineStr"><is><t xml:space="preserve">',
                {_xml_text(f"v{c}")}, '</t></is></c>')"""
        empty = f"""concat('{head}', r, '" s="{styles[style]}"/>')"""
        cells.append(f"CASE WHEN coalesce(v{c}, '') = '' THEN {empty} ELSE {value} END")
    first = len(_SHEET_COLUMNS)
    for j in range(len(_VERIFIER_COLUMNS)):
        col = xl_col_to_name(first + j)
        cells.append(f"""concat('<c r="{col}', r, '" s="{styles["input"]}"/>')""")
    sql = f"""
    WITH numbered AS (
        SELECT *, row_number() OVER (ORDER BY _order) AS i FROM hits WHERE rule = ?),
    vals AS (SELECT i, CAST(i + 3 AS VARCHAR) AS r, {", ".join(picked)} FROM numbered)
    SELECT concat('<row r="', r, '">', {", ".join(cells)}, '</row>') AS xml
    FROM vals ORDER BY i"""
    return _concatenated(con.sql(sql, params=[rule_id]).to_arrow_table().column("xml"))


def _concatenated(column: pa.ChunkedArray) -> bytes:
    """The strings of a column without nulls, end to end: an Arrow string array keeps
    its values back to back in one buffer, so this is a slice, not a Python loop."""
    parts = []
    for chunk in column.chunks:
        if not len(chunk):
            continue
        offsets, data = chunk.buffers()[1:3]
        width = 8 if pa.types.is_large_string(chunk.type) else 4
        start, end = (
            int.from_bytes(offsets[width * i : width * (i + 1)], "little", signed=True)
            for i in (chunk.offset, chunk.offset + len(chunk))
        )
        parts.append(data[start:end].to_pybytes())
    return b"".join(parts)


# XML 1.0 forbids most control characters; Excel refuses a file holding one.
_XML_ILLEGAL = "[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]"
_MASK_SQL = """CASE WHEN coalesce(id_number, '') = '' THEN NULL
    WHEN length(id_number) <= 7 THEN repeat('*', length(id_number))
    ELSE left(id_number, 3) || repeat('*', length(id_number) - 7) || right(id_number, 4) END"""


def _xml_text(expr: str) -> str:
    """SQL escaping a text for an XML element (at most Excel's 32,767 characters); the
    few texts that need it are found first by one regular expression."""
    clean = f"left(regexp_replace({expr}, '{_XML_ILLEGAL}', '', 'g'), 32767)"
    escaped = f"replace(replace(replace({clean}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
    special = "[&<>\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]"
    return f"CASE WHEN regexp_matches({expr}, '{special}') OR length({expr}) > 32767 THEN {escaped} ELSE {expr} END"


def _splice_rows(path: Path, bodies: dict[str, Future[bytes]]) -> None:
    """Put each sheet's data rows at the end of its <sheetData> and rewrite the zip."""
    import zipfile

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            pending = bodies.get(item.filename)
            body = pending.result() if pending is not None else b""
            if body:
                data = re.sub(rb'<dimension ref="[^"]*"/>', b"", data, count=1)
                head, tail = data.split(b"</sheetData>", 1)
                data = b"".join((head, body, b"</sheetData>", tail))
            zout.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    os.replace(tmp, path)


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


def parameters_text(config: CheckConfig) -> str:
    """The rule parameters of a run, as a reader of the report sees them."""
    shown = config.spec.params_text(config.params)
    return f"规则参数：{shown}" if shown else "规则参数：无"


def _summary_sheet(
    wb: Any, fmt: dict[str, Any], result: CheckResult, summary: dict[str, Any], unmask: bool
) -> None:
    ws = wb.add_worksheet("汇总")
    ws.set_column(0, 0, 30)
    ws.set_column(1, 4, 14)
    ws.write_string(0, 0, f"{result.config.title}数据比对疑点汇总", fmt["title"])
    ws.write_string(
        1, 0, f"比对时间：{result.started}　{parameters_text(result.config)}", fmt["note"]
    )
    ws.write_string(
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
        ws.write_string(r, c, h, fmt["head"])
    per_rule = {row[0]: row for row in summary["per_rule"]}
    for rule_id in result.rules_run:
        r += 1
        rule = result.config.rule(rule_id)
        _, rows, people, amount = per_rule.get(rule_id, (rule_id, 0, 0, Decimal(0)))
        ws.write_string(r, 0, rule.title, fmt["cell"])
        ws.write_number(r, 1, rows, fmt["int"])
        ws.write_number(r, 2, people, fmt["int"])
        ws.write_number(r, 3, float(amount), fmt["money"])
        ws.write_string(r, 4, rule.meaning, fmt["wrap"])
        if rule_id in summary["unattributed"]:
            n, amount = summary["unattributed"][rule_id]
            r += 1
            ws.write_string(r, 0, f"　其中：{TIER_LABELS['unattributed']}", fmt["cell"])
            ws.write_number(r, 1, n, fmt["int"])
            ws.write_number(r, 3, float(amount), fmt["money"])
            ws.write_string(r, 4, UNATTRIBUTED_NOTE, fmt["wrap"])
    for rule_id, why in result.rules_skipped.items():
        r += 1
        ws.write_string(r, 0, result.config.rule(rule_id).title, fmt["cell"])
        ws.write_string(r, 4, why, fmt["wrap"])
    total_rows, distinct_rows, total_amount = summary["total"]
    r += 1
    ws.write_string(r, 0, "合计（一行可能同时属于多种疑点）", fmt["head"])
    ws.write_number(r, 1, total_rows, fmt["int"])
    ws.write_string(r, 2, f"不重复行 {distinct_rows}", fmt["cell"])
    ws.write_number(r, 3, float(total_amount), fmt["money"])
    ws.write_string(r, 4, "金额按不重复的行计，每行只计一次", fmt["wrap"])
    r += 2
    ws.write_string(r, 0, "按文件 / 工作表（县市区）", fmt["title"])
    rules = result.rules_run
    r += 1
    for c, h in enumerate(
        ["文件", "工作表", *(result.config.rule(x).title for x in rules), "金额（元）"]
    ):
        ws.write_string(r, c, h, fmt["head"])
    pivot: dict[tuple[str, str], dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    for file, sheet, rule_id, n, amount in summary["per_file"]:
        pivot[(file, sheet)][rule_id] += n
        pivot[(file, sheet)]["amount"] += amount
    for (file, sheet), counts in pivot.items():
        r += 1
        ws.write_string(r, 0, file, fmt["cell"])
        ws.write_string(r, 1, sheet, fmt["cell"])
        for c, rule_id in enumerate(rules, start=2):
            ws.write_number(r, c, counts.get(rule_id, 0), fmt["int"])
        ws.write_number(r, len(rules) + 2, float(counts["amount"]), fmt["money"])


def _rule_sheet(wb: Any, fmt: dict[str, Any], rule: Rule, count: int) -> None:
    """Title, headers, widths, frozen panes, filter and drop-downs of a rule sheet; its
    data rows are spliced in afterwards (see :func:`write_workbook`)."""
    ws = wb.add_worksheet(rule.title[:31])
    ws.write_string(0, 0, f"{rule.title}（{count} 条）", fmt["title"])
    ws.write_string(1, 0, f"判定规则：{rule.meaning}　依据：{rule.basis}", fmt["note"])
    for c, (head, _, width) in enumerate(_SHEET_COLUMNS):
        ws.set_column(c, c, width)
        ws.write_string(2, c, head, fmt["head"])
    first_verify = len(_SHEET_COLUMNS)
    for i, (head, width) in enumerate(_VERIFIER_COLUMNS):
        ws.set_column(first_verify + i, first_verify + i, width)
        ws.write_string(2, first_verify + i, head, fmt["verify"])
    ws.freeze_panes(3, 5)
    last = max(count + 2, 3)
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


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_manifest(
    result: CheckResult, summary: dict[str, Any], outputs: dict[str, Path], *, unmask: bool
) -> dict[str, Any]:
    """Everything needed to reproduce and defend the result."""
    per_rule = {row[0]: row for row in summary["per_rule"]}
    rules = []
    for rule_id in result.config.rules:
        info = result.config.rule(rule_id).describe()
        info["parameters"] = {
            k: str(v) if isinstance(v, Decimal) else v
            for k, v in result.config.params_for(rule_id).items()
            if k in info["params"]
        }
        if rule_id in result.rules_run:
            _, rows, people, amount = per_rule.get(rule_id, (rule_id, 0, 0, 0))
            info.update(status="run", hits=rows, people=people, amount=str(amount))
            if rule_id in summary["unattributed"]:
                n, amount = summary["unattributed"][rule_id]
                info["unattributed"] = {
                    "reason": TIER_LABELS["unattributed"], "hits": n, "amount": str(amount)
                }  # fmt: skip
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
        "data_problems": result.data_problems,
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
                "hidden": sh.hidden,
                "header_rows": sh.header_rows,
                "columns": sh.columns,
                "year_from_title": sh.year_hint,
                "rows_read": sh.rows_read,
                "rows_used": sh.rows_used,
                "rows_skipped": sh.rows_skipped,
                "rows_skipped_at": sh.skipped_rows,
                "problems": [
                    {"reason": reason, "count": n, "rows": sh.problem_rows.get(reason, [])}
                    for reason, n in sh.problems.items()
                ],
                **({"lines": sh.lines} if sh.lines is not None else {}),
                "error": sh.error,
            }
            for sh in s.sheets
        ],
    }
