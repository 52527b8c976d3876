"""CSV files: encoding, transcoding, and exact line numbers.

DuckDB reads only UTF-8 (other encodings need a network extension), so a GBK/GB18030
file is transcoded to a UTF-8 copy in the run's work folder; a UTF-8 file is read as
it is (DuckDB refuses bytes that are not UTF-8, and only then is the file decoded here
to name the line). One pass over the bytes counts lines and notes the empty lines,
which DuckDB's reader drops; an as-of join then puts every record back on the
physical line a user sees in a text editor. DuckDB reads in strict mode; a file it
refuses (a malformed quote, mixed line endings) or whose records do not fill its lines
(quoted cells that span lines) is read again by :mod:`.records`, line by line, which
repairs and reports a stray quote instead of letting it swallow the lines after it.
Either way the lines balance: those before the data, one row per record, and the
further lines of cells that hold line breaks (``SheetReport.lines``).
"""

from __future__ import annotations

import codecs
import hashlib
import io
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import duckdb
import pyarrow as pa

from ..errors import InputError
from ..roles import HEAD_ROWS, HeaderLayout
from .records import REPAIRED, read_records
from .rows import insert_blank_lines, insert_rows, sql_str
from .sources import (
    CHUNK_BYTES,
    MAX_COLUMNS,
    Mapping,
    SheetReport,
    SourceReport,
    layout_of,
    no_header,
    record_layout,
    require_id_column,
    table_width,
)

SAMPLE_BYTES = 1 << 20
MAX_LINE_BYTES = 10_000_000


@dataclass
class TextScan:
    encoding: str
    sha256: str  # of the file as given
    utf8_path: Path | None  # the file itself if UTF-8, its UTF-8 copy once transcoded
    lines: int = 0  # physical lines in the file
    blank_lines: list[int] = field(default_factory=list)  # 1-based numbers of empty lines
    validated: bool = False  # decoded throughout (a transcoded file); else DuckDB checks


def encoding_label(encoding: str) -> str:
    return {"gb18030": "GBK/GB18030", "utf-8-sig": "UTF-8", "utf-8": "UTF-8"}.get(
        encoding, encoding.upper()
    )


def detect_encoding(sample: bytes, file: str) -> str:
    """UTF-8 (with or without BOM) if the sample decodes as UTF-8, else GB18030 (a
    superset of GBK), else an error: guessing further would corrupt names."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    failed: dict[str, UnicodeDecodeError] = {}
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=False)
            return encoding
        except UnicodeDecodeError as err:
            failed[encoding] = err
    # Neither: a UTF-8 file that decodes well past its start is UTF-8 with a damaged or
    # pasted-in line (GBK, say): name that line rather than give up on the whole file.
    where = failed["utf-8"].start
    line = sample[:where].count(b"\n") + 1
    if where >= 64 and line > 1:
        raise InputError(
            "文件编码错误：前面的内容是 UTF-8，这一行却无法按 UTF-8 解码，文件在此处损坏或混用了编码"
            "（例如粘贴进了 GBK 编码的内容）。",
            file=file,
            row=line,
        )
    raise InputError(
        "无法识别文件编码：既不是 UTF-8，也不是 GBK/GB18030。"
        "请用 Excel 另存为「CSV UTF-8」后再提交。",
        file=file,
    )


def scan_text(path: Path, file: str) -> TextScan:
    """One pass over the bytes: the SHA-256, the encoding (from the first megabyte) and,
    for a UTF-8 file, its lines and empty lines. A UTF-8 file is not decoded here:
    DuckDB checks it as it reads, and a file it refuses is decoded then
    (:func:`check_encoding`) to name the line. Another encoding is left to
    :func:`transcode`."""
    digest, lines = hashlib.sha256(), _Lines()
    encoding = ""
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            digest.update(chunk)
            encoding = encoding or detect_encoding(chunk[:SAMPLE_BYTES], file)
            if encoding in _UTF8:
                lines.feed(chunk)
    utf8 = encoding in _UTF8
    return TextScan(encoding, digest.hexdigest(), path if utf8 else None, *lines.counted())


def transcode(scan: TextScan, path: Path, file: str, workdir: Path, src: int) -> TextScan:
    """A UTF-8 copy of a file in another encoding, in one pass that decodes it (which
    checks the encoding throughout) and counts its lines."""
    out_path = workdir / f"src{src}.csv"
    decoder = codecs.getincrementaldecoder(scan.encoding)("strict")
    lines = _Lines()
    with path.open("rb") as f, out_path.open("wb") as out:
        while True:
            chunk = f.read(CHUNK_BYTES)
            data = _decode(decoder, chunk, scan.encoding, file, lines.lines).encode("utf-8")
            out.write(data)
            lines.feed(data)
            if not chunk:
                break
    return TextScan(scan.encoding, scan.sha256, out_path, *lines.counted(), validated=True)


_UTF8 = ("utf-8", "utf-8-sig")


class _Lines:
    """Physical lines and empty lines of a text fed in chunks of bytes (counted on
    UTF-8 or other bytes where a newline is one byte and no other character holds it)."""

    def __init__(self) -> None:
        self.lines, self.tail = 0, b""
        self.blanks: list[int] = []

    def feed(self, data: bytes) -> None:
        self.blanks.extend(_blank_lines(self.tail + data, self.lines - self.tail.count(b"\n")))
        self.lines += data.count(b"\n")
        self.tail = data[-2:] if data else self.tail

    def counted(self) -> tuple[int, list[int]]:
        last = 1 if self.tail and not self.tail.endswith(b"\n") else 0  # no final newline
        return self.lines + last, sorted(set(self.blanks))


def check_encoding(path: Path, file: str, encoding: str) -> None:
    """Decode the whole file; raise :class:`InputError` naming the first line that
    does not decode."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    lines = 0
    with path.open("rb") as f:
        while True:
            chunk = f.read(CHUNK_BYTES)
            _decode(decoder, chunk, encoding, file, lines)
            lines += chunk.count(b"\n")
            if not chunk:
                break


def _decode(decoder: codecs.IncrementalDecoder, chunk: bytes, encoding: str, file: str,
            lines: int) -> str:  # fmt: skip
    try:
        return decoder.decode(chunk, final=not chunk)
    except UnicodeDecodeError as err:
        line = lines + 1 + chunk[: err.start].count(b"\n")
        raise InputError(
            f"文件编码错误：按 {encoding_label(encoding)} 无法解码，文件在此处损坏或混用了编码。",
            file=file,
            row=line,
        ) from err


def _blank_lines(data: bytes, lines_before: int) -> list[int]:
    """1-based numbers of the empty lines in ``data`` (searched in C; they are rare)."""
    found = []
    for pattern in (b"\n\n", b"\n\r\n") if b"\r" in data else (b"\n\n",):
        pos = data.find(pattern)
        while pos != -1:
            found.append(lines_before + data.count(b"\n", 0, pos + 1) + 1)
            pos = data.find(pattern, pos + 1)
    return found


def sniff_csv(text: str, file: str) -> tuple[str, list[list[str]], list[int]]:
    """Delimiter, the first records, and the physical line each of them ends on."""
    if "\r" in text and "\n" not in text:
        raise InputError(
            "文件只用回车符（CR）换行（旧版 Mac 的 CSV 格式），无法按行读取。"
            "请用 Excel 另存为「CSV UTF-8（逗号分隔）」后再提交。",
            file=file,
        )
    if "\n" not in text and len(text) >= SAMPLE_BYTES // 4:
        if max(text.count(d) for d in ",\t;|") + 1 > MAX_COLUMNS:
            raise InputError(
                f"列数过多（首行超过 {MAX_COLUMNS} 列），不是正常的数据表。", file=file
            )
        raise InputError("首行过长且没有换行符，不是正常的数据表。", file=file)
    head_lines = [ln for ln in text.splitlines()[:HEAD_ROWS] if ln.strip()]
    delim = max(",\t;|", key=lambda d: sum(ln.count(d) for ln in head_lines))
    # Empty cells at the end of a line (Excel exports a formatted range so) do not count.
    widest = max((ln.rstrip(delim + " \r").count(delim) + 1 for ln in head_lines), default=1)
    if widest > MAX_COLUMNS:
        raise InputError(f"列数过多（超过 {MAX_COLUMNS} 列），不是正常的数据表。", file=file)
    records: list[list[str]] = []
    ends: list[int] = []
    for rec in read_records(io.StringIO(text, newline="\n"), delim, widest):
        records.append(rec.fields)
        ends.append(rec.end)
        if len(records) >= HEAD_ROWS:
            break
    return delim, records, ends


def load_csv(
    con: duckdb.DuckDBPyConnection, report: SourceReport, mapping: Mapping, scan: TextScan
) -> None:
    report.kind, report.encoding = "csv", encoding_label(scan.encoding)
    path = scan.utf8_path
    assert path is not None, "transcode() first"
    try:
        with path.open("r", encoding="utf-8-sig", newline="\n") as f:
            text = f.read(SAMPLE_BYTES)
    except UnicodeDecodeError:
        check_encoding(path, report.file, scan.encoding)
        raise
    delim, records, ends = sniff_csv(text, report.file)
    sheet = SheetReport(sheet="")
    report.sheets.append(sheet)
    layout = layout_of([list(r) for r in records], mapping, report.file)
    if layout is None:
        raise no_header(report.file)
    header_end = ends[layout.header_rows[-1]]  # the physical line the header ends on
    require_id_column(layout, report.file, "", header_end)
    record_layout(sheet, layout, report.file, [list(r) for r in records])
    table = _Table(
        path, delim, header_end, max(max((len(r) for r in records), default=1), 1), layout
    )
    blanks = [b for b in scan.blank_lines if b > header_end]
    try:
        _insert_records(con, report, sheet, table, blanks)
        # fetchall, not fetchone: DuckDB refuses further work while a result is unfinished.
        (rows,) = con.execute("SELECT count(*) FROM raw WHERE src = ?", [report.src]).fetchall()[0]
        exact = rows == scan.lines - header_end - len(blanks)
    except duckdb.Error:
        exact = False
    if exact:
        insert_blank_lines(con, report, sheet, blanks)
        sheet.lines = _account(scan.lines, header_end, rows + len(blanks), 0)
        return
    # DuckDB refused the file or its records do not fill its lines. A file it refused
    # may hold bytes that are not UTF-8: say where. Else the file has quoted cells
    # spanning lines (which shift line numbers), mixed line endings or a malformed
    # quote (which its strict mode refuses): read it again here, line by line.
    if not scan.validated:
        check_encoding(path, report.file, scan.encoding)
    con.execute("DELETE FROM raw WHERE src = ?", [report.src])
    _insert_exact(con, report, sheet, table, scan.lines)


def _account(lines: int, before: int, rows: int, continued: int) -> dict[str, int]:
    """A CSV's line account; it must balance (every line read, skipped or in the header)."""
    if before + rows + continued != lines:
        raise AssertionError(f"line account off: {lines} != {before} + {rows} + {continued}")
    return {"lines": lines, "before_data": before, "rows": rows, "continued": continued}


@dataclass
class _Table:
    """Where a CSV's data is and how it is laid out."""

    path: Path
    delim: str
    header_end: int  # the physical line the header ends on
    sample_width: int  # cells in the widest of the first records
    layout: HeaderLayout

    @property
    def width(self) -> int:
        """The columns read (:func:`table_width`)."""
        return table_width(self.layout, max(self.sample_width, len(self.layout.headers)))

    @property
    def full(self) -> int:
        """Cells in a whole row: up to the header's last named cell."""
        named = [i for i, h in enumerate(self.layout.headers) if str(h or "").strip()]
        return max(named, default=0) + 1


def _insert_records(
    con: duckdb.DuckDBPyConnection,
    report: SourceReport,
    sheet: SheetReport,
    table: _Table,
    blanks: list[int],
) -> None:
    """Insert DuckDB's records with their physical line numbers.

    DuckDB reads in strict mode: a malformed quote, a row wider than the first records
    or mixed line endings make it fail, and the file is read by :func:`_insert_exact`
    instead (its lenient mode would join lines at a stray quote without a word).

    Record k (1-based after the header) is on line header_end + k + s, where s counts the
    empty lines before it. With the empty lines b_0 < b_1 < … sorted, line b_i shifts
    every record k >= b_i - header_end - i; an as-of join on that threshold gives s.
    """
    header_end, width = table.header_end, table.width
    declared = max(width, table.sample_width)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(declared)) + "}"
    scan = f"""(SELECT *, row_number() OVER () AS _rec FROM read_csv({sql_str(str(table.path))},
        header=false, skip={header_end}, columns={columns}, delim={sql_str(table.delim)},
        quote='"', escape='"', auto_detect=false, null_padding=true, strict_mode=true,
        max_line_size={MAX_LINE_BYTES}, encoding='utf-8'))"""
    layout = table.layout
    if not blanks:  # the common case: no join needed
        insert_rows(con, report, sheet, layout, width, scan, f"_rec + {header_end}")
        return
    shifts = {b - header_end - i: i + 1 for i, b in enumerate(blanks)}
    con.execute("CREATE OR REPLACE TEMP TABLE _shift (t BIGINT, s BIGINT)")
    try:
        con.executemany("INSERT INTO _shift VALUES (?, ?)", [[t, s] for t, s in shifts.items()])
        relation = f"""(SELECT r.*, r._rec + {header_end} + coalesce(x.s, 0) AS _line
            FROM {scan} r ASOF LEFT JOIN _shift x ON r._rec >= x.t)"""
        insert_rows(con, report, sheet, layout, width, relation, "_line")
    finally:
        con.execute("DROP TABLE _shift")


def _insert_exact(
    con: duckdb.DuckDBPyConnection,
    report: SourceReport,
    sheet: SheetReport,
    table: _Table,
    lines: int,
) -> None:
    """The slow, exact path (:func:`read_records`): every line after the header is a
    record, the continuation of a cell holding line breaks, or an empty line; a
    malformed quote is read as a plain character and reported with its line."""
    width = table.width
    rows: list[list[str | None]] = []
    starts: list[int] = []
    repaired: list[int] = []
    continued = 0
    with table.path.open("r", encoding="utf-8-sig", newline="\n") as f:
        after_header = islice(f, table.header_end, None)
        for rec in read_records(after_header, table.delim, table.full, table.header_end + 1):
            starts.append(rec.line)
            continued += rec.end - rec.line
            if rec.repaired:
                repaired.append(rec.line)
            cells: list[str | None] = list(rec.fields[:width])
            rows.append(cells + [None] * (width - len(cells)))
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]
    arrays = {f"c{c}": pa.array(list(v), pa.string()) for c, v in enumerate(columns)}
    con.register("_exact", pa.table({**arrays, "_line": pa.array(starts, pa.int64())}))
    try:
        insert_rows(con, report, sheet, table.layout, width, "_exact", "_line")
    finally:
        con.unregister("_exact")
    sheet.problem(REPAIRED, repaired)
    sheet.lines = _account(lines, table.header_end, len(starts), continued)
