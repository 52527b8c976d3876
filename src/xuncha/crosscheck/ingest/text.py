"""CSV files: encoding, transcoding, lines, and the first records.

DuckDB reads only UTF-8 (other encodings need a network extension), so a GBK/GB18030
file is transcoded to a UTF-8 copy in the run's work folder; a UTF-8 file is read as
it is (DuckDB refuses bytes that are not UTF-8, and only then is the file decoded here
to name the line). One pass over the bytes counts lines and notes the empty lines,
which DuckDB's reader drops (:mod:`.csvload` puts every record back on its line).
"""

from __future__ import annotations

import codecs
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..roles import HEAD_ROWS
from .records import read_records
from .sources import (
    CHUNK_BYTES,
    MAX_COLUMNS,
)

SAMPLE_BYTES = 1 << 20
MAX_LINE_BYTES = 10_000_000


@dataclass
class TextScan:
    encoding: str
    sha256: str  # of the file as given ("" until transcoded, for another encoding)
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
    """The encoding (from the first megabyte) and, for a UTF-8 file, in one pass over
    its bytes, the SHA-256, its lines and empty lines. A UTF-8 file is not decoded here:
    DuckDB checks it as it reads, and a file it refuses is decoded then
    (:func:`check_encoding`) to name the line. A file in another encoding is read no
    further: :func:`transcode` hashes it in the pass that transcodes it (its
    ``sha256`` is empty until then), so every input's bytes are read once here."""
    digest, lines = hashlib.sha256(), _Lines()
    encoding = ""
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            encoding = encoding or detect_encoding(chunk[:SAMPLE_BYTES], file)
            if encoding not in _UTF8:
                return TextScan(encoding, "", None)
            digest.update(chunk)
            lines.feed(chunk)
    return TextScan(encoding, digest.hexdigest(), path, *lines.counted())


def transcode(scan: TextScan, path: Path, file: str, workdir: Path, src: int) -> TextScan:
    """A UTF-8 copy of a file in another encoding, in one pass that hashes it, decodes
    it (which checks the encoding throughout) and counts its lines."""
    out_path = workdir / f"src{src}.csv"
    decoder = codecs.getincrementaldecoder(scan.encoding)("strict")
    lines, digest = _Lines(), hashlib.sha256()
    with path.open("rb") as f, out_path.open("wb") as out:
        while True:
            chunk = f.read(CHUNK_BYTES)
            digest.update(chunk)
            data = _decode(decoder, chunk, scan.encoding, file, lines.lines).encode("utf-8")
            out.write(data)
            lines.feed(data)
            if not chunk:
                break
    return TextScan(scan.encoding, digest.hexdigest(), out_path, *lines.counted(), validated=True)


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
