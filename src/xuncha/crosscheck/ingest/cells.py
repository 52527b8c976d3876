"""Workbook cells that hold no value, and headers that name a role twice.

Excel's reader gives an error cell (``#N/A``, ``#VALUE!`` …) and a formula whose result
was never saved (a workbook written by a program, not by Excel) as empty. Read so, an
ID number looked up with VLOOKUP that failed is "missing" and a false hit, and an
amount that is ``#VALUE!`` is no amount at all. These cells are found here and reported
as data problems with their rows (:func:`unread_cells`); the error cells from the
reader's own account (fastexcel's ``to_arrow_with_errors``), the formulas from the
sheet's XML (a ``<f>`` with no ``<v>``), scanned in the same pass as merged cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..roles import ROLES, HeaderLayout, role_of

ERROR_TEXTS = {
    "NA": "#N/A", "Value": "#VALUE!", "Ref": "#REF!", "Div0": "#DIV/0!", "Name": "#NAME?",
    "Num": "#NUM!", "Null": "#NULL!", "GettingData": "#GETTING_DATA",
}  # fmt: skip
"""calamine's error names and the text Excel shows for them."""

NO_VALUE = "（公式，无计算结果）"
"""What a formula cell without a saved result is read as (a role other than name and ID)."""

KEY_ROLES = ("id_number", "name")
"""Roles whose cell must hold a value for the row to take part."""

_ERROR = re.compile(r"Error\((\w+)\)")
# A formula element closing a cell with no value, or with an empty one: <f>…</f></c>,
# <f …/><v/></c>. Each led by a literal, so the search skips the rest of the XML in C.
_F_END = re.compile(rb"</f>(?:<v\s*/>|<v></v>)?</c>")
_F_SELF = re.compile(rb"<f\b[^>]*/>(?:<v\s*/>|<v></v>)?</c>")
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')
_STR = re.compile(rb'\bt="str"')
# A cell holding a value (a number, a shared or inline string), its formula if any before.
_VALUED = re.compile(
    rb'<c r="([A-Z]{1,3})(\d{1,7})"[^>/]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?<(?:v>[^<]|is>)'
)


def _column(letters: bytes) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return col - 1


@dataclass
class SheetXml:
    """What a sheet's XML tells beyond its values: merged ranges (0-based first row,
    first column, last row, last column), the cells (0-based row, column) whose formula
    has no saved value, and the first column holding a value in each of the first rows.

    Columns here are the sheet's; the reader's start at the first column holding a
    value anywhere (its rows start at row 1): :meth:`column_offset` relates the two."""

    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    formulas: list[tuple[int, int]] = field(default_factory=list)
    first_cols: dict[int, int] = field(default_factory=dict)

    def column_offset(self, row: int, values: list[object]) -> int:
        """Sheet column minus reader column, from ``row`` (0-based) as read (``values``)."""
        first = next((i for i, v in enumerate(values) if v is not None and v != ""), None)
        if first is None or row not in self.first_cols:
            return 0
        return self.first_cols[row] - first


@dataclass
class FormulaScan:
    """Fed a sheet's XML in chunks: the cells (0-based row, column) whose formula has no
    saved value, and the first valued column of each of the first ``head`` rows. An empty
    value of a text formula (``t="str"``, Excel's ``=""``) is a value: the empty text."""

    head: int = 0
    cells: list[tuple[int, int]] = field(default_factory=list)
    first_cols: dict[int, int] = field(default_factory=dict)
    _carry: bytes = b""
    _fed: int = 0

    def feed(self, chunk: bytes) -> None:
        if not self._fed:
            self._first_columns(chunk)
        self._fed += 1
        carry = self._carry
        if b"<f" not in chunk and b"<f" not in carry and carry[-1:] + chunk[:1] != b"<f":
            # No formula here (most sheets): keep the last cell begun, copy nothing else.
            cut = max(chunk.rfind(b"<c "), chunk.rfind(b"<c>"))
            self._carry = chunk[cut:] if cut >= 0 else carry + chunk
            return
        buf = carry + chunk
        # Cells up to the last one begun are whole; that one waits for the next chunk.
        cut = max(buf.rfind(b"<c "), buf.rfind(b"<c>"))
        self._scan(buf, len(buf) if cut < 0 else cut)

    def finish(self) -> None:
        """The last cell, kept back by :meth:`feed` for the chunk that never came."""
        self._scan(self._carry, len(self._carry))

    def _scan(self, buf: bytes, cut: int) -> None:
        self._carry = buf[cut:]
        if buf.find(b"<f", 0, cut) < 0:
            return
        for pattern in (_F_END, _F_SELF):
            for m in pattern.finditer(buf, 0, cut):
                self._found(buf, m.start(), m.group(0))

    def _found(self, buf: bytes, at: int, tail: bytes) -> None:
        start = max(buf.rfind(b"<c ", 0, at), buf.rfind(b"<c>", 0, at))
        tag = buf[start : buf.find(b">", start) + 1] if start >= 0 else b""
        ref = _REF.search(tag)
        if ref is None:  # a cell without its reference cannot be placed
            return
        if b"<v></v>" in tail and _STR.search(tag):
            return
        self.cells.append((int(ref.group(2)) - 1, _column(ref.group(1))))

    def _first_columns(self, chunk: bytes) -> None:
        """The first rows' first valued columns, from the first chunk (where they are)."""
        end = chunk.find(b'<row r="%d"' % (self.head + 1))
        for m in _VALUED.finditer(chunk, 0, end if end >= 0 else len(chunk)):
            row, col = int(m.group(2)) - 1, _column(m.group(1))
            if row < self.head and col < self.first_cols.get(row, col + 1):
                self.first_cols[row] = col


def error_cells(errors: Any) -> list[tuple[int, int, str]]:
    """(row, column, text) of the error cells fastexcel reports (0-based)."""
    found = []
    for err in getattr(errors, "errors", None) or ():
        m = _ERROR.search(err.detail)
        if m:
            row, col = err.position
            found.append((row, col, ERROR_TEXTS.get(m.group(1), f"#{m.group(1)}")))
    return found


@dataclass
class Unread:
    """The data rows' cells that hold no value, by what a run does with them."""

    key_rows: list[int] = field(default_factory=list)  # 1-based rows: skipped
    cells: dict[str, tuple[list[int], list[str]]] = field(default_factory=dict)
    problems: dict[str, list[int]] = field(default_factory=dict)  # reason -> 1-based rows


def unread_cells(
    layout: HeaderLayout,
    width: int,
    errors: list[tuple[int, int, str]],
    formulas: list[tuple[int, int]],
) -> Unread:
    """Which of ``errors`` and ``formulas`` lie in the data rows' role columns, and what
    becomes of each: a name or ID cell skips its row, another role's cell is read as
    its error text (so an amount counts as unreadable, not as absent)."""
    role_at = {col: role for role, col in layout.columns.items() if col < width}
    text_at: dict[tuple[int, int], str] = {(r, c): NO_VALUE for r, c in formulas}
    text_at.update({(r, c): text for r, c, text in errors})
    out = Unread()
    keys: set[int] = set()
    for (row, col), text in sorted(text_at.items()):
        role = role_at.get(col)
        if row < layout.data_start or role is None:
            continue
        what = "没有保存计算结果的公式" if text == NO_VALUE else f"错误值 {text}"
        out.problems.setdefault(f"{ROLES[role]}单元格是{what}", []).append(row + 1)
        if role in KEY_ROLES:
            keys.add(row + 1)
        else:
            rows, texts = out.cells.setdefault(role, ([], []))
            rows.append(row + 1)
            texts.append(text)
    out.key_rows = sorted(keys)
    return out


def duplicate_roles(layout: HeaderLayout, extra: dict[str, str] | None = None) -> list[str]:
    """A sentence for each key role (ID, name, amount) that two header cells name equally
    well: one was taken by its place alone. (A household head's and a payee's ID columns
    are told apart by the name column and are not reported.)"""
    notes = []
    for role in ("id_number", "name", "amount"):
        chosen = layout.columns.get(role)
        if chosen is None or chosen >= len(layout.headers):
            continue
        found = role_of(layout.headers[chosen], extra)
        rank = found[1] if found else None
        same = [
            c
            for c, h in enumerate(layout.headers)
            if c != chosen and (f := role_of(h, extra)) is not None and f == (role, rank)
            and (role != "id_number" or h == layout.headers[chosen])
        ]  # fmt: skip
        if same:
            cols = "、".join(f"第{c + 1}列「{layout.headers[c]}」" for c in [chosen, *same])
            notes.append(
                f"表头中有多列都可识别为{ROLES[role]}（{cols}），已按第{chosen + 1}列读取，"
                f"其余未使用；请核对，必要时用映射文件指定"
            )
    return notes
