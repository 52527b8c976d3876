"""Each data row of a staged batch: the unit it names (by code, else by its name without
「村委会/居委会」 and the like, narrowed by township and county), its values, and what the
user chose for it; rows matching none or several units come with candidates."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from xuncha.units.models import Unit, UnitKind

from ..models import ImportBatch, Indicator
from .headers import _light, columns, parse_number

MAX_CANDIDATES = 8
_NOT_DATA = re.compile(r"^(合计|总计|小计|制表|填表|审核|负责人|备注|说明|注[:：]|单位负责人)")

_SUFFIXES = (
    ("村民委员会", "村"), ("村委会", "村"), ("社区居民委员会", "社区"), ("社区居委会", "社区"),
    ("居民委员会", "社区"), ("居委会", "社区"), ("党总支", ""), ("党支部", ""), ("党委", ""),
)  # fmt: skip


def name_key(name: str) -> str:
    """A unit's name as matched: 「东山村村委会」, 「东山村民委员会」 and 「东山村」 alike."""
    key = _light(name)
    changed = True
    while changed:
        changed = False
        for suffix, kind in _SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
                if kind and not key.endswith(kind):
                    key += kind
                changed = True
    return key


def _place_key(name: str) -> str:
    """A township's or county's name as matched: without 人民政府/办事处."""
    key = _light(name)
    for suffix in ("人民政府", "街道办事处", "办事处"):
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)] + ("街道" if "街道" in suffix else "")
    return key


def _places_match(cell: str, unit: Unit | None) -> bool:
    if unit is None:
        return False
    a, b = _place_key(cell), _place_key(unit.name)
    return a == b or (len(a) >= 2 and (a in b or b in a))


# -- preview ---------------------------------------------------------------------------------


@dataclass
class RowMatch:
    """One data row: what it says, the unit it matched and what the user chose."""

    row: int  # the Excel row number
    code: str = ""
    name: str = ""
    township: str = ""
    county: str = ""
    values: dict[str, float] = field(default_factory=dict)  # indicator code -> value
    bad: list[str] = field(default_factory=list)  # unreadable cells, in words
    status: str = "matched"  # matched | none | several | ignored
    unit: Unit | None = None  # the matched unit (or the one the user chose)
    candidates: list[Unit] = field(default_factory=list)
    skip: str = ""  # why the row is not imported (the user's reason, or 合计 and the like)
    chosen: bool = False  # the user resolved this row
    duplicate_of: int | None = None  # an earlier row of the same unit

    @property
    def label(self) -> str:
        parts = [self.county, self.township, self.name or self.code]
        return " ".join(p for p in parts if p) or "（空）"

    @property
    def pending(self) -> bool:
        """Whether the row still needs the user: no unit, several, unreadable values or
        a unit already imported by an earlier row of the file."""
        if self.skip:
            return False
        return self.unit is None or bool(self.bad) or self.duplicate_of is not None

    @property
    def problem(self) -> str:
        parts = []
        if self.unit is None:
            parts.append("匹配到多个单位" if self.status == "several" else "没有匹配到单位")
        elif self.duplicate_of is not None:
            parts.append(f"与第 {self.duplicate_of} 行是同一单位（{self.unit.name}）")
        return "；".join(parts + self.bad)


@dataclass
class Preview:
    headers: list[str]
    mapping: dict[str, str]
    sample: list[list[str]]  # the first data rows as they are in the file
    rows: list[RowMatch]

    @property
    def pending(self) -> list[RowMatch]:
        return [r for r in self.rows if r.pending]

    @property
    def attention(self) -> list[RowMatch]:
        """Rows the user must look at or has looked at: not matched, ambiguous,
        unreadable, duplicate, or resolved by hand."""
        return [r for r in self.rows if r.pending or r.chosen]

    @property
    def matched(self) -> int:
        return sum(1 for r in self.rows if not r.skip and r.unit is not None and not r.pending)

    @property
    def skipped(self) -> list[RowMatch]:
        return [r for r in self.rows if r.skip]

    def role_columns(self) -> dict[str, int]:
        return {role: self.headers.index(h) for h, role in self.mapping.items() if role}


def data_rows(batch: ImportBatch) -> list[tuple[int, list[str]]]:
    """(Excel row number, cells) of each non-blank row under the header."""
    start = batch.header_row + 1
    return [
        (i + 1, row)
        for i, row in enumerate(batch.cells[start:], start=start)
        if any(c.strip() for c in row)
    ]


class _Units:
    """The units a row may name, indexed once per preview."""

    KINDS = (UnitKind.VILLAGE, UnitKind.COMMUNITY, UnitKind.TOWNSHIP, UnitKind.DEPARTMENT,
             UnitKind.ENTERPRISE, UnitKind.PARK)  # fmt: skip

    def __init__(self) -> None:
        units = list(Unit.objects.select_related("parent", "county").filter(kind__in=self.KINDS))
        self.by_pk = {u.pk: u for u in units}
        self.by_code = {u.code: u for u in units}
        self.by_name: dict[str, list[Unit]] = defaultdict(list)
        for u in units:
            self.by_name[name_key(u.name)].append(u)

    def match(self, rm: RowMatch) -> None:
        unit = self.by_code.get(rm.code.strip()) if rm.code else None
        if unit is not None:
            rm.unit = unit
            return
        key = name_key(rm.name) if rm.name else ""
        same = list(self.by_name.get(key, [])) if key else []
        found = same
        if rm.township:
            found = [u for u in found if _places_match(rm.township, u.parent)]
        if rm.county:
            found = [u for u in found if _places_match(rm.county, u.county)]
        if len(found) == 1:
            rm.unit = found[0]
            return
        rm.status = "several" if found else "none"
        rm.candidates = (found or same)[:MAX_CANDIDATES]
        if len(rm.candidates) < MAX_CANDIDATES and key:
            rm.candidates += self.similar(key, exclude={u.pk for u in rm.candidates},
                                          n=MAX_CANDIDATES - len(rm.candidates))  # fmt: skip

    def similar(self, key: str, *, exclude: set[int], n: int) -> list[Unit]:
        names = difflib.get_close_matches(key, list(self.by_name), n=n, cutoff=0.5)
        out = [u for k in names for u in self.by_name[k] if u.pk not in exclude]
        return out[:n]


def preview(batch: ImportBatch) -> Preview:
    """Every data row with its unit match and values, the user's resolutions applied."""
    headers = columns(batch)
    mapping = {h: batch.mapping.get(h, "") for h in headers}
    col = {role: headers.index(h) for h, role in mapping.items() if role}
    indicators = {i.code: i for i in Indicator.objects.all()}
    units = _Units()
    rows: list[RowMatch] = []
    seen: dict[int, int] = {}
    for number, cells in data_rows(batch):
        rm = _row(number, cells, col, headers, indicators)
        rows.append(rm)
        if rm.status == "ignored":
            continue
        units.match(rm)
        _apply(rm, batch.resolutions.get(str(number)), units)
        if rm.unit is not None and not rm.skip:
            if rm.unit.pk in seen:
                rm.duplicate_of = seen[rm.unit.pk]
            else:
                seen[rm.unit.pk] = number
    sample = [cells for _, cells in data_rows(batch)[:10]]
    return Preview(headers=headers, mapping=mapping, sample=sample, rows=rows)


def _row(
    number: int, cells: list[str], col: dict[str, int], headers: list[str],
    indicators: dict[str, Indicator],
) -> RowMatch:  # fmt: skip
    def cell(role: str) -> str:
        c = col.get(role)
        return cells[c].strip() if c is not None and c < len(cells) else ""

    rm = RowMatch(row=number, code=cell("unit_code"), name=cell("unit_name"),
                  township=cell("township"), county=cell("county"))  # fmt: skip
    first = next((c for c in cells if c.strip()), "")
    if _NOT_DATA.match(first.strip()) or not (rm.code or rm.name):
        rm.status, rm.skip = "ignored", (
            f"「{first[:20]}」行，不是单位数据" if _NOT_DATA.match(first.strip()) else "单位名称和编码都为空"
        )  # fmt: skip
        return rm
    for role, c in sorted(col.items(), key=lambda kv: kv[1]):  # in the file's order
        if not role.startswith("indicator:"):
            continue
        code = role[10:]
        text = cells[c].strip() if c < len(cells) else ""
        if not text:
            continue  # no value in this file: the indicator is missing for the unit
        ind = indicators.get(code)
        value = parse_number(text, ind.unit_label if ind else "")
        if value is None:
            rm.bad.append(f"列「{headers[c]}」的「{text[:20]}」不是数字")
        else:
            rm.values[code] = value
    return rm


def _apply(rm: RowMatch, choice: Any, units: _Units) -> None:
    if choice is None:
        return
    rm.chosen = True
    if isinstance(choice, dict):
        rm.skip = str(choice.get("skip", "")) or "用户选择跳过"
        return
    unit = units.by_pk.get(int(choice)) or Unit.objects.filter(pk=int(choice)).first()
    if unit is not None:
        rm.unit, rm.candidates = unit, []
