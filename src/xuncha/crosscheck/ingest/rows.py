"""The ``raw`` table every input lands in, and the SQL that classifies its rows."""

from __future__ import annotations

import duckdb

from ..roles import PERSON_KEYS, ROLES, HeaderLayout
from .sources import SheetReport, SourceReport, declared

SKIP_REASONS = {
    "blank": "空行",
    "total": "合计/小计行",
    "signature": "制表人/审核人等签字行",
    "header": "重复的表头行",
    "no_identity": "既无姓名也无身份证号",
    "no_key": "没有编号（如地块编号）",
    "unreadable": "身份证号码或姓名单元格是错误值（如 #N/A）或没有保存计算结果的公式",
}

_TOTAL = r"\|(本页|本表|全县|全市|全区|全乡|全镇|总)?(合计|小计|总计)[:：]?\|"
_SIGNATURE = (
    r"(制表人|填表人|审核人|复核人|经办人|负责人|制表日期|填报日期|制表单位|"
    r"主管领导|分管领导)[:：]"
)


# ``rid``, a row's number for the whole run: the file's number, the sheet's place in
# the file and the row (an xlsx sheet has at most 2^20 rows; a CSV is one sheet, whose
# line numbers may then use the bits above). It depends only on where the row is, not
# on the order in which files happen to be inserted (two are read at once).
_SRC_SHIFT, _SHEET_SHIFT = 1 << 40, 1 << 24


def create_raw_table(con: duckdb.DuckDBPyConnection) -> None:
    cols = ", ".join(f"{c} VARCHAR" for c in ROLES)
    con.execute(
        "CREATE TABLE raw (rid BIGINT, src INTEGER, dataset VARCHAR, file VARCHAR, sheet VARCHAR, "
        f"row_no BIGINT, kind VARCHAR, year_hint INTEGER, {cols})"
    )


def sql_str(value: str | None) -> str:
    """A SQL string literal (or NULL)."""
    if value is None:
        return "NULL"
    return "'" + value.replace("'", "''") + "'"


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    report: SourceReport,
    sheet: SheetReport,
    layout: HeaderLayout,
    width: int,
    relation: str,
    row_expr: str,
) -> None:
    """INSERT one table's rows (columns c0…c{width-1}) into ``raw``, classified in SQL.

    A total or signature row never holds an ID-like number, so a payee who happens to
    be written next to the word 合计 in a note is still a payment.

    Cells are stored as written (spaces around them too: trimming every cell of
    millions of rows costs more than reading them; normalisation ignores the spaces,
    and a hit trims the cells it shows). The rows that are not plainly data are
    classified on trimmed cells, so a row of spaces is blank.
    """
    cells = [f"nullif(trim(c{i}), '')" for i in range(width)]

    def column(role: str) -> int | None:
        col = layout.columns.get(role)
        return col if col is not None and col < width else None

    def cell(role: str) -> str:
        col = column(role)
        return cells[col] if col is not None else "NULL"

    def written(role: str) -> str:
        col = column(role)
        if col is None:
            return "NULL"
        if role in layout.wan:  # the header says 万元: each amount is read in 万元
            return f"""CASE WHEN trim(coalesce(c{col}, '')) = '' THEN NULL
                WHEN strpos(c{col}, '万') > 0 THEN c{col} ELSE trim(c{col}) || '万' END"""
        return f"nullif(c{col}, '')"

    joined = "concat_ws('|', " + ", ".join(cells) + ")"
    nospace = f"regexp_replace({joined}, '[\\s\u3000]+', '', 'g')"
    name, ident = cell("name"), cell("id_number")
    all_null = " AND ".join(f"{c} IS NULL" for c in cells)
    keys = declared(report.dataset).keys
    # Most rows are plainly data: an ID-like number (a list of people) or a code-like
    # key (地块编号 DK0000001: ASCII letters and digits only); they are decided before any
    # costly work on the joined cells (CASE evaluates later branches only for the rest).
    plainly = f"regexp_matches(coalesce({written('id_number')}, ''), '\\d{{6}}')"
    if keys == PERSON_KEYS:
        missing_key = f"WHEN {name} IS NULL AND {ident} IS NULL THEN 'no_identity'"
    else:  # a list of things (parcels): its key says which, its header text repeated is a header
        plainly = " OR ".join(
            f"regexp_matches(coalesce({written(k)}, ''), '^\\s*[0-9A-Za-z][0-9A-Za-z_./-]*\\s*$')"
            for k in keys
        )
        missing_key = f"WHEN {' AND '.join(f'{cell(k)} IS NULL' for k in keys)} THEN 'no_key'"
        at = {k: c for k in keys if (c := column(k)) is not None and c < len(layout.headers)}
        repeated = [
            f"regexp_replace({cell(k)}, '[\\s\u3000]+', '', 'g') = {sql_str(layout.headers[c])}"
            for k, c in at.items()
        ]
        if repeated:
            missing_key = f"WHEN {' OR '.join(repeated)} THEN 'header' {missing_key}"
    kind = f"""CASE
        WHEN {plainly} THEN 'data'
        WHEN {all_null} THEN 'blank'
        WHEN regexp_matches('|' || {nospace} || '|', {sql_str(_TOTAL)}) THEN 'total'
        WHEN regexp_matches({nospace}, {sql_str(_SIGNATURE)}) THEN 'signature'
        WHEN regexp_matches(coalesce({ident}, ''), '身份|证件')
            OR regexp_matches(coalesce({name}, ''), '^姓\\s*名$') THEN 'header'
        {missing_key}
        ELSE 'data' END"""
    values = [written(role) for role in ROLES]
    if "county" not in layout.columns and sheet.sheet:
        values[list(ROLES).index("county")] = sql_str(sheet.sheet)
    rid = f"{_rid_base(report, sheet)} + {row_expr}"
    con.execute(
        f"""INSERT INTO raw SELECT {rid}, {report.src}, {sql_str(report.dataset)},
            {sql_str(report.file)}, {sql_str(sheet.sheet)}, {row_expr}, {kind},
            {sheet.year_hint or "NULL"}, {", ".join(values)}
        FROM {relation}"""
    )


def _rid_base(report: SourceReport, sheet: SheetReport) -> int:
    sheet_no = next(i for i, s in enumerate(report.sheets) if s is sheet)
    return report.src * _SRC_SHIFT + sheet_no * _SHEET_SHIFT


def insert_blank_lines(
    con: duckdb.DuckDBPyConnection, report: SourceReport, sheet: SheetReport, lines: list[int]
) -> None:
    """A CSV's empty lines (DuckDB's reader drops them) as blank rows: every line of the
    file is then a row of ``raw`` or part of its header, and is counted."""
    if lines:
        con.execute(
            f"""INSERT INTO raw (rid, src, dataset, file, sheet, row_no, kind)
            SELECT {_rid_base(report, sheet)} + n, {report.src}, {sql_str(report.dataset)},
                {sql_str(report.file)}, {sql_str(sheet.sheet)}, n, 'blank'
            FROM (SELECT unnest(?::BIGINT[]) AS n)""",
            [lines],
        )


def mark_unread_cells(
    con: duckdb.DuckDBPyConnection,
    report: SourceReport,
    sheet: SheetReport,
    key_rows: list[int],
    cells: dict[str, tuple[list[int], list[str]]],
) -> None:
    """Cells a workbook holds no value for (an error such as #N/A, a formula never
    calculated), which its reader gives as empty. A row whose name or ID is such a cell
    (``key_rows``) is skipped as unreadable: read as empty, its ID would be "missing"
    and a false hit. Any other such cell (``cells``: role -> rows and texts) gets its
    error text, so its amount or date counts as unreadable, not as absent."""
    base = _rid_base(report, sheet)
    if key_rows:
        con.execute(
            f"UPDATE raw SET kind = 'unreadable' WHERE rid IN (SELECT {base} + unnest(?::BIGINT[]))",
            [key_rows],
        )
    for role, (rows, texts) in cells.items():
        assert role in ROLES
        con.execute(
            f"""UPDATE raw SET {role} = f.t
            FROM (SELECT {base} + unnest(?::BIGINT[]) AS r, unnest(?::VARCHAR[]) AS t) f
            WHERE raw.rid = f.r""",
            [rows, texts],
        )
