"""Bad files get a clear Chinese message naming the file, and add nothing."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from helpers import load, write_csv, write_xlsx
from xuncha.crosscheck import NothingToCheck, check


def _simple_sheet(wb, ws):
    ws.write_row(0, 0, ["姓名", "身份证号码", "金额"])
    ws.write_row(1, 0, ["张三", "430102199001011238", 600])


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "空.csv"
    path.write_bytes(b"")
    report, rows = load(path)
    assert "文件「空.csv」" in report.error and "为空" in report.error
    assert rows == []


def test_corrupt_xlsx(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", {"Sheet1": _simple_sheet}).read_bytes()
    path = tmp_path / "坏.xlsx"
    path.write_bytes(good[: len(good) // 2])  # a truncated download
    report, rows = load(path)
    assert "文件「坏.xlsx」" in report.error and "损坏" in report.error
    assert rows == []


def test_xlsx_with_garbage_inside_zip(tmp_path: Path) -> None:
    path = tmp_path / "假.xlsx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    path.write_bytes(buf.getvalue())
    report, _ = load(path)
    assert "文件「假.xlsx」" in report.error


def test_password_protected_workbook(tmp_path: Path) -> None:
    plain = write_xlsx(tmp_path / "plain.xlsx", {"Sheet1": _simple_sheet})
    office = OOXMLFile(plain.open("rb"))
    path = tmp_path / "加密.xlsx"
    with path.open("wb") as out:
        office.encrypt("secret", out)
    report, rows = load(path)
    assert "文件「加密.xlsx」" in report.error and "密码" in report.error
    assert rows == []


def test_no_id_column(tmp_path: Path) -> None:
    report, rows = load(write_csv(tmp_path / "无号.csv", ["序号,备注", "1,无"]))
    assert "文件「无号.csv」" in report.error and "身份证" in report.error
    assert rows == []


def test_undecodable_encoding(tmp_path: Path) -> None:
    path = tmp_path / "乱码.csv"
    path.write_bytes("姓名,身份证号码\n".encode() + bytes([0x81, 0x20, 0xFF, 0xFE, 0x80]) * 50)
    report, rows = load(path)
    assert "文件「乱码.csv」" in report.error and "编码" in report.error
    assert rows == []


def test_encoding_broken_midway_names_the_line(tmp_path: Path) -> None:
    body = ["姓名,身份证号码"] + [f"张{i},{i}" for i in range(200_000)]
    data = "\n".join(body).encode("utf-8") + b"\n\xff\xfe,1\n"
    path = tmp_path / "半截.csv"
    path.write_bytes(data)
    report, rows = load(path)
    assert "编码" in report.error and "第 200002 行" in report.error
    assert rows == []
    assert report.sha256 == hashlib.sha256(data).hexdigest()  # the manifest names it


def test_a_million_columns(tmp_path: Path) -> None:
    path = tmp_path / "宽.csv"
    path.write_text(",".join(f"c{i}" for i in range(1_000_000)) + "\n1\n", encoding="utf-8")
    report, rows = load(path)
    assert "文件「宽.csv」" in report.error and "列数过多" in report.error
    assert rows == []


def test_nothing_to_check_raises_with_reasons(tmp_path: Path) -> None:
    empty = tmp_path / "空.csv"
    empty.write_bytes(b"")
    with pytest.raises(NothingToCheck) as err:
        check({"payments": [empty]}, out=tmp_path / "out")
    assert "空.csv" in str(err.value)
    assert not (tmp_path / "out" / "hits.csv").exists()


def test_one_bad_file_does_not_stop_the_others(tmp_path: Path, ids: dict[str, str]) -> None:
    good = write_csv(
        tmp_path / "好.csv", ["姓名,身份证号码,金额,发放日期", f"张三,{ids['zhang']},600,2021-1-1"]
    )
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"PK\x03\x04broken")
    result = check({"payments": [good, bad]}, out=tmp_path / "out")
    errors = {s.file: s.error for s in result.sources}
    assert errors["好.csv"] is None and "损坏" in errors["坏.xlsx"]
    import json

    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    skipped = [i for i in manifest["inputs"] if i["status"] == "skipped"]
    assert [i["file"] for i in skipped] == ["坏.xlsx"] and "损坏" in skipped[0]["error"]


def test_same_file_twice_is_counted_once(tmp_path: Path, ids: dict[str, str]) -> None:
    a = write_csv(
        tmp_path / "a.csv", ["姓名,身份证号码,金额,发放日期", f"张三,{ids['zhang']},600,2021-1-1"]
    )
    b = tmp_path / "a的副本.csv"
    b.write_bytes(a.read_bytes())
    c = write_csv(
        tmp_path / "c.csv", ["姓名,身份证号码,金额,发放日期", f"李四,{ids['li']},600,2021-1-1"]
    )
    # The first of two copies is read, whichever of them is inserted first.
    result = check({"payments": [a, c, b, c]})
    assert result.count("duplicate_payment") == 0
    errors = [(s.file, s.error) for s in result.sources]
    assert [f for f, e in errors if e is None] == ["a.csv", "c.csv"]
    assert "与「a.csv」内容完全相同" in errors[2][1] and "与「c.csv」" in errors[3][1]


def test_sheet_with_a_stray_cell_at_the_far_corner_is_refused(tmp_path: Path) -> None:
    # The reader would allocate all 17 billion cells of A1:XFD1048576 and abort.
    def stray(wb, ws):
        _simple_sheet(wb, ws)
        ws.write_string(1048575, 16383, " ")

    path = write_xlsx(tmp_path / "远.xlsx", {"苏仙区": stray, "北湖区": _simple_sheet})
    report, rows = load(path)
    assert report.error is None and [r[:3] for r in rows] == [("北湖区", 2, "data")]
    assert report.sheets[0].error.startswith(
        "文件「远.xlsx」工作表「苏仙区」：工作表的使用范围异常大（A1:XFD1048576）"
    )
    path = write_xlsx(tmp_path / "远.xlsx", {"苏仙区": stray})
    report, _ = load(path)
    assert report.error == (
        "文件「远.xlsx」：没有一个工作表可以读取：「苏仙区」工作表的使用范围异常大（A1:XFD1048576），"
        "多半是远处有无意中输入或设了格式的单元格。请在 Excel 中删除数据以外的行和列后另存，再提交。"
    )


def test_cells_far_right_of_the_header_are_not_read(tmp_path: Path, ids: dict[str, str]) -> None:
    def far(wb, ws):
        ws.write_row(0, 0, ["姓名", "身份证号码", "金额"])
        ws.write(0, 16383, "备注")  # a header cell at XFD1: 16,384 columns
        ws.write_row(1, 0, ["张三", ids["zhang"], 600])

    report, rows = load(write_xlsx(tmp_path / "宽.xlsx", {"Sheet1": far}))
    assert report.error is None and rows[0][3:6] == ("张三", ids["zhang"], "600")


def test_trailing_empty_columns_and_long_cells_in_csv(tmp_path: Path, ids: dict[str, str]) -> None:
    path = write_csv(
        tmp_path / "尾.csv",
        ["姓名,身份证号码,金额" + "," * 1500, f"张三,{ids['zhang']},600" + "," * 1500,
         f'李四,{ids["li"]},600,"{"长" * 200_000}"'],
    )  # fmt: skip
    report, rows = load(path)
    assert report.error is None and [r[3] for r in rows] == ["张三", "李四"]


def test_old_mac_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes("姓名,身份证号码\r张三,430102199001011238\r".encode())
    report, rows = load(path)
    assert report.error is not None and "只用回车符（CR）换行" in report.error and rows == []


def test_files_that_are_not_tables(tmp_path: Path) -> None:
    pdf = tmp_path / "名单.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n")
    report, _ = load(pdf)
    assert (
        report.error
        == "文件「名单.xlsx」：不是表格文件，按内容识别为 PDF 文件。请提交 Excel 工作簿（xlsx、xls）或 CSV 文件。"
    )
    xls = tmp_path / "旧.xlsx"  # an .xls workbook (an OLE2 container) renamed .xlsx
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    report, _ = load(xls)
    assert report.error is not None and "文件内容是 xls 格式，扩展名却是 .xlsx" in report.error


def test_gbk_line_pasted_into_a_utf8_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "混.csv"
    lines = ["姓名,身份证号码,金额", "张三,430102199001011238,600", "李四,430102199001011238,600"]
    path.write_bytes("\n".join(lines).encode() + "\n王五,1,600\n".encode("gbk"))
    report, rows = load(path)
    assert report.error is not None and rows == []
    assert report.error.startswith("文件「混.csv」第 4 行：文件编码错误：前面的内容是 UTF-8")


def test_a_stray_nul_byte_is_read_but_a_utf16_text_without_bom_is_refused(
    tmp_path: Path,
) -> None:
    lines = ["姓名,身份证号码,金额"] + [f"人{i},43010219900101{i:04d},600" for i in range(50)]
    lines[3] = "张\x00三,430102199001011238,600"
    report, rows = load(write_csv(tmp_path / "nul.csv", lines))
    assert report.error is None and len(rows) == 50 and rows[2][3] == "张\x00三"
    report, rows = load(write_csv(tmp_path / "u16.csv", lines, "utf-16-le"))
    assert report.error is not None and "不是表格文件" in report.error and rows == []
