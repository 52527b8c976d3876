"""The 疑点核查表 a team hands to the unit, and reading it back filled in.

Each row carries the suspect's number, its key (the same in every run of the team)
and the version it was exported at (hidden columns), so a returned workbook is matched
to its suspects exactly, in whichever run they now are, and a
suspect changed on screen after the export is reported as a conflict, not overwritten.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db.models import QuerySet

from xuncha.common.errors import ServiceError
from xuncha.crosscheck.linking import TIER_LABELS
from xuncha.crosscheck.report import TEXT_ONLY

from .models import CheckRun, Suspect, Verdict

SHEET = "疑点核查"
HEADER_ROW = 2  # 0-based: title, note, header
MAX_ERRORS = 20
VERDICT_TEXT = {Verdict.CONFIRMED: "属实", Verdict.REJECTED: "不属实", Verdict.PENDING: "待核实"}
VERDICT_OF = {"属实": Verdict.CONFIRMED, "部分属实": Verdict.CONFIRMED, "确认": Verdict.CONFIRMED,
              "是": Verdict.CONFIRMED, "不属实": Verdict.REJECTED, "否": Verdict.REJECTED,
              "排除": Verdict.REJECTED, "待核实": Verdict.PENDING, "": Verdict.PENDING}  # fmt: skip

# (header, width); the first three are hidden and must not be edited.
COLUMNS = [
    ("疑点编号", 8), ("校验码", 9), ("版本", 5), ("疑点类型", 14), ("文件", 26), ("工作表", 10),
    ("行号", 6), ("姓名", 9), ("身份证号码", 20), ("金额（元）", 10), ("发放日期", 11),
    ("县市区", 9), ("乡镇", 10), ("村（社区）", 10), ("匹配方式", 18), ("疑点依据", 50),
    ("比对名单记录", 30),
]  # fmt: skip
VERIFY = [("核查结论", 10), ("应追回金额（元）", 13), ("已追回金额（元）", 13), ("核查说明", 30)]


def mask(id_number: str) -> str:
    """430***********1234, as DESIGN.md shows ID numbers by default."""
    if len(id_number) <= 7:
        return "*" * len(id_number)
    return id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]


def register_text(s: Suspect) -> str:
    if not s.register_file:
        return ""
    where = "，".join(
        x for x in (s.register_file, s.register_sheet, f"第 {s.register_row} 行") if x
    )
    return where


def export(run: CheckRun, suspects: QuerySet[Suspect], *, unmask: bool) -> bytes:
    """The workbook for ``suspects`` (already filtered and permitted by the caller)."""
    import xlsxwriter

    out = io.BytesIO()
    # Names, files, sheets and programs come from the lists sent in: text, never formulas.
    wb = xlsxwriter.Workbook(out, {"in_memory": True, **TEXT_ONLY})
    base = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter"}
    f = {
        "title": wb.add_format({"bold": True, "font_size": 14, "font_name": "黑体"}),
        "note": wb.add_format({"font_size": 9, "font_color": "#555555"}),
        "head": wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "text_wrap": True}),
        "verify": wb.add_format({**base, "bold": True, "bg_color": "#FFF2CC"}),
        "cell": wb.add_format(base),
        "wrap": wb.add_format({**base, "text_wrap": True}),
        "money": wb.add_format({**base, "num_format": "#,##0.00"}),
        "date": wb.add_format({**base, "num_format": "yyyy-mm-dd"}),
        "input": wb.add_format({**base, "bg_color": "#FFFBEA"}),
        "input_money": wb.add_format({**base, "bg_color": "#FFFBEA", "num_format": "#,##0.00"}),
    }
    ws = wb.add_worksheet(SHEET)
    program = run.title
    ws.write_string(0, 0, f"{program}数据比对疑点核查表（第 {run.number} 次比对）", f["title"])
    ws.write_string(1, 0, "请在黄色列填写核查结论（属实 / 不属实 / 待核实）、应追回金额、已追回金额和说明；"
             "前三列为系统校验用，请勿修改或删除。身份证号码" + ("完整显示，请按涉密要求保管。" if unmask
             else "已遮蔽。"), f["note"])  # fmt: skip
    for c, (head, width) in enumerate(COLUMNS):
        ws.set_column(c, c, width, None, {"hidden": c < 3})
        ws.write_string(HEADER_ROW, c, head, f["head"])
    first = len(COLUMNS)
    for j, (head, width) in enumerate(VERIFY):
        ws.set_column(first + j, first + j, width)
        ws.write_string(HEADER_ROW, first + j, head, f["verify"])
    r = HEADER_ROW
    for s in suspects.order_by("number").iterator(chunk_size=2000):
        r += 1
        values = [
            (s.number, "cell"), (s.key, "cell"), (s.version, "cell"),
            (s.rule_title, "cell"), (s.file, "cell"), (s.sheet, "cell"),
            (s.row, "cell"), (s.name, "cell"), (s.id_number if unmask else mask(s.id_number), "cell"),
            (s.amount, "money"), (s.payment_date, "date"), (s.county, "cell"), (s.township, "cell"),
            (s.village, "cell"), (TIER_LABELS.get(s.match_tier, s.match_tier), "cell"),
            (s.evidence, "wrap"), (register_text(s), "wrap"),
            (VERDICT_TEXT[Verdict(s.verdict)], "input"), (s.improper_amount, "input_money"),
            (s.recovered_amount, "input_money"), (s.note, "input"),
        ]  # fmt: skip
        for c, (value, style) in enumerate(values):
            if value is None or value == "":
                ws.write_blank(r, c, None, f[style])
            elif style == "date":
                ws.write_datetime(r, c, value, f[style])
            elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
                ws.write_number(r, c, float(value), f[style])
            else:
                ws.write_string(r, c, str(value), f[style])
    last = max(r, HEADER_ROW + 1)
    ws.freeze_panes(HEADER_ROW + 1, 8)
    ws.autofilter(HEADER_ROW, 0, last, first + len(VERIFY) - 1)
    ws.data_validation(HEADER_ROW + 1, first, last, first,
                       {"validate": "list", "source": ["属实", "不属实", "待核实"]})  # fmt: skip
    for c in (first + 1, first + 2):
        ws.data_validation(HEADER_ROW + 1, c, last, c,
                           {"validate": "decimal", "criteria": ">=", "value": 0})  # fmt: skip
    wb.close()
    return out.getvalue()


def _amount(text: str, line: int, label: str, errors: list[str]) -> Decimal | None:
    text = re.sub(r"[\s,，元￥¥]", "", text)
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.append(f"第 {line} 行：{label}「{text}」不是金额")
        return None
    if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
        errors.append(f"第 {line} 行：{label}「{text}」不是有效金额")
        return None
    return value.quantize(Decimal("0.01"))


def read(path: Path, name: str) -> list[dict[str, Any]]:
    """The verification rows of a returned workbook; ServiceError naming every bad row
    (up to 20) if any row cannot be read, so nothing is imported from a half-good file."""
    from xuncha.crosscheck import InputError
    from xuncha.crosscheck.preview import sheet_rows_isolated

    from .services import check_verification

    try:  # in a child process with limits: the returned file is untrusted
        table = sheet_rows_isolated(str(path), name=name, prefer=SHEET)
    except InputError as err:
        raise ServiceError(str(err)) from err
    header = next(
        (i for i, row in enumerate(table[:20]) if "疑点编号" in row and "核查结论" in row), None
    )
    if header is None:
        raise ServiceError(
            f"「{name}」不是本系统导出的疑点核查表（找不到“疑点编号”和“核查结论”列）。"
        )
    cols = {h: i for i, h in enumerate(table[header]) if h}
    need = ["疑点编号", "校验码", "版本", *(h for h, _ in VERIFY)]
    missing = [h for h in need if h not in cols]
    if missing:
        raise ServiceError(
            f"「{name}」缺少列：{'、'.join(missing)}。请使用系统导出的核查表，不要删除列。"
        )
    rows, errors, seen = [], [], set()
    for i, row in enumerate(table[header + 1 :], start=header + 2):
        row = row + [""] * (len(cols) + 30 - len(row))
        number_text = row[cols["疑点编号"]].removesuffix(".0")
        if not number_text:
            continue
        if not number_text.isdigit():
            errors.append(f"第 {i} 行：疑点编号「{number_text}」不是数字")
            continue
        if number_text in seen:
            errors.append(f"第 {i} 行：疑点编号 {number_text} 重复出现")
            continue
        seen.add(number_text)
        verdict_text = row[cols["核查结论"]]
        if verdict_text not in VERDICT_OF:
            errors.append(f"第 {i} 行：核查结论「{verdict_text}」应为属实、不属实或待核实")
            continue
        improper = _amount(row[cols["应追回金额（元）"]], i, "应追回金额", errors)
        recovered = _amount(row[cols["已追回金额（元）"]], i, "已追回金额", errors)
        verdict = VERDICT_OF[verdict_text]
        try:
            check_verification(verdict, improper, recovered)
        except ServiceError as err:
            errors.append(f"第 {i} 行：{err}".rstrip("。"))
            continue
        version = row[cols["版本"]].removesuffix(".0")
        rows.append({
            "line": i, "number": int(number_text), "check": row[cols["校验码"]],
            "version": int(version) if version.isdigit() else -1, "verdict": verdict,
            "improper": improper, "recovered": recovered, "note": row[cols["核查说明"]][:2000],
        })  # fmt: skip
    if errors:
        more = f"等 {len(errors)} 处" if len(errors) > MAX_ERRORS else ""
        raise ServiceError(
            f"「{name}」有错误，未导入任何内容：{'；'.join(errors[:MAX_ERRORS])}{more}。"
        )
    if not rows:
        raise ServiceError(f"「{name}」中没有疑点行。")
    return rows
