"""Hostile CSV-like files: encodings, quotes, NUL bytes, line endings, sizes, files that
are something else under a table's name, and paths that are no regular file."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

from hostile.builders import HEADER, csv_bytes, people, zip_bytes
from hostile.make_corpus import case

MB = 1_000_000


def _table(n: int, start: int) -> list[list[str]]:
    return [HEADER, *people(n, start=start)]


# --------------------------------------------------------------------------- controls


@case("csv_ok_utf8", "2021年发放表.csv", "A clean UTF-8 CSV (control)", "read", rows=100)
def _ok_utf8(path: Path) -> None:
    path.write_bytes(csv_bytes(_table(100, 1000)))


@case("csv_ok_gbk", "2021年发放表GBK.csv", "A clean GBK CSV, as Excel saves it (control)",
      "read", rows=100)  # fmt: skip
def _ok_gbk(path: Path) -> None:
    path.write_bytes(csv_bytes(_table(100, 1100), encoding="gbk", eol="\r\n"))


@case("csv_utf8_bom", "带BOM.csv", "UTF-8 with a byte-order mark", "read", rows=50)
def _utf8_bom(path: Path) -> None:
    path.write_bytes(b"\xef\xbb\xbf" + csv_bytes(_table(50, 1200)))


# --------------------------------------------------------------------------- empty, cut


@case("csv_empty", "空文件.csv", "0 bytes", "refused")
def _empty(path: Path) -> None:
    path.write_bytes(b"")


@case("csv_header_only", "只有表头.csv", "A header and no data line", "refused", web_flag_ok=True)
def _header_only(path: Path) -> None:
    path.write_bytes(csv_bytes([HEADER]))


@case("csv_blank_lines", "空行.csv", "Only blank lines and separators", "refused", web_flag_ok=True)
def _blank(path: Path) -> None:
    path.write_bytes(b"\n,,,,,\n\r\n   \n,,\n" * 20)


@case("csv_truncated", "下载中断.csv", "Cut in the middle of an ID number on line 151 "
      "(an interrupted download)", "read", rows=150)  # fmt: skip
def _truncated(path: Path) -> None:
    data = csv_bytes(_table(200, 1300))
    cut = data.index(people(1, start=1300 + 149)[0][2].encode()) + 9
    path.write_bytes(data[:cut])


# --------------------------------------------------------------------------- encodings


@case("csv_utf16le_bom", "Unicode文本LE.csv", "UTF-16 LE with BOM, tab-separated "
      "(Excel's 'Unicode text')", "read", rows=80)  # fmt: skip
def _utf16le(path: Path) -> None:
    path.write_bytes(b"\xff\xfe" + csv_bytes(_table(80, 1400), encoding="utf-16-le", sep="\t"))


@case("csv_utf16be_bom", "Unicode文本BE.csv", "UTF-16 BE with BOM", "read", rows=80)
def _utf16be(path: Path) -> None:
    path.write_bytes(b"\xfe\xff" + csv_bytes(_table(80, 1500), encoding="utf-16-be"))


@case("csv_utf16le_nobom", "无BOM的UTF16.csv", "UTF-16 LE without a BOM: no encoding can be "
      "told for sure; refused with a message, not read as garbage", "refused")  # fmt: skip
def _utf16_nobom(path: Path) -> None:
    path.write_bytes(csv_bytes(_table(80, 1600), encoding="utf-16-le"))


@case("csv_gb18030_4byte", "生僻字GB18030.csv", "GB18030 with 4-byte characters in names "
      "(𠀀, 䶵, 𪚥), which GBK cannot decode", "read", rows=120)  # fmt: skip
def _gb18030(path: Path) -> None:
    rows = _table(120, 1700)
    for i, rare in ((5, "𠀀"), (60, "䶵"), (119, "𪚥")):
        rows[i][1] = rows[i][1][0] + rare
    path.write_bytes(csv_bytes(rows, encoding="gb18030"))


@case("csv_utf8_astral", "生僻字UTF8.csv", "UTF-8 with 4-byte (astral) characters",
      "read", rows=60)  # fmt: skip
def _astral(path: Path) -> None:
    rows = _table(60, 1800)
    rows[10][1] = "王𠮷"
    rows[40][1] = "李𡃁𤭢"
    path.write_bytes(csv_bytes(rows))


@case("csv_bom_then_gbk", "BOM加GBK.csv", "A UTF-8 BOM followed by GBK text (a lying BOM): "
      "refused naming the first line that does not decode", "refused", says=["第 1 行"])  # fmt: skip
def _bom_gbk(path: Path) -> None:
    path.write_bytes(b"\xef\xbb\xbf" + csv_bytes(_table(60, 1900), encoding="gbk"))


@case("csv_mixed_encodings", "混合编码.csv", "UTF-8, with lines 121-122 pasted in as GBK: "
      "refused naming line 121 (decision: one encoding per file)", "refused",
      says=["第 121 行"])  # fmt: skip
def _mixed(path: Path) -> None:
    rows = _table(200, 2000)
    data = b"".join(
        (",".join(r) + "\n").encode("gbk" if i in (120, 121) else "utf-8")
        for i, r in enumerate(rows)
    )
    path.write_bytes(data)


@case("csv_nul_early", "含NUL字节.csv", "A NUL byte inside a name on line 30 (within the "
      "first 8 KB)", "read", rows=200)  # fmt: skip
def _nul_early(path: Path) -> None:
    rows = _table(200, 2200)
    rows[29][1] = rows[29][1] + "\x00"
    path.write_bytes(csv_bytes(rows))


@case("csv_nul_late", "含NUL字节2.csv", "A NUL byte inside a name on line 190 (past the "
      "first 8 KB)", "read", rows=200)  # fmt: skip
def _nul_late(path: Path) -> None:
    rows = _table(200, 2400)
    rows[189][1] = "\x00" + rows[189][1]
    path.write_bytes(csv_bytes(rows))


# --------------------------------------------------------------------------- line endings


@case("csv_cr_only", "旧Mac换行.csv", "CR-only line endings (classic Mac): refused with "
      "its own message", "refused", says=["回车"])  # fmt: skip
def _cr_only(path: Path) -> None:
    path.write_bytes(csv_bytes(_table(100, 2600), eol="\r"))


@case("csv_mixed_eol", "混合换行.csv", "LF, CRLF and a lone CR mixed", "read", rows=90)
def _mixed_eol(path: Path) -> None:
    rows = _table(90, 2700)
    data = b"".join(
        (",".join(r) + ("\r\n" if i % 3 == 0 else "\n")).encode() for i, r in enumerate(rows)
    )
    path.write_bytes(data)


# --------------------------------------------------------------------------- quotes, shape


@case("csv_stray_quote", "引号.csv", 'A field starting with a stray " in data row 50 of 200 '
      "(85 rows were read, silently)", "read", rows=200)  # fmt: skip
def _stray_quote(path: Path) -> None:
    rows = _table(200, 2800)
    rows[50][1] = '"' + rows[50][1]
    path.write_bytes(csv_bytes(rows))


@case("csv_quote_in_field", "引号2.csv", 'Stray quotes inside fields (张"三"), on 5 lines',
      "read", rows=100)  # fmt: skip
def _quote_inside(path: Path) -> None:
    rows = _table(100, 3000)
    for i in (3, 20, 21, 70, 99):
        rows[i][1] = rows[i][1][0] + '"' + rows[i][1][1:] + '"'
    path.write_bytes(csv_bytes(rows))


@case("csv_unclosed_quote_end", "引号未闭合.csv", 'The last line opens a quote it never '
      "closes", "read", rows=100)  # fmt: skip
def _unclosed(path: Path) -> None:
    rows = _table(100, 3100)
    rows[-1][5] = '"苏仙区'
    path.write_bytes(csv_bytes(rows))


@case("csv_quoted_newlines", "备注换行.csv", "Properly quoted fields holding line breaks "
      "(100 records on 110 lines)", "read", rows=100)  # fmt: skip
def _quoted_nl(path: Path) -> None:
    rows = _table(100, 3200)
    for i in range(5, 100, 10):
        rows[i][5] = '"苏仙区\n（备注：已核）"'
    path.write_bytes(csv_bytes(rows))


@case("csv_ragged", "列数不齐.csv", "Lines with extra fields and lines with too few",
      "read", rows=100)  # fmt: skip
def _ragged(path: Path) -> None:
    rows = _table(100, 3300)
    for i in range(1, 101, 7):
        rows[i] = rows[i] + ["多余", "字段"]
    for i in range(4, 101, 11):
        rows[i] = rows[i][:3]
    path.write_bytes(csv_bytes(rows))


@case("csv_semicolon", "分号分隔.csv", "Semicolon-separated, amounts with decimal commas",
      "read", rows=60)  # fmt: skip
def _semicolon(path: Path) -> None:
    rows = _table(60, 3400)
    for r in rows[1:]:
        r[3] = "600,00"
    path.write_bytes(csv_bytes(rows, sep=";"))


@case("csv_totals_signatures", "合计签字.csv", "Data, a repeated header, subtotal, total and "
      "signature lines (each skipped with its reason)", "read", rows=65)  # fmt: skip
def _totals(path: Path) -> None:
    rows = _table(60, 3500)
    rows.insert(31, HEADER)
    rows.insert(32, ["", "小计", "", "18000", "", ""])
    rows += [["", "合计", "", "36000", "", ""], ["制表人：张三", "", "审核人：李四", "", "", ""]]
    rows += [["", "", "", "", "", ""], ["备注：本表一式两份", "", "", "", "", ""]]
    path.write_bytes(csv_bytes(rows))


@case("csv_duplicate_key_columns", "两列身份证.csv", "Two 身份证号码 columns that disagree on "
      "10 rows", "read", rows=100, problems=1)  # fmt: skip
def _dup_key(path: Path) -> None:
    rows = [[*r, r[2]] for r in _table(100, 3600)]
    for i in range(10, 101, 10):
        rows[i][6] = people(1, start=9000 + i)[0][2]
    path.write_bytes(csv_bytes(rows))


@case("csv_invalid_dates_amounts", "日期金额错误.csv", "Impossible dates (2021-02-30, 十三月) "
      "and amounts (abc, 1.2.3, --5) on 12 rows", "read", rows=100, problems=12)  # fmt: skip
def _invalid_values(path: Path) -> None:
    rows = _table(100, 3700)
    dates = ["2021-02-30", "2021-13-01", "二〇二一年十三月", "0000-00-00", "2021/6/31", "昨天"]
    amounts = ["abc", "1.2.3", "--5", "六百元整？", "1e999", "NaN"]
    for k, value in enumerate(dates):
        rows[10 + k][4] = value
    for k, value in enumerate(amounts):
        rows[50 + k][3] = value
    path.write_bytes(csv_bytes(rows))


@case("csv_sci_ids", "科学计数法.csv", "ID numbers mangled by Excel into 4.31003E+17",
      "read", rows=40)  # fmt: skip
def _sci(path: Path) -> None:
    rows = _table(40, 3800)
    for r in rows[1:20]:
        r[2] = f"{int(r[2][:17]) * 10:.5E}"
    path.write_bytes(csv_bytes(rows))


@case("csv_10000_columns", "一万列.csv", "10,000 columns (a wide export, the payment columns "
      "first)", "refused")  # fmt: skip
def _wide(path: Path) -> None:
    extra = [f"备注{i}" for i in range(10_000 - len(HEADER))]
    rows = [[*HEADER, *extra]] + [[*r, *(["x"] * len(extra))] for r in people(20, start=3900)]
    path.write_bytes(csv_bytes(rows))


@case("csv_200mb_one_line", "一行200MB.csv", "200 MB on a single line: a header's first "
      "cells, then one endless cell (no line break, no delimiter)", "refused", huge=True)  # fmt: skip
def _one_line(path: Path) -> None:
    head = "姓名,身份证号码,发放金额,".encode()
    chunk = ("张三李四王五赵六" * 50_000).encode()
    with path.open("wb") as f:
        f.write(head)
        left = 200 * MB - len(head)
        while left > 0:
            f.write(chunk[:left])
            left -= len(chunk)


# --------------------------------------------------------------------------- not tables


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 16 for _ in range(16))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
    b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@case("pdf_as_xlsx", "发放表.xlsx", "A PDF named .xlsx", "refused")
def _pdf_xlsx(path: Path) -> None:
    path.write_bytes(_PDF)


@case("pdf_as_csv", "发放表PDF.csv", "A PDF named .csv", "refused")
def _pdf_csv(path: Path) -> None:
    path.write_bytes(_PDF + b"% csv\n")


@case("png_as_csv", "截图.csv", "A PNG screenshot named .csv", "refused")
def _png_csv(path: Path) -> None:
    path.write_bytes(_png())


@case("png_as_xlsx", "截图.xlsx", "A PNG named .xlsx", "refused")
def _png_xlsx(path: Path) -> None:
    path.write_bytes(_png() + b"\x00")


@case("zip_as_xlsx", "压缩包.xlsx", "A plain zip (a text file inside) named .xlsx", "refused")
def _zip_xlsx(path: Path) -> None:
    path.write_bytes(zip_bytes({"说明.txt": "不是工作簿".encode()}))


@case("zip_as_csv", "压缩包.csv", "A zip of CSV files named .csv", "refused")
def _zip_csv(path: Path) -> None:
    path.write_bytes(zip_bytes({"发放表.csv": csv_bytes(_table(5, 4000))}))


@case("gzip_as_csv", "压缩.csv", "A gzip stream named .csv", "refused")
def _gzip_csv(path: Path) -> None:
    import gzip

    path.write_bytes(gzip.compress(csv_bytes(_table(50, 4100)), mtime=0))


@case("elf_as_csv", "程序.csv", "An ELF executable header and code named .csv", "refused")
def _elf(path: Path) -> None:
    path.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 8)


@case("random_as_csv", "随机字节.csv", "64 KB of pseudo-random bytes named .csv", "refused")
def _random(path: Path) -> None:
    import random

    path.write_bytes(random.Random(15).randbytes(65536))


@case("html_as_csv", "网页导出.csv", "An HTML table saved as .csv", "refused", web_flag_ok=True)
def _html_csv(path: Path) -> None:
    cells = "".join(f"<tr><td>{'</td><td>'.join(r)}</td></tr>" for r in _table(10, 4200))
    path.write_bytes(f"<!DOCTYPE html><html><body><table>{cells}</table></body></html>".encode())


@case("html_as_xls", "网页导出.xls", "An HTML table named .xls (what many web systems export)",
      "refused", web_flag_ok=True)  # fmt: skip
def _html_xls(path: Path) -> None:
    cells = "".join(f"<tr><td>{'</td><td>'.join(r)}</td></tr>" for r in _table(10, 4300))
    path.write_bytes(f"<html><head><meta charset='utf-8'></head><table>{cells}</table>".encode())


@case("json_as_csv", "数据.csv", "A JSON array named .csv", "refused", web_flag_ok=True)
def _json(path: Path) -> None:
    import json

    path.write_bytes(json.dumps([dict(zip(HEADER, r, strict=True)) for r in people(10)]).encode())


# --------------------------------------------------------------------------- names


@case("csv_hyperlink_name", '=HYPERLINK("evil.example","点我").csv', "A file name that is a "
      "formula (it lands in the workbook's 文件 column)", "read", rows=30)  # fmt: skip
def _hyperlink_name(path: Path) -> None:
    path.write_bytes(csv_bytes(_table(30, 4400)))


@case("csv_dde_name", "=cmd|' -C calc'!A0.csv", "A file name that is a DDE formula",
      "read", rows=30)  # fmt: skip
def _dde_name(path: Path) -> None:
    path.write_bytes(csv_bytes(_table(30, 4500)))


@case("csv_formula_cells", "公式注入.csv", "Payee names =cmd|' /C calc'!A0, =HYPERLINK(…), "
      "+1+1, @SUM(A1) on rows with hits", "read", rows=30)  # fmt: skip
def _formula_cells(path: Path) -> None:
    rows = _table(30, 4600)
    payloads = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example/?q=1","点我")', "+1+1",
                "@SUM(A1)", "-2+3", "\t=1+1"]  # fmt: skip
    for k, text in enumerate(payloads):
        rows[1 + 3 * k][1] = text
        rows[1 + 3 * k][2] = rows[1 + 3 * k][2][:17] + "Y"  # an invalid ID: the row is a hit
    path.write_bytes(csv_bytes(rows))


# --------------------------------------------------------------------------- not files


@case("dir_symlink", "目录链接.csv", "A symlink to a directory, named .csv", "refused", web=False)
def _dir_link(path: Path) -> None:
    target = path.parent / "real-dir"
    target.mkdir()
    os.symlink(target, path)


@case("dangling_symlink", "断链.csv", "A symlink to nothing", "refused", web=False)
def _dangling(path: Path) -> None:
    os.symlink(path.parent / "missing.csv", path)


@case("fifo", "管道.csv", "A named pipe (FIFO) no writer ever opens", "refused", web=False)
def _fifo(path: Path) -> None:
    os.mkfifo(path)


# --------------------------------------------------------------------------- more odd ones


@case("csv_long_name", "湘南市" * 26 + "发放表.csv", "A file name of 81 characters (246 "
      "bytes, near the file system's limit)", "read", rows=20)  # fmt: skip
def _long_name(path: Path) -> None:
    path.write_bytes(csv_bytes(_table(20, 4700)))


@case("csv_control_chars_name", "名单\n\x1b[31m红字\x07.csv", "A file name holding a line "
      "break, a terminal colour escape and a bell", "read", rows=20)  # fmt: skip
def _control_name(path: Path) -> None:
    path.write_bytes(csv_bytes(_table(20, 4800)))


@case("csv_fullwidth_digits", "全角数字.csv", "ID numbers and amounts in full-width digits "
      "(４３１００３…)", "read", rows=30)  # fmt: skip
def _fullwidth(path: Path) -> None:
    wide = str.maketrans("0123456789X.", "０１２３４５６７８９Ｘ．")
    rows = _table(30, 4900)
    for r in rows[1:]:
        r[2], r[3] = r[2].translate(wide), r[3].translate(wide)
    path.write_bytes(csv_bytes(rows))


@case("csv_only_bom", "只有BOM.csv", "Nothing but a UTF-8 byte-order mark", "refused",
      web_flag_ok=True)  # fmt: skip
def _only_bom(path: Path) -> None:
    path.write_bytes(b"\xef\xbb\xbf")


@case("csv_header_too_low", "表头太低.csv", "45 lines of title and notes before the header "
      "(beyond the 40 searched)", "refused", web_flag_ok=True)  # fmt: skip
def _header_low(path: Path) -> None:
    notes = [[f"说明第{i}条：本表由各乡镇汇总", "", "", "", "", ""] for i in range(45)]
    path.write_bytes(csv_bytes([*notes, *_table(20, 5000)]))
