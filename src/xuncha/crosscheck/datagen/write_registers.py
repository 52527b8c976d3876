"""The death register and the payroll register: their order, row numbers and files.

The registers are laid out before any payment file is written, because each truth row
of ``deceased_payee`` and ``payroll_payee`` names the register row it matched.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ..idnumber import sex
from .model import DeathEntry, Stint, render_id
from .places import COUNTIES, TOWNSHIPS
from .render import Picker, date_text
from .world import World

DEATH_COLUMNS = ("序号", "姓名", "性别", "身份证号码", "死亡日期", "户籍地址", "数据来源")
PAYROLL_COLUMNS = (
    "序号",
    "姓名",
    "身份证号",
    "性别",
    "工作单位",
    "人员类别",
    "入职时间",
    "离职时间",
)
DEATH_XLSX_MAX = 200_000


@dataclass(frozen=True)
class RegisterFiles:
    deaths: str
    deaths_xlsx: bool
    payroll: str
    payroll_encoding: str


def lay_out(world: World, xlsx: bool) -> RegisterFiles:
    """Sort both registers and give every entry its file, sheet and row."""
    regs = world.regs
    regs.deaths.sort(key=lambda e: (e.date, e.pid))
    regs.stints.sort(key=lambda s: (s.employer, s.start, s.pid))
    in_xlsx = xlsx and len(regs.deaths) <= DEATH_XLSX_MAX
    files = RegisterFiles(
        deaths="死亡人员名单.xlsx" if in_xlsx else "死亡人员名单.csv",
        deaths_xlsx=in_xlsx,
        payroll="财政供养人员信息.csv",
        payroll_encoding="gbk" if xlsx else "utf-8-sig",
    )
    first = 3 if in_xlsx else 2  # xlsx: title and header rows; CSV: the header line
    for i, entry in enumerate(regs.deaths):
        entry.file, entry.sheet, entry.row = files.deaths, "死亡人员" if in_xlsx else "", first + i
    for i, stint in enumerate(regs.stints):
        stint.file, stint.row = files.payroll, 2 + i
    return files


def death_cells(world: World, entry: DeathEntry, seq: int) -> list[str | int]:
    """序号, 姓名, 性别, 身份证号码, (date placeholder), 户籍地址, 数据来源."""
    p = world.persons[entry.pid]
    address = f"湖南省郴州市{COUNTIES[p.county].name}{TOWNSHIPS[p.twp][1]}{p.village}"
    ident = render_id(p.id18, entry.idf, p.pid)
    return [seq, entry.name, sex(p.id18), ident, "", address, entry.source]


def write_death_csv(world: World, path: Path) -> None:
    """The death register as a GBK CSV (public security's export)."""
    pick = Picker(world.rng, (("iso", 5), ("slash", 3), ("cn", 1), ("compact", 1)))
    with path.open("w", encoding="gbk", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(DEATH_COLUMNS)
        for i, entry in enumerate(world.regs.deaths):
            cells = death_cells(world, entry, i + 1)
            cells[4] = date_text(entry.date, pick())
            writer.writerow(cells)


def stint_cells(world: World, stint: Stint, seq: int, pick: Picker) -> list[str | int]:
    p = world.persons[stint.pid]
    end = date_text(stint.end, pick()) if stint.end is not None else ""
    return [
        seq,
        stint.name,
        render_id(p.id18, stint.idf, p.pid),
        sex(p.id18),
        stint.employer,
        stint.category,
        date_text(stint.start, pick()),
        end,
    ]


def write_payroll_csv(world: World, path: Path, encoding: str) -> None:
    """The payroll register (财政供养人员信息); an empty 离职时间 means still employed."""
    pick = Picker(world.rng, (("iso", 6), ("slash", 2), ("compact", 1), ("cn", 1)))
    terminator = "\r\n" if encoding == "gbk" else "\n"
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator=terminator)
        writer.writerow(PAYROLL_COLUMNS)
        writer.writerows(
            stint_cells(world, s, i + 1, pick) for i, s in enumerate(world.regs.stints)
        )
