"""A department workbook's header: the row it is on, each column's label and the role
proposed for it (the unit's code, name, township, county, or an indicator by its name,
code or one of the catalogue's synonyms), and numbers read from cells as people type them."""

from __future__ import annotations

import re
import unicodedata

from xuncha.common.errors import ServiceError

from ..models import ImportBatch, Indicator
from ..spec import shipped_catalogue

HEADER_ROWS = 10  # the header is looked for among the first rows

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
_BLANKS = str.maketrans("", "", " \t\r\n\u3000")


def _light(text: str) -> str:
    """A header or name compared loosely: NFKC, no spaces, no brackets."""
    text = unicodedata.normalize("NFKC", text).translate(_BLANKS)
    return re.sub(r"[()（）\[\]【】<>《》、/·]", "", text)


def _bare(text: str) -> str:
    """A header without the unit in its brackets: 「信访件数（件）」 → 「信访件数」."""
    text = unicodedata.normalize("NFKC", text).translate(_BLANKS)
    return _light(re.sub(r"\([^)]*\)$", "", text)) or _light(text)


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
