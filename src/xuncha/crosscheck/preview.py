"""A quick look at an input file before it is checked: its sheets, where each header
is, which column the engine takes for each role, and the first data rows.

Only the first rows are read (a 2,000,000-row file previews as fast as a small one),
with the same header finding and the same user mapping as the run itself, so what the
user confirms is what the run will read.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .ingest import guard, readable_kind
from .ingest.excel import open_workbook, reader_error, reader_failures, sheet_members, short_error
from .ingest.sources import Mapping, declared, layout_of, year_hint
from .ingest.text import SAMPLE_BYTES, detect_encoding, encoding_label, sniff_csv
from .roles import HEAD_ROWS, ROLES

SAMPLE_ROWS = 5


@dataclass
class SheetPreview:
    sheet: str
    header_rows: list[int] = field(default_factory=list)  # 1-based, as the user sees them
    headers: list[str] = field(default_factory=list)  # one per column (two-row headers joined)
    columns: dict[str, int] = field(default_factory=dict)  # role -> 0-based column
    sample: list[list[str]] = field(default_factory=list)  # the first data rows
    year: int | None = None  # the payment year a title, the sheet or the file name gives
    error: str | None = None
    unreadable: bool = False  # no mapping can help: the sheet itself cannot be read
    empty: bool = False  # the whole sheet was seen: a header and no data row

    def role_of_column(self) -> dict[int, str]:
        return {col: role for role, col in self.columns.items()}

    def problems(self, dataset: str) -> tuple[list[str], list[str]]:
        """(errors, warnings) of this sheet's mapping for a dataset kind, in Chinese."""
        if self.error:
            return [self.error], []
        spec = declared(dataset)
        errors = [f"没有「{ROLES[r]}」列" for r in spec.needs if r not in self.columns]
        warnings = [f"没有「{ROLES[r]}」列" for r in spec.wants if r not in self.columns]
        if dataset == "payments" and ("year" in self.columns or self.year):
            warnings = [w for w in warnings if ROLES["payment_date"] not in w]
        return errors, warnings


@dataclass
class FilePreview:
    file: str
    kind: str = ""
    encoding: str = ""
    sheets: list[SheetPreview] = field(default_factory=list)
    error: str | None = None

    @property
    def unreadable(self) -> bool:
        """Nothing in the file can be read, whatever the column mapping."""
        return self.error is not None or all(s.unreadable for s in self.sheets)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FilePreview:
        sheets = [SheetPreview(**s) for s in data.get("sheets", [])]
        return cls(**{**data, "sheets": sheets})

    def problems(self, dataset: str) -> tuple[list[str], list[str]]:
        """(errors, warnings) naming the sheet, empty when the file can be checked."""
        if self.error:
            return [self.error], []
        errors: list[str] = []
        warnings: list[str] = []
        some_readable = any(not s.unreadable for s in self.sheets)
        for sheet in self.sheets:
            where = f"工作表「{sheet.sheet}」" if sheet.sheet else ""
            if sheet.unreadable and some_readable:  # the engine skips it, with its reason
                warnings.append(f"{where}{sheet.error}，比对时跳过此表")
                continue
            errs, warns = sheet.problems(dataset)
            if sheet.empty:
                warnings.append(f"{where}表头下没有数据行，此表没有可比对的记录")
            errors += [f"{where}{e}" for e in errs]
            warnings += [f"{where}{w}，相关规则在此表中不会发现疑点" for w in warns]
        if self.sheets and all(s.error for s in self.sheets):
            errors.insert(0, "没有一个工作表可以读取")
        return errors, warnings


def preview_file(
    path: str | Path, mapping: Mapping | None = None, *, name: str = "", dataset: str = "payments"
) -> FilePreview:
    """What the engine will read from ``path``; ``name`` is the file name the mapping
    and messages use (defaults to the path's). Never raises for a bad file: the reason
    is in ``error`` (of the file or of a sheet)."""
    path = Path(path)
    mapping = mapping or Mapping()
    out = FilePreview(file=name or path.name)
    try:
        out.kind = readable_kind(path, out.file)
        if out.kind in ("xlsx", "xls"):
            _workbook(path, out, mapping, dataset)
        else:
            _csv(path, out, mapping, dataset)
    except InputError as err:
        out.error = str(err)
    except OSError as err:
        out.error = str(InputError(f"无法读取文件（{err.strerror or err}）。", file=out.file))
    return out


def _sheet(
    rows: list[list[Any]], mapping: Mapping, file: str, name: str, dataset: str
) -> SheetPreview:
    sheet = SheetPreview(sheet=name)
    head = [["" if c is None else str(c) for c in row] for row in rows[:HEAD_ROWS]]
    layout = layout_of(head, mapping, file, dataset) if head else None
    if layout is None:
        keys = "或".join(ROLES[k] for k in declared(dataset).keys)
        sheet.error = (
            "工作表为空" if not any(any(c.strip() for c in r) for r in head)
            else f"前 {HEAD_ROWS} 行中找不到表头（没有可识别的{keys}列），请手工指定各列"
        )  # fmt: skip
        sheet.headers = max(head, key=lambda r: sum(bool(c.strip()) for c in r), default=[])
        sheet.sample = head[:SAMPLE_ROWS]
        return sheet
    sheet.header_rows = [r + 1 for r in layout.header_rows]
    width = max((len(r) for r in head), default=0)
    sheet.headers = (list(layout.headers) + [""] * width)[:width]
    sheet.columns = dict(layout.columns)
    sheet.year = year_hint(file, name, head[: layout.header_rows[0]])
    data = [r for r in head[layout.data_start :] if any(c.strip() for c in r)]
    sheet.sample = [(r + [""] * width)[:width] for r in data[:SAMPLE_ROWS]]
    sheet.empty = not data and len(rows) < HEAD_ROWS
    return sheet


def _workbook(path: Path, out: FilePreview, mapping: Mapping, dataset: str) -> None:
    reader, names = open_workbook(str(path), out.file)
    out.encoding = out.kind
    far = guard.oversized_sheets(path, out.file, sheet_members(str(path)))
    for name in names:
        if name in far:
            out.sheets.append(SheetPreview(sheet=name, unreadable=True, error=f"使用范围异常大"
                                           f"（{far[name]}），多半是远处有无意中输入或设了格式的单元格，请删除后另存"))  # fmt: skip
            continue
        try:
            batch = reader.load_sheet(
                name, header_row=None, n_rows=HEAD_ROWS, dtypes="string", eager=True
            )
            rows = [list(r.values()) for r in batch.to_pylist()]
        except BaseException as err:
            reader_error(err)
            out.sheets.append(
                SheetPreview(sheet=name, error=f"无法读取（{short_error(err)}）", unreadable=True)
            )
            continue
        out.sheets.append(_sheet(rows, mapping, out.file, name, dataset))


def _csv(path: Path, out: FilePreview, mapping: Mapping, dataset: str) -> None:
    with path.open("rb") as f:
        sample = f.read(SAMPLE_BYTES)
    encoding = detect_encoding(sample, out.file)
    out.encoding = encoding_label(encoding)
    try:
        text = codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=False)
    except UnicodeDecodeError as err:  # e.g. a UTF-8 BOM in front of GBK text
        line = sample.count(b"\n", 0, err.start) + 1
        raise InputError(
            f"第 {line} 行不是 {encoding_label(encoding)} 编码的文字，文件编码混乱，"
            "请用同一种编码（UTF-8 或 GBK）另存后重新上传。",
            file=out.file,
        ) from err
    _, records, _ = sniff_csv(text.lstrip("\ufeff"), out.file)
    out.sheets.append(_sheet([list(r) for r in records], mapping, out.file, "", dataset))


def preview_isolated(
    path: str | Path, mapping: Mapping | None = None, *, name: str, dataset: str = "payments"
) -> FilePreview:
    """:func:`preview_file` in a child process with the "parse" limits
    (:mod:`xuncha.sandbox`): a file that crashes the reader or passes a limit gives a
    preview whose ``error`` says so, and the caller's process lives on."""
    from .. import sandbox

    try:
        preview: FilePreview = sandbox.run(
            preview_file,
            str(path),
            mapping,
            name=name,
            dataset=dataset,
            file=name,
            limits=sandbox.limits("parse"),
        )
    except sandbox.FileCrashed as err:
        return FilePreview(file=name, error=str(err))
    return preview


WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # xlsx (a zip), xls (OLE2)
CSV_HEAD_LINES = 10  # a small table's delimiter is guessed from its first lines


def named_sheet_rows(
    source: str | bytes, *, name: str, prefer: str = "", keep_top: bool = False
) -> tuple[str, list[list[str]]]:
    """The sheet read and every row of it (``prefer``, else the first sheet) as stripped
    text, for the workbooks the workbench imports (units, returned verification lists,
    standards, department data). With ``keep_top`` blank rows above the first filled one
    are kept, so a row's index is its Excel number less one. The bomb checks come first;
    call it through :mod:`xuncha.sandbox`. InputError if the file cannot be read."""
    what = "无法读取：不是有效的 Excel（xlsx、xls）文件，或文件已损坏、设有密码"
    reader, names = open_workbook(source, name, what)
    with reader_failures(name, what):
        sheet = prefer if prefer in names else names[0]
        members = sheet_members(source) if isinstance(source, str) else {}
        far = guard.oversized_sheets(source, name, members)
        if sheet in far:
            raise InputError(
                f"使用范围异常大（{far[sheet]}），多半是远处有无意中输入或设了格式的单元格，"
                "请删除后另存。",
                file=name,
                sheet=sheet,
            )
        top: dict[str, Any] = {"skip_rows": 0} if keep_top else {}
        batch = reader.load_sheet(sheet, header_row=None, dtypes="string", eager=True, **top)
    rows = [["" if v is None else str(v).strip() for v in r.values()] for r in batch.to_pylist()]
    return sheet, rows


def sheet_rows(source: str | bytes, *, name: str, prefer: str = "") -> list[list[str]]:
    """:func:`named_sheet_rows` without the sheet's name."""
    return named_sheet_rows(source, name=name, prefer=prefer)[1]


def csv_rows(data: bytes, *, name: str) -> list[list[str]]:
    """Every row of a small CSV in UTF-8 or GBK/GB18030 as stripped text, its delimiter
    guessed from the first lines. InputError naming the line where the encoding breaks."""
    encoding = detect_encoding(data[: 1 << 20], name)
    try:
        text = codecs.decode(data, encoding)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise InputError(
            f"第 {line} 行编码混乱，请用 UTF-8 或 GBK 另存后重新上传。", file=name
        ) from err
    text = text.lstrip("\ufeff")
    head = [ln for ln in text.splitlines()[:CSV_HEAD_LINES] if ln.strip()]
    delim = max(",\t;|", key=lambda d: sum(ln.count(d) for ln in head))
    return [
        [c.strip() for c in row]
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    ]


def table_rows(data: bytes, *, name: str, keep_top: bool = False) -> tuple[str, list[list[str]]]:
    """A small table file as rows of text: a workbook's first sheet (with its name) or a
    CSV (sheet name ""). Call it through :mod:`xuncha.sandbox`."""
    if data.startswith(WORKBOOK_MAGIC):
        return named_sheet_rows(data, name=name, keep_top=keep_top)
    return "", csv_rows(data, name=name)


def sheet_rows_isolated(source: str | bytes, *, name: str, prefer: str = "") -> list[list[str]]:
    """:func:`sheet_rows` in a child process with the "parse" limits; a crash or a limit
    is an InputError naming the file, like any other reason it cannot be read."""
    from .. import sandbox

    try:
        rows: list[list[str]] = sandbox.run(
            sheet_rows, source, name=name, prefer=prefer, file=name, limits=sandbox.limits("parse")
        )
    except sandbox.FileCrashed as err:
        raise InputError(sandbox.crash_reason(err), file=name) from err
    return rows
