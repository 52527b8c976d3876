"""Column roles, and how they are recognised from the headers people really write.

A role is what a column *means* to the rules (the payee's name, the ID number, the
payment date …). Headers vary by county and by year; this module maps a header text to
a role, finds the header row below title and unit rows, and joins a two-row header
whose top cells are merged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

HEAD_ROWS = 40
"""How many rows from the top are searched for the header."""

ROLES: dict[str, str] = {
    "name": "姓名",
    "id_number": "身份证号码",
    "amount": "金额",
    "payment_date": "发放日期",
    "year": "年度",
    "death_date": "死亡日期",
    "start_date": "入职时间",
    "end_date": "离职时间",
    "county": "县市区",
    "township": "乡镇",
    "village": "村",
    "bank_account": "银行账号",
    "employer": "工作单位",
    # The registers and lists of the other programs (see :mod:`.programs`); each is
    # normalised by its kind (:data:`KINDS`) into a column of ``norm`` named after it.
    "category": "保障类别",
    "plate": "号牌号码",
    "vehicle_value": "车辆价值",
    "register_date": "登记日期",
    "cancel_date": "注销日期",
    "company": "企业名称",
    "position": "人员身份",
    "land_id": "地块编号",
    "area": "面积",
    "zone": "区片",
    "land_class": "地类",
    "basic_farmland": "是否永久基本农田",
    "restored": "是否恢复属性",
    "announce_date": "征收土地公告日期",
    "approve_date": "批准日期",
    "fee_kind": "款项",
}
"""Every role the engine knows, with its Chinese label."""

KINDS: dict[str, str] = {
    "county": "text",  # a parcel's 县市区 prices it (a person's stays in raw, for display)
    "category": "text",
    "plate": "code",
    "vehicle_value": "amount",
    "register_date": "date",
    "cancel_date": "date",
    "company": "text",
    "position": "text",
    "land_id": "code",
    "area": "area",
    "zone": "code",
    "land_class": "text",
    "basic_farmland": "flag",
    "restored": "flag",
    "announce_date": "date",
    "approve_date": "date",
    "fee_kind": "code",
}
"""How each role added for the other programs is normalised (:func:`.normalize.extra_columns`):
``text`` trimmed; ``code`` trimmed, full-width to ASCII, upper case, no spaces;
``amount`` in 元 (600元, 1.2万元); ``area`` in 亩 (2.5亩); ``flag`` 是/否 as a boolean;
``date`` as any date the engine reads. The roles of the reservoir program are
normalised by the columns they have always had (``pay_date``, ``amount`` …); a
program that recognises ``county`` gets it in ``norm`` too."""

# Exact header texts first (after normalise_header), in priority order within a role:
# when two columns match one role, the earlier synonym wins (移民姓名 beats 户主姓名,
# because the resettled person, not the household head, is the payee).
_EXACT: dict[str, tuple[str, ...]] = {
    "name": (
        "姓名",
        "移民姓名",
        "领取人姓名",
        "收款人姓名",
        "享受人姓名",
        "人员姓名",
        "补助对象姓名",
        "死者姓名",
        "职工姓名",
        "户主姓名",
        "户主",
        "领取人",
        "收款人",
    ),
    "id_number": (
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "公民身份证号码",
        "居民身份证号码",
        "身份证件号码",
        "证件号码",
        "身份证",
        "领取人身份证号码",
        "户主身份证号码",
    ),
    "amount": (
        "发放金额",
        "金额",
        "补助金额",
        "补贴金额",
        "实发金额",
        "发放资金",
        "直补资金",
        "直补金额",
        "补助资金",
        "实发",
        "发放数",
    ),
    "payment_date": (
        "发放日期",
        "发放时间",
        "拨付日期",
        "拨付时间",
        "支付日期",
        "支付时间",
        "发放年月",
        "兑付日期",
        "打卡日期",
    ),
    "year": ("年度", "发放年度", "补助年度", "年份"),
    "death_date": ("死亡日期", "死亡时间", "死亡年月日"),
    "start_date": (
        "入职时间",
        "入职日期",
        "参加工作时间",
        "参加工作日期",
        "起始日期",
        "开始日期",
        "供养开始日期",
        "任职时间",
    ),
    "end_date": ("离职时间", "离职日期", "终止日期", "结束日期", "供养终止日期", "减员日期"),
    "county": ("县市区", "县(市、区)", "县(市区)", "区县", "县区", "所属县市区"),
    "township": ("乡镇", "乡镇(街道)", "乡(镇)", "乡镇街道", "所属乡镇", "街道"),
    "village": ("村", "村(社区)", "村组", "所在村", "村名", "社区", "村(居)"),
    "bank_account": (
        "银行账号",
        "银行卡号",
        "账号",
        "卡号",
        "一卡通账号",
        "社保卡号",
        "存折账号",
        "收款账号",
    ),
    "employer": ("工作单位", "单位名称", "所在单位", "供养单位"),
    "category": ("保障类别", "救助类别", "类别", "人员类别", "保障类型", "对象类别"),
    "plate": ("号牌号码", "车牌号码", "车牌号", "号牌", "车牌"),
    "vehicle_value": (
        "车辆价值",
        "车辆价格",
        "购置价格",
        "购车价格",
        "车价",
        "发票价格",
        "车辆购置价",
    ),
    "register_date": (
        "登记日期",
        "初次登记日期",
        "注册登记日期",
        "登记时间",
        "成立日期",
        "任职日期",
        "注册日期",
    ),
    "cancel_date": ("注销日期", "注销时间", "吊销日期", "退出日期", "离任日期"),
    "company": ("企业名称", "公司名称", "市场主体名称", "商事主体名称"),
    "position": ("人员身份", "职务", "身份", "人员类型", "投资人类型", "任职类型"),
    "land_id": ("地块编号", "地块编码", "承包地块编码", "宗地编号", "地块代码", "地块号"),
    "area": (
        "面积",
        "补贴面积",
        "确权面积",
        "承包面积",
        "合同面积",
        "征收面积",
        "计税面积",
        "实测面积",
    ),
    "zone": ("区片", "征地区片", "片区", "区片编号", "所在区片"),
    "land_class": ("地类", "土地类别", "地类名称", "土地用途"),
    "basic_farmland": ("是否永久基本农田", "永久基本农田", "是否基本农田"),
    "restored": ("是否恢复属性", "恢复属性", "是否恢复属性地类"),
    "announce_date": ("征收土地公告日期", "征地公告日期", "公告日期", "征收公告日期"),
    "approve_date": ("批准日期", "审批日期", "批复日期", "征地批准日期"),
    "fee_kind": ("款项", "款项名称", "费用类别", "补偿类别", "费用名称", "补偿项目"),
}

# Fallback: a header that contains one of these fragments (checked when no exact match).
_CONTAINS: tuple[tuple[str, str], ...] = (
    ("death_date", "死亡"),
    ("id_number", "身份证"),
    ("id_number", "身份号码"),
    ("id_number", "证件号"),
    ("name", "姓名"),
    ("payment_date", "发放日期"),
    ("payment_date", "发放时间"),
    ("payment_date", "拨付"),
    ("start_date", "入职"),
    ("end_date", "离职"),
    ("amount", "金额"),
    ("bank_account", "账号"),
    ("bank_account", "卡号"),
    ("year", "年度"),
    ("area", "面积"),
    ("land_id", "地块"),
)

_UNIT_SUFFIX = re.compile(r"\((元|人民币元|万元|单位:元|亩|单位:亩)\)$")
_FULL_TO_HALF = str.maketrans("（）：，　", "():, ")


def normalise_header(text: object) -> str:
    """Header text as compared: no spaces or line breaks, half-width brackets, no unit."""
    if text is None:
        return ""
    s = str(text).translate(_FULL_TO_HALF)
    s = re.sub(r"[\s*※]+", "", s)
    return _UNIT_SUFFIX.sub("", s)


def role_of(header: str, extra: dict[str, str] | None = None) -> tuple[str, int] | None:
    """(role, rank) for a normalised header; a lower rank is a better match."""
    if extra and header in extra:
        return extra[header], -1
    for role, names in _EXACT.items():
        if header in names:
            return role, names.index(header)
    for i, (role, fragment) in enumerate(_CONTAINS):
        if fragment in header:
            return role, 100 + i
    return None


@dataclass
class HeaderLayout:
    """Where a table's header is and which column holds which role."""

    header_rows: tuple[int, ...]  # 0-based indexes of the header rows in the sheet/file
    columns: dict[str, int]  # role -> 0-based column index
    headers: list[str] = field(default_factory=list)  # header text per column, as joined
    wan: set[str] = field(default_factory=set)  # amount roles whose header says 万元

    @property
    def data_start(self) -> int:
        """0-based index of the first row after the header."""
        return self.header_rows[-1] + 1


def _assign(headers: Sequence[str], extra: dict[str, str] | None) -> dict[str, int]:
    best: dict[str, tuple[int, int]] = {}
    ids: list[tuple[int, int]] = []  # (rank, column) of every ID-number column
    for col, text in enumerate(headers):
        found = role_of(text, extra)
        if found is None or found[0] == "ignore":
            continue
        role, rank = found
        if role == "id_number":
            ids.append((rank, col))
        if role not in best or rank < best[role][0]:
            best[role] = (rank, col)
    columns = {role: col for role, (_, col) in best.items()}
    # A list with the household head's and the payee's columns (户主姓名, 户主身份证号码,
    # 移民姓名, 移民身份证号码): the ID is the one of whoever the name column names.
    if "name" in columns and len(ids) > 1:
        whose = headers[columns["name"]].removesuffix("姓名")
        own = sorted((rank, col) for rank, col in ids if whose and headers[col].startswith(whose))
        if own:
            columns["id_number"] = own[0][1]
    return columns


PERSON_KEYS = ("name", "id_number")
"""The roles that say whose a row is, in a list of people (a row with neither is not
data); a program's other lists name theirs (a parcel list: its 地块编号)."""


def _score(columns: dict[str, int], keys: Sequence[str] = PERSON_KEYS) -> int:
    if not any(k in columns for k in keys):
        return 0
    return len(columns)


def _joined(top: Sequence[str], bottom: Sequence[str]) -> list[str]:
    """A two-row header: a bottom cell names its column; else the (merged) top cell does."""
    width = max(len(top), len(bottom))
    top = list(top) + [""] * (width - len(top))
    bottom = list(bottom) + [""] * (width - len(bottom))
    return [b or t for t, b in zip(top, bottom, strict=True)]


def find_header(
    rows: Sequence[Sequence[object]],
    extra: dict[str, str] | None = None,
    header_row: int | None = None,
    keys: Sequence[str] = PERSON_KEYS,
) -> HeaderLayout | None:
    """Find the header among the first rows of a table.

    ``rows`` are the first rows as read (title, unit and blank rows included);
    ``header_row`` (0-based), when the user gave one, is taken as the last header row.
    Returns None when no row names at least one of the ``keys`` columns (a name or an
    ID, in a list of people).
    """
    texts = [[normalise_header(c) for c in row] for row in rows]
    singles = [_assign(t, extra) for t in texts]
    candidates = [header_row] if header_row is not None else range(len(texts))
    best: HeaderLayout | None = None
    best_score = 1  # a header must name at least two roles, one of them a key
    for r in candidates:
        if r >= len(texts):
            continue
        layouts: list[tuple[tuple[int, ...], list[str], dict[str, int]]] = [
            ((r,), texts[r], singles[r])
        ]
        # A two-row header counts only when it names more than either row alone does.
        for top in (r - 1, r) if header_row is not None else (r,):
            if top < 0 or top + 1 >= len(texts):
                continue
            joined = _joined(texts[top], texts[top + 1])
            cols = _assign(joined, extra)
            if _score(cols, keys) > max(_score(singles[top], keys), _score(singles[top + 1], keys)):
                layouts.append(((top, top + 1), joined, cols))
        for idx, headers, cols in layouts:
            if _score(cols, keys) > best_score:
                best_score = _score(cols, keys)
                best = HeaderLayout(header_rows=idx, columns=cols, headers=list(headers))
    return best
