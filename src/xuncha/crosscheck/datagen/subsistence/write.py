"""The payment lists and the registers as files (xlsx workbooks, GBK and UTF-8 CSV)."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from ..model import (
    APOSTROPHE,
    CLEAN,
    FULLWIDTH,
    LEGACY15,
    NUMCELL,
    PADDED,
    SPACED,
    render_id,
)
from ..names import traditional
from ..places import COUNTIES, TOWNSHIPS
from ..render import amount_text, date_text, excel_serial
from .model import KINDS, Data, Entry, Pay

HARMLESS = (SPACED, FULLWIDTH, APOSTROPHE, PADDED, LEGACY15)


@dataclass(frozen=True)
class Spec:
    """One payment list: its year, file name, format and header (field, header text)."""

    year: int
    name: str
    encoding: str  # "" for a workbook
    columns: tuple[tuple[str, str], ...]
    title: bool = True
    total: bool = True


_A = (("seq", "序号"), ("county", "县市区"), ("township", "乡镇(街道)"), ("name", "姓名"),
      ("id", "身份证号码"), ("kind", "保障对象类型"), ("amount", "发放金额（元）"), ("date", "发放日期"))  # fmt: skip
_B = (("seq", "序号"), ("county", "区县"), ("township", "乡镇"), ("name", "享受人姓名"),
      ("id", "公民身份号码"), ("kind", "保障对象类型"), ("amount", "补助金额"), ("date", "拨付日期"),
      ("bank", "一卡通账号"))  # fmt: skip
_C = (("seq", "序号"), ("county", "县市区"), ("township", "所属乡镇"), ("name", "收款人姓名"),
      ("id", "身份证号"), ("bank", "银行卡号"), ("amount", "实发金额"), ("date", "发放时间"))  # fmt: skip
_D = (("seq", "序号"), ("year", "年度"), ("county", "县市区"), ("name", "姓名"),
      ("id", "身份证号码"), ("kind", "保障对象类型"), ("amount", "发放金额"))  # fmt: skip


def _specs(xlsx: bool) -> dict[int, Spec]:
    ext = ".xlsx" if xlsx else ".csv"
    return {
        2021: Spec(2021, f"2021年度郴州市低保特困资金发放花名册{ext}", "" if xlsx else "gbk", _A),
        2022: Spec(2022, f"2022年度郴州市低保特困资金发放花名册{ext}", "" if xlsx else "utf-8", _B),
        2023: Spec(2023, "2023年度城乡低保和特困供养资金发放明细.csv", "gbk", _C),
        2024: Spec(2024, "2024年低保特困资金发放名单.csv", "utf-8-sig", _D, title=False),
    }


_AMOUNTS = ("num", "num", "dec", "yuan", "rmb")
_DATES = ("iso", "iso", "slash", "cn", "compact", "dot")


def _id_cell(data: Data, row: Pay) -> str:
    if row.raw is not None:
        return row.raw
    person = data.people[row.pid]
    r = data.rng.random()
    if r < 0.04:
        form = HARMLESS[int(r * 100) % len(HARMLESS)]
        if form != LEGACY15 or person.id18[6:8] == "19":
            return render_id(person.id18, form, row.pid)
    return person.id18


def _name_cell(data: Data, row: Pay) -> str:
    name = data.people[row.pid].name
    if row.idf != CLEAN:
        return name
    r = data.rng.random()
    if r < 0.02:
        return name[0] + " " + name[1:]
    if r < 0.03:
        return name[0] + "\u3000" + name[1:]
    if r < 0.04:
        return traditional(name)
    return name


def _cells(data: Data, row: Pay, seq: int) -> dict[str, str]:
    person = data.people[row.pid]
    rnd = data.rng.random
    return {
        "seq": str(seq),
        "year": str(row.year),
        "county": COUNTIES[row.county].name,
        "township": TOWNSHIPS[person.twp][1],
        "name": _name_cell(data, row),
        "id": _id_cell(data, row),
        "kind": KINDS[person.kind][0],
        "bank": f"6230{(row.pid * 982_451_653_129 + 3_141_592_653) % 10**15:015d}",
        "amount": amount_text(row.amount, _AMOUNTS[int(rnd() * len(_AMOUNTS))]),
        "date": date_text(row.date, _DATES[int(rnd() * len(_DATES))]) if row.date else "",
    }


def write_payments(data: Data, out: Path, xlsx: bool) -> list[Path]:
    by_year: dict[int, list[Pay]] = {}
    for row in data.rows:
        by_year.setdefault(row.year, []).append(row)
    files = []
    for year, spec in _specs(xlsx).items():
        rows = sorted(by_year.get(year, []), key=lambda r: r.county)
        if spec.encoding:
            _payment_csv(data, out / spec.name, spec, rows)
        else:
            _payment_workbook(data, out / spec.name, spec, rows)
        files.append(out / spec.name)
    return files


def _title(spec: Spec) -> str:
    return f"郴州市{spec.year}年度城乡最低生活保障和特困人员救助供养资金发放花名册"


def _payment_csv(data: Data, path: Path, spec: Spec, rows: list[Pay]) -> None:
    fields = [f for f, _ in spec.columns]
    head = [[_title(spec)] + [""] * (len(fields) - 1)] if spec.title else []
    head.append([h for _, h in spec.columns])
    terminator = "\r\n" if spec.encoding == "gbk" else "\n"
    lines: list[list[str]] = []
    line = len(head)
    for seq, row in enumerate(rows, 1):
        cells = _cells(data, row, seq)
        line += 1
        lines.append([cells[f] for f in fields])
        row.loc = (path.name, "", line)
    if spec.total:
        total = [""] * len(fields)
        total[0], total[fields.index("amount")] = "合计", f"{sum(r.amount for r in rows):.2f}"
        lines.append(total)
    with path.open("w", encoding=spec.encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator=terminator)
        writer.writerows(head)
        writer.writerows(lines)


def _payment_workbook(data: Data, path: Path, spec: Spec, rows: list[Pay]) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.set_properties({"created": dt.datetime(2024, 12, 31), "author": "郴州市民政局"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    id_fmt = wb.add_format({"num_format": "0"})
    text_fmt = wb.add_format({"num_format": "@"})
    fields = [f for f, _ in spec.columns]
    col = {f: i for i, f in enumerate(fields)}
    for county in range(len(COUNTIES)):
        mine = [r for r in rows if r.county == county]
        if not mine:
            continue
        sheet = COUNTIES[county].name
        ws = wb.add_worksheet(sheet)
        ws.write_string(0, 0, _title(spec).replace("郴州市", "郴州市" + sheet))
        ws.write_string(1, 0, f"填报单位：{sheet}民政局　　单位：元")
        for i, (_, header) in enumerate(spec.columns):
            ws.write_string(2, i, header)
        r = 3
        for seq, row in enumerate(mine, 1):
            cells = _cells(data, row, seq)
            for f in fields:
                if f == "seq":
                    ws.write_number(r, col[f], seq)
                elif f == "id" and row.idf == NUMCELL:
                    ws.write_number(r, col[f], float(row.raw or 0), id_fmt)
                elif f == "id":
                    ws.write_string(r, col[f], cells[f], text_fmt)
                elif f == "amount" and data.rng.random() < 0.6:
                    ws.write_number(r, col[f], row.amount)
                elif f == "date" and data.rng.random() < 0.6:
                    ws.write_number(r, col[f], excel_serial(row.date), date_fmt)
                elif cells[f]:
                    ws.write_string(r, col[f], cells[f])
            row.loc = (path.name, sheet, r + 1)
            r += 1
        ws.write_string(r, 0, "合计")
        ws.write_string(r, col["name"], f"共{len(mine)}人")
        ws.write_number(r, col["amount"], sum(x.amount for x in mine))
        ws.write_string(
            r + 2, 0, "制表人：张某某　　审核人：李某　　制表日期：" + f"{spec.year}年12月20日"
        )
    wb.close()


_REGISTERS = {
    "deaths": ("死亡人员名单.csv", ("序号", "姓名", "身份证号码", "死亡日期", "数据来源")),
    "payroll": ("财政供养人员信息.csv", ("序号", "姓名", "身份证号", "工作单位", "入职时间", "离职时间")),
    "vehicles": ("机动车登记信息.csv", ("序号", "所有人姓名", "身份证明号码", "号牌号码", "车辆类型",
                                   "车辆价格", "初次登记日期", "注销日期")),
    "companies": ("市场主体登记信息.csv", ("序号", "企业名称", "统一社会信用代码", "姓名", "证件号码",
                                       "人员身份", "成立日期", "注销日期")),
}  # fmt: skip


def _value_text(value: int, style: int) -> str:
    if style == 0:
        return format(Decimal(value) / 10000, "f") + "万元"
    if style == 1:
        return f"{value:,.2f}"
    return str(value) if style == 2 else f"{value}元"


def _register_cells(data: Data, kind: str, entry: Entry, seq: int) -> list[str]:
    rng = data.rng
    person = data.people[entry.pid]
    ident = person.id18
    if rng.random() < 0.05 and person.id18[6:8] == "19":
        ident = render_id(person.id18, LEGACY15, entry.pid)
    style = _DATES[int(rng.random() * len(_DATES))]
    start = date_text(entry.start, style)
    end = date_text(entry.end, style) if entry.end is not None else ""
    name = person.name
    if kind == "deaths":
        return [str(seq), name, ident, start, rng.choice(("民政殡葬", "公安户籍"))]
    if kind == "payroll":
        return [str(seq), name, ident, entry.text, start, end]
    if kind == "vehicles":
        what = "普通二轮摩托车" if entry.value < 10000 else "小型轿车"
        plate = entry.text if rng.random() < 0.9 else entry.text[:2] + " " + entry.text[2:]
        value = _value_text(entry.value, int(rng.random() * 4))
        return [str(seq), name, ident, plate, what, value, start, end]
    code = f"91431{entry.pid % 10**13:013d}"
    return [str(seq), entry.text, code, name, ident, entry.position, start, end]


def write_registers(data: Data, out: Path, xlsx: bool) -> dict[str, list[Path]]:
    files = {}
    for kind, (name, header) in _REGISTERS.items():
        entries = data.regs.get(kind, [])
        data.rng.shuffle(entries)
        encoding = "gbk" if xlsx or kind in ("deaths", "companies") else "utf-8-sig"
        head: list[list[str]] = [list(header)]
        if kind == "vehicles":
            head.insert(0, ["机动车登记信息（截至2024年12月31日）"] + [""] * (len(header) - 1))
        with (out / name).open("w", encoding=encoding, newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n" if encoding == "gbk" else "\n")
            writer.writerows(head)
            writer.writerows(_register_cells(data, kind, e, i) for i, e in enumerate(entries, 1))
        files[kind] = [out / name]
    return files
