"""Reading a department's workbook in the sandbox child process (no Django here, decision
0009): a workbook's first sheet, or a CSV in UTF-8 or GBK, as rows of text, with the
sheet's name. Rows keep their Excel numbers: blank rows above the first filled one are
kept (fastexcel drops them unless asked), so 「第 12 行」 is the row the user sees."""

from __future__ import annotations

import codecs
import csv
import io

from xuncha.crosscheck.errors import InputError

HEADER_LINES = 10  # the CSV delimiter is guessed from these lines
WORKBOOK = "无法读取：不是有效的 Excel（xlsx、xls）文件，或文件已损坏、设有密码"


def read_rows(data: bytes, *, name: str) -> tuple[str, list[list[str]]]:
    """(sheet name or "" for a CSV, every row as stripped text). InputError if the
    file cannot be read; call it through :func:`read_isolated`."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return _workbook(data, name)
    from xuncha.crosscheck.ingest.text import detect_encoding

    encoding = detect_encoding(data[: 1 << 20], name)
    try:
        text = codecs.decode(data, encoding)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise InputError(
            f"第 {line} 行编码混乱，请用 UTF-8 或 GBK 另存后重新上传。", file=name
        ) from err
    text = text.lstrip("\ufeff")
    head = [ln for ln in text.splitlines()[:HEADER_LINES] if ln.strip()]
    delim = max(",\t;|", key=lambda d: sum(ln.count(d) for ln in head))
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    return "", [[c.strip() for c in row] for row in rows]


def _workbook(data: bytes, name: str) -> tuple[str, list[list[str]]]:
    from xuncha.crosscheck.ingest import guard
    from xuncha.crosscheck.ingest.excel import open_workbook, reader_failures

    reader, names = open_workbook(data, name, WORKBOOK)
    with reader_failures(name, WORKBOOK):
        sheet = names[0]
        far = guard.oversized_sheets(data, name, {})
        if sheet in far:
            raise InputError(
                f"使用范围异常大（{far[sheet]}），多半是远处有无意中输入或设了格式的单元格，"
                "请删除后另存。",
                file=name,
                sheet=sheet,
            )
        batch = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string", eager=True)
    rows = [["" if v is None else str(v).strip() for v in r.values()] for r in batch.to_pylist()]
    return sheet, rows


def read_isolated(data: bytes, *, name: str) -> tuple[str, list[list[str]]]:
    """:func:`read_rows` in the sandbox with the "parse" limits; a crash or a limit is
    an InputError naming the file, like any other reason it cannot be read."""
    from xuncha import sandbox

    try:
        result: tuple[str, list[list[str]]] = sandbox.run(
            read_rows, data, name=name, file=name, limits=sandbox.limits("parse")
        )
    except sandbox.FileCrashed as err:
        raise InputError(sandbox.crash_reason(err), file=name) from err
    return result
