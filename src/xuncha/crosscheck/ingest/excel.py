"""Excel workbooks (xlsx, xls) through fastexcel: calamine in Rust, straight to Arrow.

Every sheet is read as text with no header and no skipped rows, so index i is the
row the user sees as i + 1; the header is then found among the first rows.
"""

from __future__ import annotations

import duckdb

from ..errors import InputError
from ..roles import HEAD_ROWS
from .rows import insert_rows
from .sources import Mapping, SheetReport, SourceReport, layout_of, record_layout


def short_error(err: Exception) -> str:
    """The first line of a library's error, for a user message."""
    text = str(err).strip()
    return (text.splitlines()[0] if text else type(err).__name__)[:160]


def no_header(file: str, sheet: str = "") -> InputError:
    return InputError(
        f"前 {HEAD_ROWS} 行中找不到表头：没有可识别的姓名或身份证号码列。"
        "可用 --mapping 映射文件指定列名。",
        file=file,
        sheet=sheet,
    )


def load_workbook(con: duckdb.DuckDBPyConnection, report: SourceReport, mapping: Mapping) -> None:
    import fastexcel

    try:
        reader = fastexcel.read_excel(report.path)
        names = reader.sheet_names
    except Exception as err:  # fastexcel has its own error types for broken zips and XML
        raise InputError(
            f"无法打开工作簿：文件已损坏，或不是有效的 Excel 文件（{short_error(err)}）。",
            file=report.file,
        ) from err
    report.encoding = report.kind
    for name in names:
        sheet = SheetReport(sheet=name)
        report.sheets.append(sheet)
        try:
            _load_sheet(con, reader, report, sheet, mapping)
        except InputError as err:
            sheet.error = str(err)
    if not any(s.error is None for s in report.sheets):
        raise InputError("没有一个工作表可以读取（原因见各工作表）。", file=report.file)


def _load_sheet(
    con: duckdb.DuckDBPyConnection,
    reader: object,
    report: SourceReport,
    sheet: SheetReport,
    mapping: Mapping,
) -> None:
    try:
        batch = reader.load_sheet(  # type: ignore[attr-defined]
            sheet.sheet, header_row=None, skip_rows=0, dtypes="string", eager=True
        )
    except Exception as err:
        raise InputError(
            f"无法读取（{short_error(err)}）。", file=report.file, sheet=sheet.sheet
        ) from err
    if batch.num_rows == 0:
        raise InputError("工作表为空。", file=report.file, sheet=sheet.sheet)
    head = [list(r.values()) for r in batch.slice(0, HEAD_ROWS).to_pylist()]
    layout = layout_of(head, mapping, report.file)
    if layout is None:
        raise no_header(report.file, sheet.sheet)
    record_layout(sheet, layout, report.file, head)
    # Register the batch as fastexcel returned it (building new Arrow arrays from Python
    # would make pyarrow import pandas when installed); Excel row i+1 is batch row i.
    con.register("_sheet", batch)
    try:
        relation = f"""(SELECT * FROM (SELECT *, row_number() OVER () AS _row FROM _sheet)
            WHERE _row > {layout.data_start})"""
        cols = ", ".join(f'"{name}" AS c{i}' for i, name in enumerate(batch.schema.names))
        insert_rows(
            con, report, sheet, layout, batch.num_columns,
            f"(SELECT {cols}, _row FROM {relation})", "_row",
        )  # fmt: skip
    finally:
        con.unregister("_sheet")
