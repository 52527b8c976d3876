"""Reading a zone-price table (区片综合地价表) or a land-class coefficients table (地类
系数表) from a CSV (UTF-8 or GBK) or an Excel workbook, as the office gets them.

Zone prices: 县市区、区片、区片综合地价（元/亩）、施行日期; coefficients: 地类、系数、施行
日期 (header synonyms tolerated; a title row above the header and other columns such as
序号、备注 are fine; a county cell left blank under a merged cell takes the one above).
Cells may carry units ("124800元/亩", "12.48万元", "0.9倍") and text dates ("2024年1月1日").
Every bad row is named with its file, row and value, and one bad row refuses the whole
table: nothing is half-loaded.

The file is parsed in a child process (:mod:`xuncha.sandbox`); no Django here.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from .landcomp import (
    AS_DRY_LAND,
    CENT,
    LAND_CLASSES,
    SPECIAL_KINDS,
    Coefficient,
    ZonePrice,
    county_key,
    normalize_land_class,
    zone_key,
)

MAX_PROBLEMS = 30
HEADER_ROWS = 10
MAX_BYTES = 20 * 1024 * 1024

ZONE_COLUMNS: dict[str, tuple[str, ...]] = {
    "县市区": ("县市区", "县(市、区)", "县(市区)", "县市区名称", "区县", "县区", "县市", "市县区",
            "行政区", "行政区域", "县级行政区"),
    "区片": ("区片", "片区", "区片编号", "区片名称", "征地区片", "区片等级"),
    "区片综合地价（元/亩）": ("区片综合地价", "综合地价", "价格", "区片价格", "补偿标准",
                      "征地补偿标准", "区片综合地价标准", "地价"),
    "施行日期": ("施行日期", "生效日期", "执行日期", "实施日期", "起始日期", "启用日期"),
}  # fmt: skip
COEFFICIENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "地类": ("地类", "土地类型", "地类名称", "土地类别", "类别"),
    "系数": ("系数", "地类系数", "补偿系数", "倍数"),
    "施行日期": ZONE_COLUMNS["施行日期"],
}
_SKIP_FIRST = re.compile(r"^(合计|总计|小计|制表|填表|审核|负责人|备注|说明|注[:：])")
_NUMBER = re.compile(r"([0-9]+(?:\.[0-9]+)?)(万元|万|元)?(?:/亩|每亩|/每亩)?")


class TableError(ValueError):
    """A table refused whole; the message names every problem (file, row, value)."""


def read_rows(data: bytes, *, name: str) -> list[list[str]]:
    """Every row of the file as stripped text: a workbook's first sheet, or a CSV in
    UTF-8 or GBK/GB18030. Call it through :func:`read_rows_isolated`."""
    from xuncha.crosscheck.preview import table_rows

    return table_rows(data, name=name)[1]


def read_rows_isolated(data: bytes, *, name: str) -> list[list[str]]:
    """:func:`read_rows` in the sandbox; any reason it cannot be read is a TableError."""
    from xuncha import sandbox
    from xuncha.crosscheck.errors import InputError

    if not data:
        raise TableError(f"「{name}」是空文件。")
    if len(data) > MAX_BYTES:
        raise TableError(f"「{name}」过大（上限 {MAX_BYTES // 2**20} MB）。")
    try:
        rows: list[list[str]] = sandbox.run(
            read_rows, data, name=name, file=name, limits=sandbox.limits("parse")
        )
    except sandbox.FileCrashed as err:
        raise TableError(f"「{name}」{sandbox.crash_reason(err)}") from err
    except InputError as err:
        raise TableError(f"「{name}」无法读取：{err}") from err
    return rows


def _header_key(text: str) -> tuple[str, str]:
    """A header cell without spaces or its unit in brackets, and that unit."""
    light = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    unit = "".join(re.findall(r"\(([^)]*)\)", light))
    bare = re.sub(r"\([^)]*\)", "", light)
    return (light if bare == "" else bare), unit


def find_header(
    rows: list[list[str]], columns: dict[str, tuple[str, ...]], file: str
) -> tuple[int, dict[str, int], dict[str, str]]:
    """The header row's index, each column's position and the unit its header gives."""
    wanted = {_header_key(s)[0]: canon for canon, names in columns.items() for s in names}
    for i, row in enumerate(rows[:HEADER_ROWS]):
        found: dict[str, int] = {}
        units: dict[str, str] = {}
        for c, cell in enumerate(row):
            bare, unit = _header_key(cell)
            canon = wanted.get(bare)
            if canon and canon not in found:
                found[canon], units[canon] = c, unit
        if len(found) == len(columns):
            return i, found, units
    need = "、".join(columns)
    raise TableError(f"「{file}」前 {HEADER_ROWS} 行中找不到表头：需要“{need}”这几列。")


def parse_price(text: str, scale: int = 1) -> Decimal | None:
    """An amount in 元/亩 from "124800", "124,800.00", "124800元/亩", "12.48万元", "￥124800";
    ``scale`` 10000 when the header says 万元. None unless positive with at most two
    decimals."""
    light = re.sub(r"[\s,，￥¥]", "", unicodedata.normalize("NFKC", text))
    m = _NUMBER.fullmatch(light)
    if not m:
        return None
    try:
        value = Decimal(m.group(1))
    except InvalidOperation:
        return None
    unit = m.group(2)
    value *= 10000 if unit in ("万元", "万") else (1 if unit else scale)
    if value <= 0 or value != value.quantize(CENT):
        return None
    return value.quantize(CENT)


def parse_coefficient(text: str) -> Decimal | None:
    """A coefficient from "0.9", "0.9倍", "90%"; None unless 0 < c <= 10."""
    light = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).removesuffix("倍")
    percent = light.endswith("%")
    try:
        value = Decimal(light.removesuffix("%"))
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    value = value / 100 if percent else value
    if value <= 0 or value > 10 or value != value.quantize(Decimal("0.0001")):
        return None
    return value.quantize(Decimal("0.0001")).normalize()


def parse_date(text: str) -> date | None:
    """2024-01-01, 2024/1/1, 2024.1.1, 2024年1月1日, 20240101, "2024-01-01 00:00:00"
    (a date cell) or an Excel serial day number."""
    light = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
    light = re.sub(r"[ T]00:00(:00)?(\.0+)?$", "", light)
    m = re.fullmatch(r"(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))", light)
    if m:
        y, mo, d = int(m[1]), int(m[2] or m[4]), int(m[3] or m[5])
        try:
            return date(y, mo, d)
        except ValueError:
            return None
    if re.fullmatch(r"\d{5}(\.0+)?", light):
        serial = int(float(light))
        if 20000 <= serial <= 80000:
            return date(1899, 12, 30) + timedelta(days=serial)
    return None


def _cells(row: list[str], cols: dict[str, int]) -> dict[str, str]:
    return {k: (row[c].strip() if c < len(row) else "") for k, c in cols.items()}


def _skip(row: list[str]) -> bool:
    first = next((c.strip() for c in row if c.strip()), "")
    return not first or bool(_SKIP_FIRST.match(first))


def _refuse(file: str, problems: list[str]) -> None:
    if problems:
        more = f"……等共 {len(problems)} 处问题" if len(problems) > MAX_PROBLEMS else ""
        raise TableError(
            f"「{file}」未导入（整表未写入任何数据）：" + "；".join(problems[:MAX_PROBLEMS]) + more
        )


def parse_zone_rows(rows: list[list[str]], file: str) -> list[ZonePrice]:
    """A zone-price table's rows (from :func:`read_rows`) as zone prices; TableError
    naming every bad row."""
    start, cols, units = find_header(rows, ZONE_COLUMNS, file)
    scale = 10000 if "万" in units["区片综合地价（元/亩）"] else 1
    problems: list[str] = []
    found: list[ZonePrice] = []
    seen: dict[tuple[str, str, date], int] = {}
    county, effective = "", ""
    for n, row in enumerate(rows[start + 1 :], start=start + 2):
        if _skip(row):
            continue
        cell = _cells(row, cols)
        where = f"{file} 第{n}行"
        county = cell["县市区"] or county  # a merged cell: blank below its first row
        effective = cell["施行日期"] or effective
        zone, price, on = (
            cell["区片"],
            parse_price(cell["区片综合地价（元/亩）"], scale),
            parse_date(effective),
        )
        bad = []
        if not county:
            bad.append("“县市区”为空")
        if not zone:
            bad.append("“区片”为空")
        if price is None:
            bad.append(
                f"区片综合地价「{cell['区片综合地价（元/亩）']}」不是大于 0 的金额（元/亩，最多两位小数）"
            )
        if on is None:
            bad.append(f"施行日期「{effective}」不是日期（如 2024-01-01、2024年1月1日）")
        if bad:
            problems.append(f"第 {n} 行：" + "，".join(bad))
            continue
        assert price is not None and on is not None
        key = (county_key(county), zone_key(zone), on)
        if key in seen:
            problems.append(
                f"第 {n} 行：{county} {zone}（{on.isoformat()} 施行）与第 {seen[key]} 行重复"
            )
            continue
        seen[key] = n
        found.append(ZonePrice(county=county_key(county), zone=zone_key(zone), price=price,
                               effective=on, where=where))  # fmt: skip
    if not found and not problems:
        problems.append("表头下没有任何区片价格行")
    _refuse(file, problems)
    return found


def parse_coefficient_rows(rows: list[list[str]], file: str) -> list[Coefficient]:
    """A coefficients table's rows as coefficients; TableError naming every bad row."""
    start, cols, _ = find_header(rows, COEFFICIENT_COLUMNS, file)
    problems: list[str] = []
    found: list[Coefficient] = []
    seen: dict[tuple[str, date], int] = {}
    allowed = [c for c in LAND_CLASSES if c != AS_DRY_LAND] + list(SPECIAL_KINDS)
    for n, row in enumerate(rows[start + 1 :], start=start + 2):
        if _skip(row):
            continue
        cell = _cells(row, cols)
        land_class = normalize_land_class(cell["地类"])
        value, on = parse_coefficient(cell["系数"]), parse_date(cell["施行日期"])
        bad = []
        if land_class == AS_DRY_LAND:
            bad.append("其他农用地按旱地标准执行，不单独设系数（请填写“旱地”的系数）")
        elif land_class not in allowed:
            bad.append(f"地类「{cell['地类']}」不是{'、'.join(allowed)}之一")
        if value is None:
            bad.append(f"系数「{cell['系数']}」不是大于 0、不超过 10 的数（最多四位小数）")
        if on is None:
            bad.append(f"施行日期「{cell['施行日期']}」不是日期（如 2024-01-01、2024年1月1日）")
        if bad:
            problems.append(f"第 {n} 行：" + "，".join(bad))
            continue
        assert value is not None and on is not None
        if (land_class, on) in seen:
            problems.append(
                f"第 {n} 行：地类「{land_class}」（{on.isoformat()} 施行）与第 {seen[(land_class, on)]} 行重复"
            )
            continue
        seen[(land_class, on)] = n
        found.append(Coefficient(land_class, value, on, f"{file} 第{n}行"))
    if not found and not problems:
        problems.append("表头下没有任何地类系数行")
    _refuse(file, problems)
    return found


def load_zone_prices(data: bytes, *, name: str) -> list[ZonePrice]:
    """A zone-price file, read in the sandbox and checked whole."""
    return parse_zone_rows(read_rows_isolated(data, name=name), name)


def load_coefficients(data: bytes, *, name: str) -> list[Coefficient]:
    """A coefficients file, read in the sandbox and checked whole."""
    return parse_coefficient_rows(read_rows_isolated(data, name=name), name)
