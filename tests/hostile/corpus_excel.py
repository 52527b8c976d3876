"""Hostile workbooks: truncated, encrypted, renamed, broken packages, the XFD1048576
cell, bombs, formula and error cells, XML attacks, odd sheet names."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from collections.abc import Iterator
from pathlib import Path

from hostile.builders import (
    HEADER,
    biff8_workbook,
    compound_file,
    member,
    people,
    raw_zip,
    rows_xml,
    sheet_xml,
    simple_xlsx,
    workbook_parts,
    zip_bytes,
)
from hostile.make_corpus import case

GB = 1_000_000_000


def _rows(n: int, start: int) -> list[list[object]]:
    return [HEADER, *([int(r[0]), *r[1:]] for r in people(n, start=start))]


def _xls(n: int, start: int) -> bytes:
    return compound_file(biff8_workbook(_rows(n, start), "发放表"))


def _xlsx(n: int, start: int) -> bytes:
    return simple_xlsx(_rows(n, start), "发放表")


# --------------------------------------------------------------------------- controls


@case("xlsx_ok", "2021年发放表.xlsx", "A clean xlsx (control)", "read", rows=100)
def _ok(path: Path) -> None:
    path.write_bytes(_xlsx(100, 10_000))


@case("xls_ok", "2019年发放表.xls", "A clean BIFF8 .xls (control)", "read", rows=60)
def _xls_ok(path: Path) -> None:
    path.write_bytes(_xls(60, 10_100))


@case("xlsx_as_csv", "其实是工作簿.csv", "A valid xlsx named .csv (read by content)",
      "read", rows=40)  # fmt: skip
def _xlsx_csv(path: Path) -> None:
    path.write_bytes(_xlsx(40, 10_200))


# --------------------------------------------------------------------------- empty, cut


@case("xlsx_empty", "空工作簿.xlsx", "0 bytes named .xlsx", "refused")
def _empty(path: Path) -> None:
    path.write_bytes(b"")


@case("xlsx_truncated", "下载中断.xlsx", "The first half of an xlsx", "refused")
def _cut(path: Path) -> None:
    data = _xlsx(300, 10_300)
    path.write_bytes(data[: len(data) // 2])


@case("xlsx_truncated_head", "只剩开头.xlsx", "The first 200 bytes of an xlsx", "refused")
def _cut_head(path: Path) -> None:
    path.write_bytes(_xlsx(50, 10_400)[:200])


@case("xls_truncated", "下载中断.xls", "The first half of a BIFF8 .xls", "refused")
def _xls_cut(path: Path) -> None:
    data = _xls(200, 10_500)
    path.write_bytes(data[: len(data) // 2])


@case("xls_truncated_head", "只剩文件头.xls", "Only the 512-byte header of a .xls", "refused")
def _xls_head(path: Path) -> None:
    path.write_bytes(_xls(60, 10_600)[:512])


# --------------------------------------------------------------------------- renamed, locked


@case("xls_as_xlsx", "旧格式.xlsx", "A BIFF8 .xls named .xlsx", "refused")
def _xls_as_xlsx(path: Path) -> None:
    path.write_bytes(_xls(60, 10_700))


@case("xlsx_as_xls", "新格式.xls", "An xlsx named .xls", "refused")
def _xlsx_as_xls(path: Path) -> None:
    path.write_bytes(_xlsx(30, 10_800))


def _encrypted(start: int) -> bytes:
    """Agile encryption (as Excel's), with msoffcrypto's salts and key drawn from a seeded
    generator and its container's timestamps fixed, so the corpus is the same bytes
    every time."""
    from msoffcrypto.format.ooxml import OOXMLFile
    from msoffcrypto.method import ecma376_agile
    from msoffcrypto.method.container import ecma376_encrypted as container

    class Fixed(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Fixed:
            return cls(2024, 1, 1)

    saved = ecma376_agile._random_buffer, container.datetime
    ecma376_agile._random_buffer, container.datetime = random.Random(start).randbytes, Fixed
    try:
        out = io.BytesIO()
        OOXMLFile(io.BytesIO(_xlsx(30, start))).encrypt("secret", out)
    finally:
        ecma376_agile._random_buffer, container.datetime = saved
    return out.getvalue()


@case("xlsx_encrypted", "加密.xlsx", "An xlsx with an open password (msoffcrypto)", "refused")
def _enc(path: Path) -> None:
    path.write_bytes(_encrypted(10_900))


@case("xlsx_encrypted_as_xls", "加密.xls", "A password-protected xlsx named .xls", "refused")
def _enc_xls(path: Path) -> None:
    path.write_bytes(_encrypted(11_000))


@case("docx_as_xlsx", "通知.xlsx", "A Word document (docx package) named .xlsx", "refused")
def _docx(path: Path) -> None:
    path.write_bytes(zip_bytes({
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats'
        b'.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType='
        b'"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        b"</Types>",
        "word/document.xml": "<w:document><w:body><w:p>发放表见附件</w:p></w:body></w:document>".encode(),
    }))  # fmt: skip


@case("ods_as_xlsx", "表格.xlsx", "An OpenDocument spreadsheet named .xlsx", "refused")
def _ods(path: Path) -> None:
    path.write_bytes(zip_bytes({
        "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
        "content.xml": b"<office:document-content><office:body><office:spreadsheet/>"
        b"</office:body></office:document-content>",
    }))  # fmt: skip


# --------------------------------------------------------------------------- broken packages


@case("xlsx_no_sheets", "没有工作表.xlsx", "A workbook whose <sheets> is empty", "refused")
def _no_sheets(path: Path) -> None:
    parts = workbook_parts([("发放表", sheet_xml(rows_xml(_rows(10, 11_100))))])
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        parts["xl/workbook.xml"][parts["xl/workbook.xml"].index(b"<sheets>") :],
        b"<sheets/></workbook>",
    )
    path.write_bytes(zip_bytes(parts))


@case("xlsx_rel_id_mismatch", "关系错乱.xlsx", "workbook.xml names relationship rId7, which "
      "the .rels file does not have", "refused")  # fmt: skip
def _rel_mismatch(path: Path) -> None:
    parts = workbook_parts([("发放表", sheet_xml(rows_xml(_rows(10, 11_200))))])
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b'r:id="rId1"', b'r:id="rId7"')
    path.write_bytes(zip_bytes(parts))


@case("xlsx_rel_missing_part", "缺少工作表.xlsx", "The sheet's relationship points to a part "
      "that is not in the package", "refused")  # fmt: skip
def _rel_missing(path: Path) -> None:
    parts = workbook_parts([("发放表", sheet_xml(rows_xml(_rows(10, 11_300))))])
    del parts["xl/worksheets/sheet1.xml"]
    path.write_bytes(zip_bytes(parts))


@case("xlsx_one_sheet_broken", "一表损坏.xlsx", "Two sheets: the first fine (40 rows), the "
      "second's part missing", "read", rows=40)  # fmt: skip
def _one_broken(path: Path) -> None:
    parts = workbook_parts([
        ("苏仙区", sheet_xml(rows_xml(_rows(40, 11_400)))),
        ("北湖区", sheet_xml(rows_xml(_rows(40, 11_500)))),
    ])  # fmt: skip
    del parts["xl/worksheets/sheet2.xml"]
    path.write_bytes(zip_bytes(parts))


@case("xlsx_lying_dimension", "尺寸不符.xlsx", '<dimension ref="A1:B2"/> over 100 rows of '
      "6 columns", "read", rows=100)  # fmt: skip
def _lying_dim(path: Path) -> None:
    path.write_bytes(simple_xlsx(_rows(100, 11_600), "发放表", dimension="A1:B2"))


@case("xlsx_no_cell_refs", "无单元格引用.xlsx", "Rows and cells without r= attributes (as "
      "some exporters write them)", "read", rows=50)  # fmt: skip
def _no_refs(path: Path) -> None:
    body = rows_xml(_rows(50, 11_700))
    import re

    body = re.sub(r' r="[A-Z]*\d+"', "", body)
    path.write_bytes(zip_bytes(workbook_parts([("发放表", sheet_xml(body))])))


# --------------------------------------------------------------------------- used range


def _xfd(with_dimension: bool, data_rows: int, start: int) -> bytes:
    body = rows_xml(_rows(data_rows, start)) if data_rows else ""
    body += '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    dim = "A1:XFD1048576" if with_dimension else None
    return zip_bytes(workbook_parts([("Sheet1", sheet_xml(body, dimension=dim))]))


@case("xlsx_xfd_dimension", "单格XFD.xlsx", "5 KB: one cell at XFD1048576, with "
      '<dimension ref="A1:XFD1048576"/>', "refused")  # fmt: skip
def _xfd_dim(path: Path) -> None:
    path.write_bytes(_xfd(True, 0, 0))


@case("xlsx_xfd_no_dimension", "单格XFD无尺寸.xlsx", "One cell at XFD1048576, no <dimension>",
      "refused")  # fmt: skip
def _xfd_nodim(path: Path) -> None:
    path.write_bytes(_xfd(False, 0, 0))


@case("xlsx_xfd_with_data", "带数据的XFD.xlsx", "20 payment rows and a stray cell at "
      "XFD1048576 (no <dimension>)", "refused")  # fmt: skip
def _xfd_data(path: Path) -> None:
    path.write_bytes(_xfd(False, 20, 11_800))


@case("xlsx_far_below", "最后一行.xlsx", "20 payment rows and one note in A1048576",
      "read", rows=21)  # fmt: skip
def _far_below(path: Path) -> None:
    body = rows_xml(_rows(20, 11_900))
    body += '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>备注</t></is></c></row>'
    path.write_bytes(zip_bytes(workbook_parts([("发放表", sheet_xml(body))])))


@case("xlsx_far_right", "最右一列.xlsx", "20 payment rows and a stray cell at XFD2",
      "read", rows=20)  # fmt: skip
def _far_right(path: Path) -> None:
    rows = _rows(20, 12_000)
    body = rows_xml(rows).replace(
        "</row>", '<c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>', 2
    )
    body = body.replace('<c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>', "</row>", 1)
    path.write_bytes(zip_bytes(workbook_parts([("发放表", sheet_xml(body))])))


@case("xlsx_blank_rows_1m", "百万空行.xlsx", "20 payment rows, then 1,048,556 formatted blank "
      "rows down to 1048576", "read", rows=20)  # fmt: skip
def _blank_rows(path: Path) -> None:
    head = rows_xml(_rows(20, 12_100))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        parts = workbook_parts([("发放表", b"")])
        for name, data in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                z.writestr(member(name), data)
        with z.open(member("xl/worksheets/sheet1.xml"), "w", force_zip64=True) as f:
            xml = sheet_xml("\x00").decode()
            before, after = xml.split("\x00")
            f.write((before + head).encode())
            for start in range(22, 1_048_577, 10_000):
                stop = min(start + 10_000, 1_048_577)
                f.write("".join(
                    f'<row r="{r}" spans="1:6" ht="15" customHeight="1"/>' for r in range(start, stop)
                ).encode())  # fmt: skip
            f.write(after.encode())


@case("xlsx_10000_columns", "一万列.xlsx", "10,000 headed columns, the payment columns first",
      "read", rows=20)  # fmt: skip
def _wide(path: Path) -> None:
    extra = [f"备注{i}" for i in range(10_000 - len(HEADER))]
    rows = [[*HEADER, *extra]] + [[*r, *(["x"] * len(extra))] for r in _rows(20, 12_200)[1:]]
    path.write_bytes(zip_bytes(workbook_parts([("发放表", sheet_xml(rows_xml(rows)))])))


# --------------------------------------------------------------------------- bombs, strings


@case("xlsx_zip_bomb", "压缩炸弹.xlsx", "About 1 MB on disk, a sheet that unpacks to 1.1 GB",
      "refused", huge=True)  # fmt: skip
def _bomb(path: Path) -> None:
    row = (
        '<row><c t="inlineStr"><is><t>1</t></is></c><c t="inlineStr"><is><t>张三</t></is></c>'
        '<c t="inlineStr"><is><t>431003195001010012</t></is></c><c><v>600</v></c></row>'
    ).encode()
    block = row * (4_000_000 // len(row))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in workbook_parts([("发放表", b"")]).items():
            if name != "xl/worksheets/sheet1.xml":
                z.writestr(member(name), data)
        sheet = member("xl/worksheets/sheet1.xml")
        sheet._compresslevel = 9  # type: ignore[attr-defined]  # the best ratio deflate gives
        with z.open(sheet, "w", force_zip64=True) as f:
            before, after = sheet_xml(rows_xml([HEADER]) + "\x00").decode().split("\x00")
            f.write(before.encode())
            written = 0
            while written < 1.1 * GB:
                f.write(block)
                written += len(block)
            f.write(after.encode())


def _bomb_rows(total: int) -> Iterator[bytes]:
    row = (
        '<row><c t="inlineStr"><is><t>1</t></is></c><c t="inlineStr"><is><t>张三</t></is></c>'
        '<c t="inlineStr"><is><t>431003195001010012</t></is></c><c><v>600</v></c></row>'
    ).encode()
    block = row * (4_000_000 // len(row))
    before, after = sheet_xml(rows_xml([HEADER]) + "\x00").decode().split("\x00")
    yield before.encode()
    for _ in range(0, total, len(block)):
        yield block
    yield after.encode()


@case("xlsx_bomb_lying_sizes", "谎报大小.xlsx", "A 1.1 GB sheet in 4 MB whose zip headers "
      "declare it 20 KB (a guard must not trust the declared sizes alone)", "refused",
      huge=True)  # fmt: skip
def _lying_bomb(path: Path) -> None:
    parts = workbook_parts([("发放表", b"")])
    members = [(n, [d], None) for n, d in parts.items() if n != "xl/worksheets/sheet1.xml"]
    members.append(("xl/worksheets/sheet1.xml", _bomb_rows(int(1.1 * GB)), 20_000))
    raw_zip(path, members)


@case("xlsx_sst_bomb", "共享字符串炸弹.xlsx", "sharedStrings.xml unpacks to 1.1 GB (one "
      "string, repeated), beside a sheet of 20 rows", "refused", huge=True)  # fmt: skip
def _sst_bomb(path: Path) -> None:
    def strings() -> Iterator[bytes]:
        yield (
            b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org'
            b'/spreadsheetml/2006/main">'
        )
        block = "<si><t>巡察</t></si>".encode() * 200_000
        for _ in range(0, int(1.1 * GB), len(block)):
            yield block
        yield b"</sst>"

    parts = workbook_parts([("发放表", sheet_xml(rows_xml(_rows(20, 13_400))))], shared=b"")
    members = [(n, [d], None) for n, d in parts.items() if n != "xl/sharedStrings.xml"]
    members.append(("xl/sharedStrings.xml", strings(), None))
    raw_zip(path, members)


@case("xlsx_huge_shared_strings", "海量共享字符串.xlsx", "A sharedStrings.xml of 1,000,000 "
      "unused random strings (about 30 MB) beside 100 rows", "read", rows=100)  # fmt: skip
def _huge_sst(path: Path) -> None:
    rng = random.Random(15)
    alphabet = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥abcdefghijklmnopqrstuvwxyz0123456789"
    items = "".join(
        f"<si><t>{''.join(rng.choices(alphabet, k=10))}</t></si>" for _ in range(1_000_000)
    )
    shared = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main" count="1000000" uniqueCount="1000000">{items}</sst>'
    ).encode()
    sheet = sheet_xml(rows_xml(_rows(100, 12_300)))
    path.write_bytes(zip_bytes(workbook_parts([("发放表", sheet)], shared=shared)))


# --------------------------------------------------------------------------- cell content


@case("xlsx_formula_no_cache", "公式未计算.xlsx", "50 ID cells are formulas with no cached "
      "value (saved by a program that does not calculate)", "read", rows=100, problems=50)  # fmt: skip
def _formulas(path: Path) -> None:
    rows = _rows(100, 12_400)
    for r in range(1, 101, 2):
        rows[r][2] = ("raw", f' t="str"><f>"{rows[r][2][:9]}"&amp;"{rows[r][2][9:]}"</f>')
    path.write_bytes(zip_bytes(workbook_parts([("发放表", sheet_xml(rows_xml(rows)))])))


@case("xlsx_error_cells", "错误值.xlsx", "#N/A in 10 ID cells and #VALUE! in 10 amount cells",
      "read", rows=60, problems=20)  # fmt: skip
def _errors(path: Path) -> None:
    rows = _rows(60, 12_500)
    for r in range(1, 11):
        rows[r][2] = ("raw", ' t="e"><v>#N/A</v>')
        rows[r + 20][3] = ("raw", ' t="e"><v>#VALUE!</v>')
    path.write_bytes(zip_bytes(workbook_parts([("发放表", sheet_xml(rows_xml(rows)))])))


@case("xlsx_invalid_dates_amounts", "日期金额错误.xlsx", "Date serials -5 and 3,000,000, text "
      "dates 2021-02-30, amounts 一百/abc/#, on 10 rows", "read", rows=50, problems=10)  # fmt: skip
def _bad_values(path: Path) -> None:
    rows = _rows(50, 12_600)
    for r, value in zip(range(5, 10), [-5, 3_000_000, "2021-02-30", "2021-13-45", "去年"],
                        strict=True):  # fmt: skip
        rows[r][4] = value
    for r, value in zip(range(20, 25), ["一百", "abc", "#", "1.2.3", "--5"], strict=True):
        rows[r][3] = value
    path.write_bytes(zip_bytes(workbook_parts([("发放表", sheet_xml(rows_xml(rows)))])))


@case("xlsx_duplicate_key_columns", "两列身份证.xlsx", "Two 身份证号码 columns disagreeing on "
      "5 rows", "read", rows=40, problems=1)  # fmt: skip
def _dup_key(path: Path) -> None:
    rows = [[*r, r[2]] for r in _rows(40, 12_700)]
    for r in range(5, 30, 5):
        rows[r][6] = people(1, start=19_000 + r)[0][2]
    path.write_bytes(zip_bytes(workbook_parts([("发放表", sheet_xml(rows_xml(rows)))])))


@case("xlsx_formula_sheet_names", "工作表名注入.xlsx", 'Sheets named =HYPERLINK("evil.cn",'
      "\"点我\") and +cmd|' -C calc'!A0, each with a hit", "read", rows=40)  # fmt: skip
def _sheet_names(path: Path) -> None:
    parts = workbook_parts([
        ('=HYPERLINK("evil.cn","点我")', sheet_xml(rows_xml(_rows(20, 12_800)))),
        ("+cmd|' -C calc'!A0", sheet_xml(rows_xml(_rows(20, 12_900)))),
    ])  # fmt: skip
    path.write_bytes(zip_bytes(parts))


@case("xlsx_hyperlink_file_name", '=HYPERLINK("evil.example","点我").xlsx', "A workbook "
      "whose file name is a formula", "read", rows=20)  # fmt: skip
def _name(path: Path) -> None:
    path.write_bytes(_xlsx(20, 13_000))


@case("xlsx_200_sheets", "两百个工作表.xlsx", "200 sheets of 2 payment rows each", "read",
      rows=400)  # fmt: skip
def _many_sheets(path: Path) -> None:
    sheets = [(f"第{i}村", sheet_xml(rows_xml(_rows(2, 20_000 + 2 * i)))) for i in range(200)]
    path.write_bytes(zip_bytes(workbook_parts(sheets)))


# --------------------------------------------------------------------------- XML attacks


_XXE = '<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
_LAUGHS = "<!DOCTYPE worksheet [<!ENTITY lol \"lol\">" + "".join(
    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
    for i in range(1, 10)
) + "]>"  # fmt: skip


@case("xlsx_xxe", "外部实体.xlsx", "sharedStrings.xml declares an external entity "
      "(file:///etc/passwd) and a name cell uses it", "refused", tags=["xxe"])  # fmt: skip
def _xxe(path: Path) -> None:
    shared = (
        f'<?xml version="1.0" encoding="UTF-8"?>{_XXE}<sst xmlns="http://schemas.openxmlformats'
        '.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>'
    ).encode()
    rows = _rows(20, 13_100)
    rows[3][1] = ("raw", ' t="s"><v>0</v>')
    sheet = sheet_xml(rows_xml(rows))
    path.write_bytes(zip_bytes(workbook_parts([("发放表", sheet)], shared=shared)))


@case("xlsx_billion_laughs", "实体膨胀.xlsx", "The sheet XML's DOCTYPE nests entities 10^9 "
      "'lol's deep; a cell uses &lol9;", "refused", tags=["xxe"])  # fmt: skip
def _laughs(path: Path) -> None:
    rows = _rows(20, 13_200)
    rows[3][1] = ("raw", ' t="inlineStr"><is><t>&lol9;</t></is>')
    path.write_bytes(zip_bytes(workbook_parts([("发放表", sheet_xml(rows_xml(rows),
                                                                     prolog=_LAUGHS))])))  # fmt: skip


@case("xlsx_deep_nesting", "深层嵌套.xlsx", "100,000 nested elements (random names, so no "
      "bomb ratio) inside one cell (a recursive parser's stack overflow)", "read",
      rows=20)  # fmt: skip
def _deep(path: Path) -> None:
    rng = random.Random(15)
    tags = ["x" + "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=6)) for _ in range(100_000)]
    rows = _rows(20, 13_300)
    nested = "".join(f"<{t}>" for t in tags) + "".join(f"</{t}>" for t in reversed(tags))
    rows[4][5] = ("raw", f' t="inlineStr"><is><t>苏仙区</t>{nested}</is>')
    path.write_bytes(zip_bytes(workbook_parts([("发放表", sheet_xml(rows_xml(rows)))])))
