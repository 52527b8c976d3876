"""Input files: what they are, the user's column mapping, and the manifest records."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..roles import HEAD_ROWS, KINDS, ROLES, HeaderLayout, find_header, normalise_header
from .cells import duplicate_roles

CHUNK_BYTES = 1 << 22
MAX_COLUMNS = 1000  # a table wider than this is not a list of payments
PROBLEM_ROWS = 100  # row numbers kept per data problem (all are counted)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


@dataclass
class Mapping:
    """A user's explicit column mapping (docs/user-guide.md): global and per file.

    ``columns`` maps a header text to a role for every file; ``files[name]`` may give
    ``columns`` keyed by header text or by column letter (A, B, …) and ``header_row``
    (1-based, the last header row) for that file alone.
    """

    columns: dict[str, str] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    def for_file(self, name: str) -> tuple[dict[str, str], dict[str, int], int | None]:
        """(header -> role, role -> column index, 0-based header row) for one file."""
        spec = self.files.get(name, {})
        by_letter: dict[str, int] = {}
        extra = dict(self.columns)
        for key, role in spec.get("columns", {}).items():
            if re.fullmatch(r"[A-Za-z]{1,3}", key):
                by_letter[role] = column_index(key)
            else:
                extra[normalise_header(key)] = role
        header_row = spec.get("header_row")
        return extra, by_letter, (int(header_row) - 1 if header_row else None)


def column_index(letters: str) -> int:
    """0-based index of an Excel column letter (A -> 0, AA -> 26)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


@dataclass
class SheetReport:
    """What was read from one sheet (or one CSV file): the manifest's unit of account."""

    sheet: str
    hidden: bool = False  # a hidden sheet of a workbook: read, and said to be hidden
    header_rows: list[int] = field(default_factory=list)  # 1-based, as the user sees them
    columns: dict[str, str] = field(default_factory=dict)  # role -> header text
    year_hint: int | None = None
    rows_read: int = 0
    rows_used: int = 0
    rows_skipped: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    # Data problems found while reading (a repaired quote, an error cell, two ID columns):
    # reason -> how many rows, and the first PROBLEM_ROWS of them (1-based, as the user
    # sees them: the Excel row or the CSV line).
    problems: dict[str, int] = field(default_factory=dict)
    problem_rows: dict[str, list[int]] = field(default_factory=dict)
    # The first PROBLEM_ROWS rows skipped for each reason (rows_skipped counts them all).
    skipped_rows: dict[str, list[int]] = field(default_factory=dict)
    # A CSV's account of its physical lines: lines = before_data + rows + continued
    # (rows: the records under the header, blank ones included, each on the line it
    # starts on; continued: the further lines of cells that hold line breaks).
    lines: dict[str, int] | None = None

    def problem(self, reason: str, rows: list[int]) -> None:
        """Count ``rows`` (sorted) under ``reason``; keep the first PROBLEM_ROWS."""
        if not rows:
            return
        self.problems[reason] = self.problems.get(reason, 0) + len(rows)
        kept = self.problem_rows.setdefault(reason, [])
        kept.extend(rows[: max(0, PROBLEM_ROWS - len(kept))])

    def problem_notes(self) -> list[str]:
        """Each data problem in a sentence naming the sheet and the first rows."""
        where = f"工作表「{self.sheet}」" if self.sheet else ""
        notes = []
        for reason, n in self.problems.items():
            rows = self.problem_rows.get(reason, [])
            shown = "、".join(str(r) for r in rows[:10]) + (" 等" if n > 10 else " ")
            notes.append(f"{where}第 {shown}行：{reason}" + (f"（共 {n} 行）" if n > 1 else ""))
        return notes


@dataclass
class SourceReport:
    """One input file: its identity (SHA-256) and what became of it."""

    src: int
    path: str
    file: str
    dataset: str
    size: int = 0
    sha256: str = ""
    kind: str = ""
    encoding: str = ""
    sheets: list[SheetReport] = field(default_factory=list)
    error: str | None = None


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            h.update(chunk)
    return h.hexdigest()


def sniff_kind(path: Path, head: bytes) -> str:
    """'xlsx', 'encrypted', 'xls', 'csv' or 'empty' from the file's first bytes
    (``head``), not its name (a 'csv' may still be no table at all: :func:`not_table`)."""
    if not head:
        return "empty"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # An encrypted OOXML workbook is an OLE2 container with an EncryptedPackage stream.
        if "EncryptedPackage".encode("utf-16-le") in path.read_bytes():
            return "encrypted"
        return "xls"
    return "csv"


def not_table(sample: bytes, file: str) -> None:
    """Refuse what is plainly not a table (an image, a PDF, a Word file, a program),
    whatever its name says, from its first bytes."""
    import filetype

    guess = filetype.guess(sample)
    # A program or a UTF-16 text without its BOM is full of NUL bytes; a stray one in a
    # name (a copy from another system) is a damaged cell, read and not a reason to refuse.
    nuls = sample[:8192].count(b"\x00")
    binary = nuls > max(4, len(sample[:8192]) // 200) and not sample.startswith(
        (b"\xff\xfe", b"\xfe\xff")
    )
    if guess is not None or binary:
        seen = f"，按内容识别为 {guess.extension.upper()} 文件" if guess is not None else ""
        raise InputError(
            f"不是表格文件{seen}。请提交 Excel 工作簿（xlsx、xls）或 CSV 文件。", file=file
        )


def declared(dataset: str) -> Any:
    """The declaration of an input (:class:`..programs.Input`, by its id, unique across
    programs): its key and needed roles."""
    from ..programs import all_inputs

    return all_inputs()[dataset]


def layout_of(
    head: list[list[Any]], mapping: Mapping, file: str, dataset: str = "payments"
) -> HeaderLayout | None:
    """The header layout of a table from its first rows and the user's mapping."""
    extra, by_letter, header_row = mapping.for_file(file)
    layout = find_header(head, extra, header_row, declared(dataset).keys)
    if layout is None and by_letter and header_row is not None:
        layout = HeaderLayout(header_rows=(header_row,), columns={})
    if layout is not None:
        # A column the user named by letter has that role only ("ignore": none).
        taken = set(by_letter.values())
        layout.columns = {r: c for r, c in layout.columns.items() if c not in taken}
        layout.columns.update({r: c for r, c in by_letter.items() if r != "ignore"})
        if not layout.headers and head:
            layout.headers = [str(c or "") for c in head[layout.header_rows[-1]]]
        layout.wan = {
            role
            for role, col in layout.columns.items()
            if (role == "amount" or KINDS.get(role) == "amount")
            and any(
                col < len(head[r]) and "万元" in str(head[r][col] or "") for r in layout.header_rows
            )
        }
    return layout


def year_hint(file: str, sheet: str, title_rows: list[list[Any]]) -> int | None:
    """The payment year a title row, the sheet or the file name gives (2021年…)."""
    for text in [" ".join(str(c) for c in row if c) for row in title_rows] + [sheet]:
        if m := _YEAR.search(text):
            return int(m.group(1))
    if m := re.search(r"((?:19|20)\d{2})", file):
        return int(m.group(1))
    return None


def record_layout(
    sheet: SheetReport, layout: HeaderLayout, file: str, head: list[list[Any]]
) -> None:
    sheet.header_rows = [r + 1 for r in layout.header_rows]
    sheet.columns = {
        role: (layout.headers[col] if col < len(layout.headers) else "") or f"第{col + 1}列"
        for role, col in layout.columns.items()
    }
    sheet.year_hint = year_hint(file, sheet.sheet, head[: layout.header_rows[0]])
    for note in duplicate_roles(layout):
        sheet.problem(note, [sheet.header_rows[-1]])


def no_header(file: str, sheet: str = "", dataset: str = "payments") -> InputError:
    keys = "或".join(ROLES[k] for k in declared(dataset).keys)
    return InputError(
        f"前 {HEAD_ROWS} 行中找不到表头：没有可识别的{keys}列。可用 --mapping 映射文件指定列名。",
        file=file,
        sheet=sheet,
    )


def require_columns(
    layout: HeaderLayout, file: str, sheet: str, header_row: int, dataset: str = "payments"
) -> None:
    """The columns without which a table cannot take part (a list of people: the ID
    number, on which identity is matched: every row would only be "ID missing"), so it
    is skipped with the reason."""
    for role in declared(dataset).needs:
        if role in layout.columns:
            continue
        if role == "id_number":
            raise InputError(
                "表头中没有可识别的身份证号码列（如“身份证号码”“公民身份号码”）。比对按身份证号码"
                "识别人员，此表无法比对。可用 --mapping 映射文件指定哪一列是身份证号码。",
                file=file,
                sheet=sheet,
                row=header_row,
            )
        raise InputError(
            f"表头中没有可识别的「{ROLES[role]}」列，此表无法比对。"
            f"可用 --mapping 映射文件指定哪一列是「{ROLES[role]}」。",
            file=file,
            sheet=sheet,
            row=header_row,
        )


def table_width(layout: HeaderLayout, columns: int) -> int:
    """The columns of a table that are read: up to the header's last named column among
    the first MAX_COLUMNS, or a column the user mapped beyond. Cells further right have
    no role: a stray cell at column XFD must not make every row 16,384 cells wide."""
    named = [i for i, h in enumerate(layout.headers[:MAX_COLUMNS]) if str(h or "").strip()]
    last = max([*named, *layout.columns.values()], default=0)
    return max(1, min(columns, last + 1))
