"""Hostile workbooks and images, written by hand so each test makes its own.

- :func:`far_cell_xlsx`: a 1 KB workbook with a header row and one cell at XFD1048576,
  with or without a ``<dimension>``: the reader would allocate 512 GB for it.
- :func:`bomb_xlsx`: a workbook whose sheet holds a header, a data row and megabytes of
  padding that deflate packs a thousand times over.
- :func:`bomb_png`: a PNG whose header declares 100,000 × 100,000 pixels.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_BOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="发放" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
_ROWS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>身份证号码</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>金额</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c>'
    '<c r="B2" t="inlineStr"><is><t>43010219900101123X</t></is></c>'
    '<c r="C2"><v>600</v></c></row>'
)


def _xlsx(path: Path, sheet: bytes | list[bytes], *, pad: int = 0) -> Path:
    """The workbook with ``sheet`` as its one sheet's XML; ``pad`` blank bytes are
    streamed in before the last part (a bomb is written without holding it in memory)."""
    parts = [sheet] if isinstance(sheet, bytes) else sheet
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _BOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=pad > 1 << 30) as f:
            for part in parts[:-1]:
                f.write(part)
            block = b" " * (1 << 24)
            for start in range(0, pad, len(block)):
                f.write(block[: min(len(block), pad - start)])
            f.write(parts[-1])
    return path


def far_cell_xlsx(path: Path, *, dimension: bool = True) -> Path:
    """A small list plus one cell at XFD1048576; ``dimension`` adds the
    ``<dimension ref="A1:XFD1048576"/>`` Excel would write."""
    dim = '<dimension ref="A1:XFD1048576"/>' if dimension else ""
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return _xlsx(
        path, (_HEAD + dim + "<sheetData>" + _ROWS + far + "</sheetData></worksheet>").encode()
    )


def far_cell_within_guard_xlsx(path: Path) -> Path:
    """A cell at CV1000000: 100 million cells from A1, just inside the guard's limit, yet
    3.2 GB for the reader (the sandbox's memory limit is what stops it)."""
    far = '<row r="1000000"><c r="CV1000000"><v>1</v></c></row>'
    return _xlsx(path, (_HEAD + "<sheetData>" + _ROWS + far + "</sheetData></worksheet>").encode())


def bomb_xlsx(path: Path, *, megabytes: int = 64) -> Path:
    """A list whose sheet carries ``megabytes`` MB of blank padding inside a cell's text
    (deflate packs it about 1,000 times)."""
    head = (_HEAD + "<sheetData>" + _ROWS + '<row r="3"><c r="A3" t="inlineStr"><is><t>').encode()
    tail = b"</t></is></c></row></sheetData></worksheet>"
    return _xlsx(path, [head, tail], pad=megabytes * 1024 * 1024)


def bomb_png(path: Path, *, side: int = 100_000) -> Path:
    """A PNG declaring ``side`` × ``side`` pixels (grey) with one compressed row of data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * (side + 1))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
    return path
