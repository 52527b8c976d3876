"""Byte-level builders for the hostile corpus: payment rows, hand-made xlsx parts, and a
BIFF8 .xls inside a Compound File (no library writes .xls any more).

Everything here is deterministic: the same call gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

HEADER = ["序号", "姓名", "身份证号码", "发放金额", "发放日期", "县市区"]
_SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(n: int) -> str:
    """A valid 18-digit ID number (GB 11643 check digit), different for each n."""
    born = dt.date(1940, 1, 1) + dt.timedelta(days=(n * 37) % 20000)
    body = f"431003{born:%Y%m%d}{n % 1000:03d}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True)) % 11]
    return body + check


def people(n: int, *, start: int = 0) -> list[list[str]]:
    """``n`` payment rows under :data:`HEADER`. The third has a wrong check digit (an
    "invalid ID" hit) so that every readable file yields at least one hit, and its file
    and sheet names appear in the verifiers' workbook."""
    rows = []
    for i in range(start, start + n):
        name = _SURNAMES[i % 20] + _GIVEN[(i * 7) % 20] + ("" if i % 3 else _GIVEN[i % 20])
        ident = id_number(i)
        if i == start + 2:
            ident = ident[:17] + ("0" if ident[17] != "0" else "1")
        rows.append([str(i + 1), name, ident, "600.00", "2021-06-15", "苏仙区"])
    return rows


def csv_bytes(
    rows: Sequence[Sequence[str]], *, encoding: str = "utf-8", sep: str = ",", eol: str = "\n"
) -> bytes:
    return "".join(sep.join(r) + eol for r in rows).encode(encoding)


# --------------------------------------------------------------------------- xlsx


def col_letters(index: int) -> str:
    """0 -> A, 16383 -> XFD."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_xml(ref: str, value: object) -> str:
    """One cell: a number, an inline string, or raw XML given as ``("raw", xml)``."""
    if isinstance(value, tuple) and value[0] == "raw":
        return f'<c r="{ref}"{value[1]}</c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def rows_xml(rows: Iterable[Sequence[object]], first_row: int = 1) -> str:
    out = []
    for r, row in enumerate(rows, start=first_row):
        cells = "".join(
            cell_xml(f"{col_letters(c)}{r}", v) for c, v in enumerate(row) if v is not None
        )
        out.append(f'<row r="{r}">{cells}</row>')
    return "".join(out)


def sheet_xml(body: str, *, dimension: str | None = None, prolog: str = "") -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + prolog + "<worksheet xmlns="
        '"http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
        f'openxmlformats.org/officeDocument/2006/relationships">{dim}<sheetData>{body}'
        "</sheetData></worksheet>"
    ).encode()


_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def workbook_parts(
    sheets: Sequence[tuple[str, bytes]], *, shared: bytes | None = None
) -> dict[str, bytes]:
    """The parts of a minimal valid xlsx: each sheet is (name, sheet XML)."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    if shared is not None:
        overrides += (
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
        )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="application'
            '/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            f'ContentType="{_CT}.sheet.main+xml"/>{overrides}</Types>'
        ).encode(),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_NS_PKG}">'
            f'<Relationship Id="rId1" Type="{_NS_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ).encode(),
    }
    names = "".join(
        f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
        for i, (name, _) in enumerate(sheets, start=1)
    )
    parts["xl/workbook.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}">'
        f"<sheets>{names}</sheets></workbook>"
    ).encode()
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_NS_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    if shared is not None:
        rels += (
            f'<Relationship Id="rId{len(sheets) + 1}" Type="{_NS_REL}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
    parts["xl/_rels/workbook.xml.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_NS_PKG}">{rels}'
        "</Relationships>"
    ).encode()
    for i, (_, xml) in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    return parts


def member(name: str) -> zipfile.ZipInfo:
    """A deflated zip member dated 2024-01-01 (not now: the corpus is deterministic)."""
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def zip_bytes(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(member(name), data)
    return buf.getvalue()


def simple_xlsx(rows: Sequence[Sequence[object]], sheet: str = "Sheet1", **kw: str) -> bytes:
    return zip_bytes(workbook_parts([(sheet, sheet_xml(rows_xml(rows), **kw))]))


# --------------------------------------------------------------------------- xls (BIFF8)


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))


def _label(row: int, col: int, text: str) -> bytes:
    raw = text.encode("utf-16-le")
    return _record(0x0204, struct.pack("<HHHHB", row, col, 15, len(text), 1) + raw)


def _number(row: int, col: int, value: float) -> bytes:
    return _record(0x0203, struct.pack("<HHHd", row, col, 15, value))


def biff8_workbook(rows: Sequence[Sequence[object]], sheet: str = "Sheet1") -> bytes:
    """A one-sheet BIFF8 Workbook stream: strings as LABEL, numbers as NUMBER records."""
    name = sheet.encode("utf-16-le")
    bound_len = 4 + 8 + len(name)  # record header + fixed part + name
    xf = _record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    font = _record(
        0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0) + b"\x05\x00Arial"
    )
    head = (
        _bof(0x0005) + _record(0x0042, struct.pack("<H", 1200)) + font * 5 + xf * 16
    )  # CODEPAGE: UTF-16
    eof = _record(0x000A, b"")
    sheet_at = len(head) + bound_len + len(eof)
    bound = _record(0x0085, struct.pack("<IBBBB", sheet_at, 0, 0, len(sheet), 1) + name)
    cells = b"".join(
        _number(r, c, v) if isinstance(v, int | float) else _label(r, c, str(v))
        for r, row in enumerate(rows)
        for c, v in enumerate(row)
    )
    width = max(len(r) for r in rows)
    dims = _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0))
    return head + bound + eof + _bof(0x0010) + dims + cells + eof


def compound_file(stream: bytes, name: str = "Workbook") -> bytes:
    """A Compound File (version 3, 512-byte sectors) holding one stream of at least
    4096 bytes (so it lives in ordinary sectors, not the mini stream)."""
    assert len(stream) >= 4096, "pad the stream: small streams belong in the mini stream"
    end, free, fat_sect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    sectors = -(-len(stream) // 512)
    assert sectors + 2 <= 128, "one FAT sector only"
    fat = [fat_sect, end] + [3 + i for i in range(sectors - 1)] + [end]
    fat += [free] * (128 - len(fat))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )

    def entry(label: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = (label + "\x00").encode("utf-16-le") if label else b""
        return (
            raw.ljust(64, b"\x00")
            + struct.pack("<HBB", len(raw), kind, 1)
            + struct.pack("<III", nostream, nostream, child)
            + b"\x00" * 16
            + struct.pack("<IQQ", 0, 0, 0)
            + struct.pack("<IQ", start, size)
        )

    directory = (
        entry("Root Entry", 5, 1, end, 0)
        + entry(name, 2, nostream, 2, len(stream))
        + entry("", 0, nostream, 0, 0) * 2
    )
    body = stream + b"\x00" * (sectors * 512 - len(stream))
    return header + struct.pack("<128I", *fat) + directory + body


def raw_zip(path: object, members: Sequence[tuple[str, Iterable[bytes], int | None]]) -> None:
    """A zip written by hand, member by member, each deflated as its chunks stream by;
    a member's declared uncompressed size is the true one, or the lie given (an
    attacker's file: a guard that trusts the declaration lets it through)."""
    import zlib
    from pathlib import Path

    stamp = struct.pack("<HH", 0, (2024 - 1980) << 9 | 1 << 5 | 1)
    central = []
    with Path(str(path)).open("wb") as f:
        for name, chunks, lie in members:
            raw, at = name.encode(), f.tell()
            f.write(b"\x00" * (30 + len(raw)))  # the local header, filled in below
            deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
            crc = size = packed = 0
            for chunk in chunks:
                crc, size = zlib.crc32(chunk, crc), size + len(chunk)
                out = deflate.compress(chunk)
                packed += len(out)
                f.write(out)
            out = deflate.flush()
            packed += len(out)
            f.write(out)
            assert size < 1 << 32 and packed < 1 << 32, "no zip64 here"
            sizes = struct.pack("<III", crc, packed, size if lie is None else lie)
            end = f.tell()
            f.seek(at)
            f.write(struct.pack("<IHHH", 0x04034B50, 20, 0, 8) + stamp + sizes)
            f.write(struct.pack("<HH", len(raw), 0) + raw)
            f.seek(end)
            central.append(
                struct.pack("<IHHHH", 0x02014B50, 20, 20, 0, 8) + stamp + sizes
                + struct.pack("<HHHHHII", len(raw), 0, 0, 0, 0, 0, at) + raw
            )  # fmt: skip
        start = f.tell()
        directory = b"".join(central)
        f.write(directory)
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central),
                            len(directory), start, 0))  # fmt: skip
