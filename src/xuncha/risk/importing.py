"""A department's workbook into unit profiles: upload (staged), column mapping and unit
matches confirmed on screen, then imported whole or not at all.

The file is read once, at upload, in the sandbox child process (it comes from outside);
its cells are kept on the batch, so the mapping, the matching and the import never parse
it again. The header row is found among the first rows (a title above it is fine) and
each column's role is proposed from its header: the unit's code, name, township and
county, and each indicator by its name or code. A row's unit is found by its code, else
by its name without 「村委会/居委会」 and the like, narrowed by its township and county;
a row whose unit matches none or several, or whose value cannot be read as a number, is
listed by its Excel row for the user to resolve (choose the unit, or skip the row with a
reason). Every row is then imported or counted skipped with its reason.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from xuncha.accounts.access import allowed
from xuncha.accounts.models import User
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.units.models import Unit, UnitKind

from .models import BatchStatus, ImportBatch, Indicator, IndicatorValue

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000  # a department's list of villages runs to a few thousand rows
HEADER_ROWS = 10  # the header is looked for among the first rows
MAX_CANDIDATES = 8
MAX_PROBLEMS = 20
ACCEPTED = (".xlsx", ".xls", ".csv")

ROLE_LABELS = {
    "unit_code": "单位编码",
    "unit_name": "单位名称",
    "township": "所属乡镇",
    "county": "所属县市区",
    "": "不导入",
}
_SYNONYMS = {
    "unit_code": ("单位编码", "编码", "单位代码", "代码", "村社区编码", "村居编码", "村编码",
                  "社区编码", "区划代码", "行政区划代码", "统一社会信用代码"),
    "unit_name": ("单位名称", "名称", "单位", "村社区", "村社区名称", "村居", "村居名称",
                  "村名", "村名称", "社区名称", "村委会", "村委会名称", "村居委会",
                  "村居委会名称", "被考评单位", "被考核单位", "村别"),
    "township": ("所属乡镇", "乡镇", "乡镇街道", "所属乡镇街道", "街道", "乡镇名称",
                 "所属街道", "镇街", "所属镇街"),
    "county": ("所属县市区", "县市区", "区县", "县区", "县市", "所属区县", "县市区名称"),
}  # fmt: skip
_NOT_DATA = re.compile(r"^(合计|总计|小计|制表|填表|审核|负责人|备注|说明|注[:：]|单位负责人)")
_BLANKS = str.maketrans("", "", " \t\r\n\u3000")


def _light(text: str) -> str:
    """A header or name compared loosely: NFKC, no spaces, no brackets."""
    text = unicodedata.normalize("NFKC", text).translate(_BLANKS)
    return re.sub(r"[()（）\[\]【】<>《》、/·]", "", text)


def _bare(text: str) -> str:
    """A header without the unit in its brackets: 「信访件数（件）」 → 「信访件数」."""
    text = unicodedata.normalize("NFKC", text).translate(_BLANKS)
    return _light(re.sub(r"\([^)]*\)$", "", text)) or _light(text)


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


# -- reading ---------------------------------------------------------------------------------


def _read(data: bytes, name: str) -> tuple[str, list[list[str]]]:
    """(sheet name, every row as text) of the file (a workbook's first sheet, or a CSV
    in UTF-8 or GBK), read in the sandbox; any reason it cannot be read is a
    ServiceError naming the file."""
    from xuncha.crosscheck.errors import InputError

    from .reading import read_isolated

    if not data:
        raise ServiceError(f"「{name}」是空文件。")
    try:
        return read_isolated(data, name=name)
    except InputError as err:
        text = str(err)
        raise ServiceError(text if name in text else f"「{name}」无法读取：{text}") from err


def _indicator_keys() -> dict[str, str]:
    """Loose header text -> indicator code: each indicator's name, code and the
    catalogue's synonyms for it."""
    keys: dict[str, str] = {}
    for ind in Indicator.objects.all():
        keys.setdefault(_bare(ind.name), ind.code)
        keys.setdefault(_light(ind.code).lower(), ind.code)
    for code, names in _catalogue_synonyms().items():
        if code in keys.values():
            for name in names:
                keys.setdefault(_bare(name), code)
    return keys


def _catalogue_synonyms() -> dict[str, list[str]]:
    """Other headers the shipped catalogue knows for an indicator (「考评结果」…)."""
    from .spec import shipped_catalogue

    return {d["code"]: list(d.get("synonyms", [])) for d in shipped_catalogue()}


def _role_of(header: str, indicators: dict[str, str]) -> str:
    bare = _bare(header)
    if not bare:
        return ""
    light = _light(header)
    for role, names in _SYNONYMS.items():
        if light in names or bare in names:  # 「村（社区）」 is 村社区, not 村 in 社区
            return role
    if bare in indicators or bare.lower() in indicators:
        return f"indicator:{indicators.get(bare) or indicators[bare.lower()]}"
    # 「2024年信访件数」 or 「党组织考评等次（1-4）」: a header containing an indicator's name.
    hits = {code for key, code in indicators.items() if len(key) >= 3 and key in bare}
    return f"indicator:{hits.pop()}" if len(hits) == 1 else ""


def unique_headers(row: list[str], width: int) -> list[str]:
    """The header row's cells as column labels: a blank one is 「第 N 列」, a repeated
    one carries its column number, so each column has its own label."""
    out: list[str] = []
    for i in range(width):
        text = (row[i] if i < len(row) else "").strip()
        label = text or f"（第 {i + 1} 列）"
        if label in out:
            label = f"{text}（第 {i + 1} 列）"
        out.append(label)
    return out


def find_header(rows: list[list[str]]) -> tuple[int, list[str], dict[str, str]]:
    """(header row index, column labels, proposed mapping): the row among the first
    :data:`HEADER_ROWS` whose cells name a unit column and the most known columns; if
    none does, the first row of two or more text cells (the user then maps by hand)."""
    indicators = _indicator_keys()
    width = max((len(r) for r in rows), default=0)
    best: tuple[int, int] | None = None
    for i, row in enumerate(rows[:HEADER_ROWS]):
        roles = [_role_of(c, indicators) for c in row]
        if not {"unit_code", "unit_name"} & set(roles):
            continue
        score = sum(bool(r) for r in roles)
        if best is None or score > best[1]:
            best = (i, score)
    if best is None:
        texts = [
            i for i, row in enumerate(rows[:HEADER_ROWS])
            if sum(bool(c) for c in row) >= 2 and not any(parse_number(c) is not None for c in row if c)
        ]  # fmt: skip
        filled = [i for i, row in enumerate(rows) if any(row)]
        if not filled:
            raise ServiceError("文件中没有任何内容，请检查后重新上传。")
        best = ((texts or filled)[0], 0)
    index = best[0]
    headers = unique_headers(rows[index], width)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for label, cell in zip(headers, rows[index] + [""] * width, strict=False):
        role = _role_of(cell, indicators)
        if role in taken:  # a second 「名称」 column is not a second unit name
            role = ""
        if role:
            taken.add(role)
        mapping[label] = role
    return index, headers, mapping


# -- staging ---------------------------------------------------------------------------------


def _require(by: User) -> None:
    if not allowed(by, "risk.manage"):
        raise PermissionDenied("只有巡察办可以导入部门数据。")


def _staged(batch: ImportBatch) -> None:
    if batch.status != BatchStatus.STAGED:
        raise ServiceError(f"该批数据{batch.get_status_display()}，不能再修改。")


def stage(*, by: User, department: str, year: int, data: bytes, name: str) -> ImportBatch:
    """Read the uploaded file (in the sandbox) and keep it as a staged batch with the
    proposed column mapping; nothing reaches the profiles until :func:`commit`."""
    _require(by)
    department, name = department.strip(), (name.strip() or "部门数据")[:255]
    if not department:
        raise ServiceError("请填写提供数据的部门。")
    if not 1990 <= int(year) <= 2100:
        raise ServiceError(f"数据年度「{year}」不对，应为四位年份，如 2024。")
    if not name.lower().endswith(ACCEPTED):
        raise ServiceError(f"「{name}」不是可导入的文件：只接受 Excel（xlsx、xls）或 CSV 文件。")
    if len(data) > MAX_BYTES:
        raise ServiceError(f"「{name}」过大（上限 {MAX_BYTES // 2**20} MB）。")
    digest = hashlib.sha256(data).hexdigest()
    earlier = ImportBatch.objects.filter(sha256=digest, year=year).exclude(
        status=BatchStatus.CANCELLED
    ).first()  # fmt: skip
    if earlier is not None:
        raise ServiceError(
            f"「{name}」与 {earlier.created_at:%Y-%m-%d %H:%M} 上传的「{earlier.file_name}」"
            f"内容相同（{earlier.get_status_display()}），未重复上传。"
        )
    sheet, rows = _read(data, name)
    if len(rows) > MAX_ROWS:
        raise ServiceError(
            f"「{name}」有 {len(rows)} 行，超过 {MAX_ROWS} 行的上限：部门数据应为一单位一行，"
            "请检查是否选错了文件。"
        )
    index, _, mapping = find_header(rows)
    with transaction.atomic():
        batch = ImportBatch(
            department=department[:100], year=year, file_name=name, sha256=digest,
            sheet=sheet[:100], mapping=mapping, cells=rows, header_row=index, uploaded_by=by,
        )  # fmt: skip
        batch.file.save(digest, ContentFile(data), save=False)
        batch.rows_total = len(_data_rows(batch))
        batch.save()
    return batch


def set_mapping(*, by: User, batch: ImportBatch, mapping: Mapping[str, str | None]) -> ImportBatch:
    """The user's column mapping: each column label -> a role (see :data:`ROLE_LABELS`)
    or ``indicator:<code>``, or "" (not imported)."""
    _require(by)
    _staged(batch)
    headers = columns(batch)
    codes = set(Indicator.objects.values_list("code", flat=True))
    clean: dict[str, str] = {}
    seen: dict[str, str] = {}
    problems: list[str] = []
    for label in headers:
        role = (mapping.get(label) or "").strip()
        known = role in ROLE_LABELS or (role.startswith("indicator:") and role[10:] in codes)
        if not known:
            problems.append(f"列「{label}」的对应「{role}」无法识别")
            continue
        if role and role in seen:
            problems.append(f"列「{label}」和列「{seen[role]}」都对应「{role_label(role)}」")
        if role:
            seen.setdefault(role, label)
        clean[label] = role
    unknown = set(mapping) - set(headers)
    if unknown:
        problems.append("文件中没有这些列：" + "、".join(sorted(unknown)))
    if not {"unit_code", "unit_name"} & set(clean.values()):
        problems.append("至少要有一列对应“单位编码”或“单位名称”")
    if not any(r.startswith("indicator:") for r in clean.values()):
        problems.append("至少要有一列对应一项指标")
    if problems:
        raise ServiceError("列对应未保存：" + "；".join(problems) + "。")
    batch.mapping = clean
    batch.save(update_fields=["mapping", "updated_at"])
    return batch


def set_header(*, by: User, batch: ImportBatch, row: int) -> ImportBatch:
    """Take Excel row ``row`` as the header (when the one found is not): the mapping is
    proposed again from it and the choices made for rows are dropped."""
    _require(by)
    _staged(batch)
    if not 1 <= row <= min(len(batch.cells), 50) or not any(batch.cells[row - 1]):
        raise ServiceError(f"第 {row} 行不能作为表头：表头应为文件前 50 行中有内容的一行。")
    indicators = _indicator_keys()
    batch.header_row = row - 1
    batch.mapping = {}
    taken: set[str] = set()
    for label, cell in zip(columns(batch), batch.cells[row - 1] + [""] * 1000, strict=False):
        role = _role_of(cell, indicators)
        batch.mapping[label] = "" if role in taken else role
        if role:
            taken.add(role)
    batch.resolutions = {}
    batch.rows_total = len(_data_rows(batch))
    batch.save(update_fields=["header_row", "mapping", "resolutions", "rows_total", "updated_at"])
    return batch


def role_label(role: str) -> str:
    if role.startswith("indicator:"):
        ind = Indicator.objects.filter(code=role[10:]).first()
        return f"指标：{ind.name if ind else role[10:]}"
    return ROLE_LABELS.get(role, role)


def columns(batch: ImportBatch) -> list[str]:
    """The batch's column labels (:func:`unique_headers` of its header row)."""
    width = max((len(r) for r in batch.cells), default=0)
    header = batch.cells[batch.header_row] if batch.cells else []
    return unique_headers(header, width)


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


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def parse_number(text: str, unit_label: str = "") -> float | None:
    """A cell as a number: 「1,234」, 「１２」, 「12件」 (its unit), 「85%」 (as 85); None if
    it is text such as 「无」 or 「—」."""
    t = unicodedata.normalize("NFKC", text).translate(_BLANKS).replace(",", "")
    for suffix in (unit_label, "%", "件", "个", "次", "万元", "元", "人", "户", "亩", "年"):
        if suffix and t.endswith(suffix) and len(t) > len(suffix):
            t = t[: -len(suffix)]
            break
    return float(t) if _NUMBER.match(t) else None


def _data_rows(batch: ImportBatch) -> list[tuple[int, list[str]]]:
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
    for number, cells in _data_rows(batch):
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
    sample = [cells for _, cells in _data_rows(batch)[:10]]
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


# -- resolving and importing -----------------------------------------------------------------


def _fresh(batch: ImportBatch) -> None:
    """Lock the batch and take its latest status and choices (two people resolving rows
    at once each keep the other's choice); call inside a transaction."""
    row = ImportBatch.objects.select_for_update().values("status", "resolutions").get(pk=batch.pk)
    batch.status, batch.resolutions = row["status"], row["resolutions"]
    _staged(batch)


def resolve(
    *, by: User, batch: ImportBatch, row: int, unit: Unit | None = None, skip_reason: str = ""
) -> ImportBatch:
    """The user's choice for an Excel row: its unit, or to skip it with a reason."""
    _require(by)
    _staged(batch)
    numbers = {n for n, _ in _data_rows(batch)}
    if row not in numbers:
        raise ServiceError(f"文件中没有第 {row} 行数据。")
    reason = skip_reason.strip()
    if unit is None and not reason:
        raise ServiceError(f"第 {row} 行：跳过须填写理由。")
    with transaction.atomic():
        _fresh(batch)
        batch.resolutions[str(row)] = unit.pk if unit is not None else {"skip": reason[:300]}
        batch.save(update_fields=["resolutions", "updated_at"])
    return batch


def unresolve(*, by: User, batch: ImportBatch, row: int) -> ImportBatch:
    """Undo the user's choice for a row (it is matched again as the file says)."""
    _require(by)
    with transaction.atomic():
        _fresh(batch)
        batch.resolutions.pop(str(row), None)
        batch.save(update_fields=["resolutions", "updated_at"])
    return batch


def _source(batch: ImportBatch, row: int, header: str) -> str:
    sheet = f" · {batch.sheet}" if batch.sheet else ""
    return f"{batch.department} · {batch.file_name}{sheet} · 第 {row} 行 · 「{header}」"[:300]


def commit(*, by: User, batch: ImportBatch) -> ImportBatch:
    """Import every resolved row: all or nothing. Refused, naming the rows, while any
    row is unresolved; a value replaces the earlier one of the unit, indicator and year."""
    _require(by)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        _staged(batch)
        roles = set(batch.mapping.values())
        if not {"unit_code", "unit_name"} & roles or not any(
            r.startswith("indicator:") for r in roles
        ):
            raise ServiceError(
                "列对应不完整，未导入任何数据：至少要有一列对应“单位编码”或“单位名称”，"
                "一列对应一项指标。"
            )
        p = preview(batch)
        pending = p.pending
        if pending:
            listed = "；".join(f"第 {r.row} 行（{r.label}）：{r.problem}"
                              for r in pending[:MAX_PROBLEMS])  # fmt: skip
            more = f"……等共 {len(pending)} 行" if len(pending) > MAX_PROBLEMS else ""
            raise ServiceError(f"还有 {len(pending)} 行未处理，未导入任何数据：{listed}{more}。")
        indicators = {i.code: i for i in Indicator.objects.all()}
        header_of = {role[10:]: h for h, role in p.mapping.items() if role.startswith("indicator:")}
        new: list[IndicatorValue] = []
        by_indicator: dict[str, list[int]] = defaultdict(list)
        imported = 0
        for r in p.rows:
            if r.skip or r.unit is None:
                continue
            imported += 1
            for code, value in r.values.items():
                by_indicator[code].append(r.unit.pk)
                new.append(IndicatorValue(
                    unit=r.unit, indicator=indicators[code], year=batch.year, value=value,
                    batch=batch, source=_source(batch, r.row, header_of[code]),
                ))  # fmt: skip
        for code, unit_ids in by_indicator.items():
            IndicatorValue.objects.filter(
                indicator=indicators[code], year=batch.year, unit_id__in=unit_ids
            ).delete()
        IndicatorValue.objects.bulk_create(new, batch_size=2000)
        batch.status = BatchStatus.IMPORTED
        batch.rows_total = len(p.rows)
        batch.rows_imported = imported
        batch.skipped = [{"row": r.row, "unit": r.label, "reason": r.skip} for r in p.skipped]
        batch.imported_by, batch.imported_at = by, timezone.now()
        batch.save()
    return batch


def cancel(*, by: User, batch: ImportBatch) -> ImportBatch:
    """Drop a staged batch (kept, marked cancelled; nothing was imported from it)."""
    _require(by)
    _staged(batch)
    batch.status = BatchStatus.CANCELLED
    batch.save(update_fields=["status", "updated_at"])
    return batch
