"""Refuse a hostile workbook before any parser sees it, from what costs little to read.

Excel's reader (calamine) allocates every cell from A1 to a sheet's farthest cell, 32
bytes each, and inflates each zip member whole: a 5 KB file with one cell at XFD1048576
asks for 512 GB, and a 7 MB zip of repeated bytes unpacks to gigabytes. Both are seen
here without building anything: the zip's central directory gives each member's
declared size and compression ratio, and the sheets' XML is inflated as a stream and
searched for cell references (``r="XFD1048576"``), in a bounded buffer, whether or not
the sheet declares a ``<dimension>``. The parse still runs in a child process with a
memory limit (:mod:`xuncha.sandbox`) for whatever gets past these checks.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from ..errors import InputError
from .sources import column_index

MAX_CELLS = 100_000_000
"""A sheet reaching farther than this many cells from A1 (a million rows by a hundred
columns) is not a list of payments: the reader would allocate every cell, 32 bytes each."""
MAX_MEMBERS = 10_000
MAX_UNPACKED = 8 * 1024**3
"""Declared size of all members together; the largest real lists unpack to about 2 GB."""
MAX_RATIO = 100
"""Real sheets compress 10 to 20 times; a zip bomb's members hundreds of times."""
RATIO_FROM = 1024 * 1024  # members smaller than this may compress as well as they like
CHUNK = 1 << 22
EXCEL_ROWS = 1_048_576

# A cell's reference (an attribute whose name merely ends in "r" matches too: harmless,
# it can only make the extent look larger). Led by a literal for speed.
_COL = re.compile(rb"""r\s*=\s*["']([A-Z]{1,3})[0-9]""")
_WIDE_COL = re.compile(rb"""r\s*=\s*["']([A-Z]{2,3})[0-9]""")  # AA onwards
_ROW = re.compile(rb"""r\s*=\s*["'][A-Z]{1,3}([0-9]{1,7})["']""")
_DIMENSION = re.compile(rb"""<(?:\w+:)?dimension\s+ref\s*=\s*["']([^"']*)["']""")
_REF_TEXT = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})")

Source = str | Path | bytes | IO[bytes]


def _open(source: Source) -> zipfile.ZipFile:
    import io

    return zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)


def _refuse(file: str, why: str) -> InputError:
    return InputError(
        f"{why}，疑似压缩炸弹或恶意构造的文件，已拒绝读取。如确是正常的表格，请在 Excel 中"
        "删除数据以外的内容后另存，再提交。",
        file=file,
    )


def check_archive(source: Source, file: str) -> None:
    """Refuse an xlsx whose zip declares too many members, too many bytes in all, or a
    member packed far tighter than any table packs. A file that is no zip passes (the
    reader then says what it is)."""
    try:
        with _open(source) as z:
            members = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    if len(members) > MAX_MEMBERS:
        raise _refuse(file, f"工作簿含有 {len(members)} 个部件（上限 {MAX_MEMBERS}）")
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED:
        raise _refuse(file, f"工作簿解压后有 {_gb(total)}（上限 {_gb(MAX_UNPACKED)}）")
    for m in members:
        if m.file_size > RATIO_FROM and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            ratio = m.file_size // max(m.compress_size, 1)
            raise _refuse(
                file,
                f"工作簿的部件「{m.filename}」压缩了 {ratio} 倍，解压后有 {_gb(m.file_size)}"
                f"（正常表格约 10 到 20 倍，上限 {MAX_RATIO} 倍）",
            )


def _gb(n: int) -> str:
    return f"{n / 1024**3:.2f} GB" if n >= 1024**3 else f"{n / 1024**2:.1f} MB"


def oversized_sheets(
    source: Source, file: str, members: dict[str, tuple[str, bool]]
) -> dict[str, str]:
    """Sheet name → its extent ("A1:XFD1048576") for each sheet reaching past MAX_CELLS,
    by its <dimension> and by every cell reference in it. ``members`` maps sheet names
    to their XML member (as the workbook lists them); when it is empty every worksheet
    member is scanned and a far one refuses the whole file."""
    found: dict[str, str] = {}
    try:
        with _open(source) as z:
            if not members:
                for info in z.infolist():
                    if info.filename.startswith("xl/worksheets/") and info.filename.endswith(
                        ".xml"
                    ):
                        extent = _extent(z, info, file)
                        if extent:
                            raise too_far(file, extent)
                return found
            for name, (member, _) in members.items():
                extent = _extent(z, z.getinfo(member), file)
                if extent:
                    found[name] = extent
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return found  # laid out otherwise than Excel does: the reader decides
    return found


def too_far(file: str, extent: str, sheet: str = "") -> InputError:
    """A sheet reaching to ``extent`` (:func:`oversized_sheets`), refused."""
    return InputError(
        f"工作表的使用范围异常大（{extent}），多半是远处有无意中输入或设了格式的单元格。"
        "请在 Excel 中删除数据以外的行和列后另存，再提交。",
        file=file,
        sheet=sheet,
    )


def _extent(z: zipfile.ZipFile, info: zipfile.ZipInfo, file: str) -> str:
    """The sheet's extent from A1 as "A1:<last>" if it passes MAX_CELLS, else "".

    Columns first, over every cell reference; while Excel's 1,048,576 rows by 26
    columns stay within MAX_CELLS only references from column AA on can matter, and a
    list up to column Z costs just the inflating. The rows only in a second pass if
    some column is far enough for a sheet of Excel's full height to pass MAX_CELLS."""
    rows, cols = _dimension_of(z, info, file)
    refs = _WIDE_COL if 26 * EXCEL_ROWS <= MAX_CELLS else _COL
    for text in _stream(z, info, file):
        cols = max([cols, *(column_index(c.decode()) + 1 for c in set(refs.findall(text)))])
    if cols * EXCEL_ROWS > MAX_CELLS and rows * cols <= MAX_CELLS:
        for text in _stream(z, info, file):
            rows = max([rows, *map(int, set(_ROW.findall(text)))])
    if rows * cols <= MAX_CELLS:
        return ""
    from xlsxwriter.utility import xl_col_to_name

    return f"A1:{xl_col_to_name(cols - 1)}{rows}"


def _stream(z: zipfile.ZipFile, info: zipfile.ZipInfo, file: str) -> Iterator[bytes]:
    """The member inflated in chunks, each led by the last bytes of the one before (a
    reference cut in two is whole in one of them). Python's zipfile stops at the
    declared size and then checks the CRC: a member that inflates to more than it
    declares (the ratio check trusted the declaration) fails that check, and is refused."""
    tail = b""
    try:
        with z.open(info) as f:
            while chunk := f.read(CHUNK):
                yield tail + chunk
                tail = chunk[-64:]
    except zipfile.BadZipFile as err:
        raise _lying(file, info) from err


def _lying(file: str, info: zipfile.ZipInfo) -> InputError:
    return _refuse(file, f"工作簿的部件「{info.filename}」与声明的大小或校验和不符")


def _dimension_of(z: zipfile.ZipFile, info: zipfile.ZipInfo, file: str) -> tuple[int, int]:
    try:
        with z.open(info) as f:
            head = f.read(8192)
    except zipfile.BadZipFile as err:
        raise _lying(file, info) from err
    rows = cols = 0
    for ref in _DIMENSION.findall(head):
        r, c = _dimension(ref)
        rows, cols = max(rows, r), max(cols, c)
    return rows, cols


def _dimension(ref: bytes) -> tuple[int, int]:
    """The farthest cell a <dimension ref="A1:XFD1048576"> (or a single cell) names."""
    rows = cols = 0
    for letters, digits in _REF_TEXT.findall(ref.decode("ascii", "replace")):
        rows, cols = max(rows, int(digits)), max(cols, column_index(letters) + 1)
    return rows, cols
