"""Reading files: header finding, row numbers as the user sees them, skipped rows."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

from helpers import load, write_csv, write_xlsx
from xuncha.crosscheck.ingest import Mapping
from xuncha.crosscheck.roles import find_header


def test_header_under_title_rows_and_two_row_merged_header() -> None:
    rows = [
        ["郴州市2021年水库移民直补资金发放花名册", None, None, None, None],
        ["填报单位：苏仙区移民事务中心　单位：元", None, None, None, None],
        ["序号", "姓名", "身份证号码", "发放情况", None],
        [None, None, None, "发放金额（元）", "发放日期"],
        ["1", "张三", "430", "600", "2021-1-1"],
    ]
    layout = find_header(rows)
    assert layout is not None
    assert layout.header_rows == (2, 3)
    assert layout.columns == {"name": 1, "id_number": 2, "amount": 3, "payment_date": 4}


def test_payee_name_preferred_over_household_head() -> None:
    layout = find_header([["序号", "户主姓名", "移民姓名", "公民身份号码", "补助金额"]])
    assert layout is not None and layout.columns["name"] == 2


def test_id_column_of_the_person_the_name_column_names() -> None:
    layout = find_header([["户主姓名", "户主身份证号码", "移民姓名", "移民身份证号码", "补助金额"]])
    assert layout is not None and layout.columns["name"] == 2
    assert layout.columns["id_number"] == 3
    layout = find_header([["户主姓名", "户主身份证号码", "补助金额"]])
    assert layout is not None and (layout.columns["name"], layout.columns["id_number"]) == (0, 1)


def test_header_variants_recognised() -> None:
    for name, ident, amount, date in [
        ("姓名", "身份证号", "发放金额", "发放日期"),
        ("户主姓名", "身份证号码", "金额（元）", "发放时间"),
        ("移民姓名", "公民身份号码", "补助金额", "拨付日期"),
    ]:
        layout = find_header([[name, ident, amount, date]])
        assert layout is not None
        assert set(layout.columns) == {"name", "id_number", "amount", "payment_date"}


def test_xlsx_rows_are_excel_rows(tmp_path: Path, ids: dict[str, str]) -> None:
    def sheet(wb, ws):
        ws.write(1, 0, "2021年直补资金发放表")  # row 2; row 1 empty
        ws.merge_range(3, 0, 4, 0, "姓名")
        ws.merge_range(3, 1, 4, 1, "身份证号码")
        ws.merge_range(3, 2, 3, 3, "发放情况")
        ws.write(4, 2, "发放金额")
        ws.write(4, 3, "发放日期")
        ws.write_row(5, 0, ["张三", ids["zhang"], 600])  # row 6
        ws.write_datetime(
            5, 3, dt.datetime(2021, 3, 5), wb.add_format({"num_format": "yyyy-mm-dd"})
        )
        ws.write_row(7, 0, ["李四", ids["li"], "600元", 44260])  # row 8, after a blank row
        ws.write_row(8, 0, ["合计", None, 1200])
        ws.write(9, 0, "制表人：王某　审核人：李某")

    path = write_xlsx(tmp_path / "发放.xlsx", {"苏仙区": sheet})
    report, rows = load(path)
    assert report.error is None
    sheet_report = report.sheets[0]
    assert sheet_report.header_rows == [4, 5]
    assert sheet_report.year_hint == 2021
    data = [(r[1], r[3]) for r in rows if r[2] == "data"]
    assert data == [(6, "张三"), (8, "李四")]
    kinds = {r[1]: r[2] for r in rows}
    assert kinds[7] == "blank" and kinds[9] == "total" and kinds[10] == "signature"
    assert rows[0][7] == "苏仙区"  # the sheet names the county


def test_csv_line_numbers_survive_blank_lines_and_quoted_breaks(tmp_path: Path) -> None:
    lines = [
        "2022年发放明细", "", "姓名,身份证号码,发放金额", "张三,1,600", "", "", "李四,2,\"1,200\"",
        "\"王", "五\",3,600", "赵六,4,600", ",,", "合计,,3000",
    ]  # fmt: skip
    report, rows = load(write_csv(tmp_path / "a.csv", lines))
    assert report.error is None
    data = [(r[1], r[3]) for r in rows if r[2] == "data"]
    assert data == [(4, "张三"), (7, "李四"), (8, "王\n五"), (10, "赵六")]
    assert [r[1] for r in rows if r[2] == "total"] == [12]


def test_csv_line_numbers_without_quoted_breaks_use_fast_path(tmp_path: Path) -> None:
    lines = ["姓名,身份证号码,发放金额"] + [
        f"人{i},{i},600" if i % 7 else "" for i in range(1, 3000)
    ]
    _, rows = load(write_csv(tmp_path / "b.csv", lines))
    got = {r[1]: r[3] for r in rows}
    for i in range(1, 3000):
        if i % 7:
            assert got[i + 1] == f"人{i}"


def test_gbk_csv_is_transcoded(tmp_path: Path, ids: dict[str, str]) -> None:
    path = write_csv(
        tmp_path / "g.csv", ["姓名,身份证号码,金额", f"陳國華,{ids['wang']},600"], "gbk"
    )
    report, rows = load(path)
    assert report.encoding == "GBK/GB18030"
    assert rows[0][3] == "陳國華"


def test_tab_delimited(tmp_path: Path) -> None:
    _, rows = load(write_csv(tmp_path / "t.csv", ["姓名\t身份证号\t金额", "张三\t1\t1,200"]))
    assert rows[0][3:6] == ("张三", "1", "1,200")


def test_mapping_overrides_headers(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", ["收款人,证件,钱", "张三,1,600"])
    report, rows = load(path)
    assert report.error is not None and "找不到表头" in report.error
    mapping = Mapping(
        files={
            "m.csv": {"columns": {"A": "name", "B": "id_number", "C": "amount"}, "header_row": 1}
        }
    )
    report, rows = load(path, mapping=mapping)
    assert report.error is None
    assert rows[0][3:6] == ("张三", "1", "600")
    mapping = Mapping(columns={"收款人": "name", "证件": "id_number", "钱": "amount"})
    assert load(path, mapping=mapping)[1][0][3:6] == ("张三", "1", "600")


def test_spaces_around_cells_and_rows_of_spaces(tmp_path: Path, ids: dict[str, str]) -> None:
    """Cells are stored as written; a row of spaces is still blank, a padded row still
    data, and a hit shows the cells trimmed."""
    from xuncha.crosscheck import check

    lines = [
        "姓名,身份证号码,县市区,发放金额,发放日期",
        f" 张三 , {ids['zhang']} , 苏仙区 ,600,2021-03-05",
        "   ,  ,   ,  ,  ",
        f"张三,{ids['zhang']},苏仙区,600,2021-06-05",
    ]
    path = write_csv(tmp_path / "2021年发放.csv", lines)
    _, rows = load(path)
    assert {r[1]: r[2] for r in rows} == {2: "data", 3: "blank", 4: "data"}
    hits = check({"payments": [path]}, rules=["duplicate_payment"]).hits.to_pylist()
    assert [(h["row"], h["name"], h["id_number"], h["county"]) for h in hits] == [
        (2, "张三", ids["zhang"], "苏仙区"),
        (4, "张三", ids["zhang"], "苏仙区"),
    ]


def test_table_without_id_column_is_skipped_with_reason(
    tmp_path: Path, ids: dict[str, str]
) -> None:
    # Identity is matched on the ID: a list with names alone cannot be checked, and
    # must not turn every row into an "ID missing" hit.
    path = write_csv(tmp_path / "名单.csv", ["2021年发放名单", "姓名,发放金额", "张三,600"])
    report, rows = load(path)
    assert rows == []
    assert report.error is not None
    assert report.error.startswith("文件「名单.csv」第 2 行：表头中没有可识别的身份证号码列")

    def good(wb, ws):
        ws.write_row(0, 0, ["姓名", "身份证号码", "发放金额"])
        ws.write_row(1, 0, ["张三", ids["zhang"], 600])

    def names_only(wb, ws):
        ws.write(0, 0, "苏仙区发放表")
        ws.write_row(2, 0, ["姓名", "发放金额"])
        ws.write_row(3, 0, ["李四", 600])

    path = write_xlsx(tmp_path / "发放.xlsx", {"北湖区": good, "苏仙区": names_only})
    report, rows = load(path)
    assert report.error is None and [r[:3] for r in rows] == [("北湖区", 2, "data")]
    bad = report.sheets[1]
    assert bad.sheet == "苏仙区" and bad.error is not None
    assert bad.error.startswith(
        "文件「发放.xlsx」工作表「苏仙区」第 3 行：表头中没有可识别的身份证号码列"
    )

    path = write_csv(tmp_path / "名单.csv", ["姓名,编码,发放金额", f"张三,{ids['zhang']},600"])
    assert load(path)[0].error is not None
    mapping = Mapping(columns={"编码": "id_number"})  # the user says which column it is
    report, rows = load(path, mapping=mapping)
    assert report.error is None and rows[0][3:5] == ("张三", ids["zhang"])


def test_merged_cells_in_data_rows_fill_down(tmp_path: Path, ids: dict[str, str]) -> None:
    def sheet(wb, ws):
        ws.merge_range(0, 0, 0, 4, "2021年发放表")  # a title over the columns: not data
        ws.write_row(1, 0, ["乡镇", "姓名", "身份证号码", "发放金额", "发放日期"])
        ws.merge_range(2, 0, 4, 0, "华塘镇")  # rows 3-5: one township
        ws.merge_range(2, 4, 3, 4, "2021-06-01")  # rows 3-4: one payment date
        ws.write_row(2, 1, ["张三", ids["zhang"], 600])
        ws.write_row(3, 1, ["李四", ids["li"], 600])
        ws.write_row(4, 1, ["王五", ids["wang"], 600, "2021-09-01"])
        ws.merge_range(5, 1, 5, 2, "备注：以上为补发")  # across name and ID: never copied across

    report, rows = load(write_xlsx(tmp_path / "合并.xlsx", {"Sheet1": sheet}))
    assert report.error is None
    assert [(r[1], r[3], r[4], r[6]) for r in rows if r[2] == "data"] == [
        (3, "张三", ids["zhang"], "2021-06-01"),
        (4, "李四", ids["li"], "2021-06-01"),
        (5, "王五", ids["wang"], "2021-09-01"),
        (6, "备注：以上为补发", None, None),
    ]


def test_hidden_sheets_are_read_and_said_to_be_hidden(tmp_path: Path, ids: dict[str, str]) -> None:
    def sheet(person):
        def build(wb, ws):
            ws.write_row(0, 0, ["姓名", "身份证号码", "发放金额"])
            ws.write_row(1, 0, [person, ids["zhang"], 600])
            if person == "李四":
                ws.hide()

        return build

    report, rows = load(
        write_xlsx(tmp_path / "隐.xlsx", {"北湖区": sheet("张三"), "旧表": sheet("李四")})
    )
    assert [(s.sheet, s.hidden) for s in report.sheets] == [("北湖区", False), ("旧表", True)]
    assert len(rows) == 2


def test_an_amount_column_in_wan_yuan_is_read_in_yuan(tmp_path, ids) -> None:
    """金额（万元）: each amount of the column is ten thousand yuan (a cell that says 万
    itself is read as written)."""
    from xuncha.crosscheck import check

    path = write_csv(
        tmp_path / "发放.csv",
        ["姓名,身份证号码,发放金额（万元）,发放日期",
         f"张三,{ids['zhang']},0.07,2021-03-05", f"李四,{ids['li']},0.05万,2021-03-05",
         f"王五,{ids['wang']},,2021-03-05"],
    )  # fmt: skip
    hits = check({"payments": [path]}, rules=["over_standard"]).hits.to_pylist()
    assert [(h["row"], h["amount"]) for h in hits] == [(2, Decimal("700"))]
