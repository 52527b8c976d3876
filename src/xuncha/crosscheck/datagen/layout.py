"""Which payment files exist, and how each one is laid out.

Each file imitates a different clerk: its own header words, date and amount habits,
encoding and decorations. Rows are routed to a file by (year, county, supplement).
"""

from __future__ import annotations

from dataclasses import dataclass

from .places import COUNTIES, COUNTY_INDEX

ALL = tuple(range(len(COUNTIES)))
ZIXING = COUNTY_INDEX["资兴市"]
NOT_ZIXING = tuple(c for c in ALL if c != ZIXING)
GROUP_A = tuple(
    COUNTY_INDEX[n] for n in ("北湖区", "苏仙区", "桂阳县", "宜章县", "永兴县", "嘉禾县")
)
GROUP_B = tuple(c for c in ALL if c not in GROUP_A)

# Column sets: (field, header). Fields: seq county township village name id bank amount
# date note. Header words differ between files as they do between clerks.
_H19 = (
    ("seq", "序号"),
    ("township", "乡镇"),
    ("village", "村"),
    ("name", "姓名"),
    ("id", "身份证号码"),
    ("bank", "银行账号"),
    ("amount", "发放金额"),
    ("date", "发放日期"),
    ("note", "备注"),
)
_H20 = (
    ("seq", "序号"),
    ("township", "乡镇（街道）"),
    ("village", "村（社区）"),
    ("name", "户主姓名"),
    ("id", "公民身份号码"),
    ("bank", "银行卡号"),
    ("amount", "补助金额"),
    ("note", "备注"),
)
_H21 = (
    ("seq", "序号"),
    ("township", "乡镇"),
    ("village", "村"),
    ("name", "移民姓名"),
    ("id", "身份证号"),
    ("bank", "银行账号"),
    ("amount", "金额（元）"),
    ("date", "发放时间"),
    ("note", "备注"),
)
_H22 = (
    ("seq", "序号"),
    ("township", "乡镇（街道）"),
    ("village", "村（社区）"),
    ("name", "姓名"),
    ("id", "身份证号码"),
    ("bank", "银行卡号"),
    ("amount", "补助金额"),
    ("date", "拨付日期"),
    ("note", "备注"),
)
_H22Z = (
    ("seq", "序号"),
    ("township", "乡镇"),
    ("village", "村"),
    ("name", "姓名"),
    ("id", "身份证号码"),
    ("bank", "银行账号"),
    ("amount", "金额（元）"),
    ("date", "拨付日期"),
    ("note", "备注"),
)
_H23 = (
    ("seq", "序号"),
    ("county", "县市区"),
    ("township", "乡镇（街道）"),
    ("village", "村（社区）"),
    ("name", "姓名"),
    ("id", "公民身份号码"),
    ("bank", "银行卡号"),
    ("amount", "补助金额"),
    ("date", "发放时间"),
    ("note", "备注"),
)
_H24 = (
    ("seq", "序号"),
    ("township", "乡镇（街道）"),
    ("village", "村（社区）"),
    ("name", "姓名"),
    ("id", "公民身份号码"),
    ("bank", "银行账号"),
    ("amount", "发放金额"),
    ("date", "发放日期"),
    ("note", "备注"),
)
_H24S = (
    ("seq", "序号"),
    ("county", "县市区"),
    ("township", "乡镇"),
    ("village", "村"),
    ("name", "移民姓名"),
    ("id", "身份证号"),
    ("bank", "银行账号"),
    ("amount", "发放金额"),
    ("date", "发放日期"),
    ("note", "备注"),
)


def _with_county(cols: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """The same columns with a 县市区 column after 序号 (a CSV has no sheet per county)."""
    return (cols[0], ("county", "县市区"), *cols[1:])


@dataclass(frozen=True)
class FileSpec:
    name: str
    year: int
    fmt: str  # "xlsx" | "csv"
    encoding: str  # "gbk", "utf-8-sig" or "utf-8" for CSV; "" for xlsx
    counties: tuple[int, ...]
    columns: tuple[tuple[str, str], ...]
    dates: tuple[tuple[str, int], ...] = ()  # (style, weight); () = no date column
    amounts: tuple[tuple[str, int], ...] = (("num", 1),)
    supplement: bool = False  # a 补发 list: late payments of the same year
    group: str = ""  # two-row header: this label is merged over the amount and date columns
    empty_first_row: bool = False
    title_line: bool = False  # CSV: a title line above the header
    quote_all: bool = False
    blank_rows: bool = False
    total_line: bool = False  # CSV: a 合计 line at the end (xlsx sheets always have one)
    traditional: bool = False  # some names written in traditional characters

    @property
    def has_date(self) -> bool:
        return bool(self.dates)

    @property
    def kind(self) -> str:
        """'xlsx', 'gbk' or 'utf8': the three places hits must land."""
        if self.fmt == "xlsx":
            return "xlsx"
        return "gbk" if self.encoding == "gbk" else "utf8"


def _zixing_2022() -> FileSpec:
    return FileSpec(
        "2022年直补资金发放明细_资兴市.csv",
        2022,
        "csv",
        "gbk",
        (ZIXING,),
        _H22Z,
        dates=(("compact", 8), ("slash", 2)),
        amounts=(("dec", 16), ("int", 3), ("yuan", 1)),
        blank_rows=True,
        total_line=True,
    )


def _all_2023() -> FileSpec:
    return FileSpec(
        "2023年直补资金发放明细.csv",
        2023,
        "csv",
        "utf-8-sig",
        ALL,
        _H23,
        dates=(("iso", 5), ("cn", 3), ("dot", 2)),
        amounts=(("int", 14), ("rmb", 3), ("yuan", 2), ("dec", 1)),
    )


def _supplement_2024(encoding: str) -> FileSpec:
    return FileSpec(
        "2024年直补资金补发明细.csv",
        2024,
        "csv",
        encoding,
        ALL,
        _H24S,
        dates=(("slash", 1),),
        amounts=(("dec", 1),),
        supplement=True,
        title_line=True,
        quote_all=True,
    )


def xlsx_layout() -> list[FileSpec]:
    """The default set: workbooks with one sheet per county, and three CSV files."""
    return [
        FileSpec(
            "2019年水库移民直补资金发放表.xlsx",
            2019,
            "xlsx",
            "",
            ALL,
            _H19,
            dates=(("cell", 9), ("slash", 1)),
        ),
        FileSpec(
            "2020年水库移民后期扶持直补资金发放花名册.xlsx",
            2020,
            "xlsx",
            "",
            ALL,
            _H20,
            amounts=(("num", 9), ("yuan", 1)),
            empty_first_row=True,
            blank_rows=True,
        ),
        FileSpec(
            "2021年水库移民直补资金发放表.xlsx",
            2021,
            "xlsx",
            "",
            ALL,
            _H21,
            dates=(("serial", 6), ("cell", 3), ("dot", 1)),
            group="发放情况",
            traditional=True,
        ),
        FileSpec(
            "2022年水库移民直补资金发放表.xlsx",
            2022,
            "xlsx",
            "",
            NOT_ZIXING,
            _H22,
            dates=(("cn", 7), ("cell", 3)),
            amounts=(("num", 17), ("rmb", 3)),
            blank_rows=True,
        ),
        _zixing_2022(),
        _all_2023(),
        FileSpec(
            "2024年水库移民直补资金发放表.xlsx",
            2024,
            "xlsx",
            "",
            ALL,
            _H24,
            dates=(("cell_slash", 8), ("iso", 2)),
            group="发放情况",
        ),
        _supplement_2024("gbk"),
    ]


def csv_layout() -> list[FileSpec]:
    """CSV only (large sets): one or two files a year, UTF-8 and GBK mixed."""
    return [
        FileSpec(
            "2019年直补资金发放明细.csv",
            2019,
            "csv",
            "utf-8-sig",
            ALL,
            _with_county(_H19),
            dates=(("slash", 7), ("iso", 3)),
            amounts=(("int", 9), ("dec", 1)),
        ),
        FileSpec(
            "2020年水库移民直补资金发放花名册.csv",
            2020,
            "csv",
            "gbk",
            ALL,
            _with_county(_H20),
            amounts=(("int", 9), ("yuan", 1)),
            title_line=True,
        ),
        FileSpec(
            "2021年直补资金发放明细_北湖区等6县区.csv",
            2021,
            "csv",
            "gbk",
            GROUP_A,
            _with_county(_H21),
            dates=(("dot", 6), ("cn", 4)),
            amounts=(("dec", 1),),
            traditional=True,
        ),
        FileSpec(
            "2021年直补资金发放明细_资兴市等5县市.csv",
            2021,
            "csv",
            "utf-8",
            GROUP_B,
            _with_county(_H21),
            dates=(("compact", 1),),
            amounts=(("int", 9), ("rmb", 1)),
            traditional=True,
        ),
        FileSpec(
            "2022年直补资金发放明细.csv",
            2022,
            "csv",
            "utf-8-sig",
            NOT_ZIXING,
            _with_county(_H22),
            dates=(("cn", 1),),
            amounts=(("int", 17), ("rmb", 3)),
        ),
        _zixing_2022(),
        _all_2023(),
        FileSpec(
            "2024年直补资金发放明细.csv",
            2024,
            "csv",
            "gbk",
            ALL,
            _with_county(_H24),
            dates=(("iso", 8), ("slash", 2)),
            amounts=(("dec", 9), ("int", 1)),
        ),
        _supplement_2024("utf-8"),
    ]


def routes(specs: list[FileSpec]) -> dict[tuple[int, int, bool], int]:
    """(year, county, supplement) -> index of the file the row goes to."""
    table: dict[tuple[int, int, bool], int] = {}
    for i, spec in enumerate(specs):
        for county in spec.counties:
            table[(spec.year, county, spec.supplement)] = i
    return table
