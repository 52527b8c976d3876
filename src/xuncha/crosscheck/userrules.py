"""Rules users write (自定义比对模型): a small declarative TOML file compiled to a
:class:`~.rules.Rule`, without Python.

The file is data, never code: it names the program it extends, the inputs it reads
(the program's input ids), how a payment row meets a register row (``join``), conditions
on dates and amounts (``[[when]]``), an optional per-person-per-year grouping with
conditions on the group (``group``, ``[[having]]``) and the evidence sentence with
placeholders. Every name in it is checked against a whitelist (the inputs' columns,
the operators); every value and every piece of the evidence text is sent to the engine
as a bound parameter, never written into the SQL. So the SQL of a user rule is made of
this module's own text and whitelisted column names only, runs on DuckDB and Spark
alike, and reads nothing but the program's views.

See docs/user-rules.md for the form, with an example the tests run.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import string
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from .dialect import DuckDBDialect
from .errors import InputError
from .programs import PROGRAMS, Program, all_rules, program_of
from .roles import KINDS
from .rules import Params, Rule, _paid, _where, view_of

MAX_TEXT = 64_000  # characters of a rule file
MAX_CONDITIONS = 20
ID_PATTERN = re.compile(r"user_[a-z0-9_]{1,25}")  # fits a suspect's rule (30)
KEYS = ("id", "title", "version", "meaning", "basis", "program", "inputs", "join", "when",
        "group", "having", "evidence")  # fmt: skip
CONDITION_KEYS = ("left", "op", "right", "days", "value")
OPS = {">": ">", ">=": ">=", "<": "<", "<=": "<=", "=": "=", "==": "=", "!=": "<>", "<>": "<>"}
JOINS = {"id_number": "身份证号码（引擎的关联，含匹配方式）", "name": "规范化后的姓名"}
GROUPS = ("person_year",)
GROUP_COLUMNS = {"total": ("合计金额", "number"), "count": ("发放次数", "number")}
EVIDENCE_GROUP = {"total": "g.total", "count": "g.n", "year": "g.pay_year"}

# A role of an input and the column of the views it becomes, with its type.
_BASE_ROLES = {
    "amount": ("amount", "number"),
    "payment_date": ("pay_date", "date"),
    "year": ("pay_year", "number"),
    "death_date": ("death_date", "date"),
    "start_date": ("start_date", "date"),
    "end_date": ("end_date", "date"),
    "employer": ("employer", "text"),
}
_KIND_TYPES = {"date": "date", "amount": "number", "area": "number", "flag": "flag",
               "text": "text", "code": "text"}  # fmt: skip
# Every row has these (its place in the files).
_ROW_COLUMNS = {"file": "text", "sheet": "text", "row_no": "number"}
TYPE_NAMES = {"date": "日期", "number": "数值", "text": "文字", "flag": "是/否"}


def columns_of(spec: Program, input_id: str) -> dict[str, str]:
    """The columns a user rule may name for an input: column → type."""
    found = dict(_ROW_COLUMNS)
    for role in spec.input(input_id).roles:
        if role in _BASE_ROLES:
            column, kind = _BASE_ROLES[role]
            found[column] = kind
        elif role in KINDS:
            found[role] = _KIND_TYPES[KINDS[role]]
    if input_id == spec.inputs[0].id:
        found["pay_year"] = "number"  # the year a payment row is of (from its date or title)
        # A payment row's file and sheet are the hit's own columns (not in the views).
        del found["file"], found["sheet"]
    return found


@dataclass(frozen=True)
class UserRule(Rule):
    """A compiled user rule: its values are fixed by its file (bound, never formatted)."""

    values: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    program: str = ""
    text: str = field(default="", repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def bind(self, params: Params | None = None) -> Params:
        return dict(self.values)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "user_rule": True, "program": self.program,
                "sha256": self.sha256}  # fmt: skip


class _Lines:
    """Where a key is written: tomllib gives no positions, so the lines are scanned for
    table headers (``[group]``, ``[[when]]``) and ``key =`` at their start."""

    _HEADER = re.compile(r"\s*(\[\[?)\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"\s*([A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')\s*=")

    def __init__(self, text: str) -> None:
        self.keys: dict[tuple[str, int, str], int] = {}
        self.tables: dict[tuple[str, int], int] = {}
        table, index, counts = "", 0, dict[str, int]()
        in_multiline = False
        for no, line in enumerate(text.splitlines(), start=1):
            if in_multiline:
                in_multiline = line.count('"""') % 2 == 0 and line.count("'''") % 2 == 0
                continue
            header = self._HEADER.match(line)
            if header and not self._KEY.match(line):
                table = header.group(2).strip().strip("\"'")
                index = counts.get(table, 0)
                counts[table] = index + 1 if header.group(1) == "[[" else 0
                self.tables.setdefault((table, index), no)
                continue
            key = self._KEY.match(line)
            if key:
                self.keys.setdefault((table, index, key.group(1).strip("\"'")), no)
                rest = line[key.end() :]
                in_multiline = rest.count('"""') % 2 == 1 or rest.count("'''") % 2 == 1

    def of(self, key: str, table: str = "", index: int = 0) -> int | None:
        return self.keys.get((table, index, key)) or self.tables.get((table, index))


class _Compiler:
    def __init__(self, text: str, name: str) -> None:
        self.text, self.name = text, name
        self.lines = _Lines(text)
        self.values: dict[str, Any] = {}
        self.rule_id = ""

    def fail(self, message: str, key: str = "", table: str = "", index: int = 0) -> NoReturn:
        line = self.lines.of(key, table, index) if key or table else None
        where = f"第 {line} 行：" if line else ""
        raise InputError(f"自定义规则有误：{where}{message}", file=self.name)

    # ------------------------------------------------------------------ reading

    def read(self) -> dict[str, Any]:
        if len(self.text) > MAX_TEXT:
            self.fail(f"文件过大（{len(self.text)} 个字符，最多 {MAX_TEXT} 个）。")
        try:
            data = tomllib.loads(self.text)
        except RecursionError:
            self.fail("括号或表嵌套过深，不是一个规则文件。")
        except tomllib.TOMLDecodeError as err:
            found = re.search(r"line (\d+), column (\d+)", str(err))
            where = f"第 {found.group(1)} 行第 {found.group(2)} 列：" if found else ""
            raise InputError(
                f"自定义规则有误：{where}不是有效的 TOML（{err}）。", file=self.name
            ) from None
        unknown = [k for k in data if k not in KEYS]
        if unknown:
            self.fail(f"有未知的键「{unknown[0]}」（可用的键：{'、'.join(KEYS)}）。", unknown[0])
        return data

    def text_of(self, data: dict[str, Any], key: str, *, required: bool = True,
                limit: int = 200) -> str:  # fmt: skip
        value = data.get(key)
        if value is None:
            if required:
                self.fail(f"缺少「{key}」。")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(f"「{key}」应是一段不为空的文字（用英文双引号括起）。", key)
        if len(value) > limit:
            self.fail(f"「{key}」过长（最多 {limit} 个字符）。", key)
        if any(ord(c) < 32 and c not in "\n\t" for c in value):
            self.fail(f"「{key}」含有控制字符。", key)
        return value.strip()

    def bind(self, value: Any) -> str:
        name = f"{self.rule_id}__v{len(self.values)}"
        self.values[name] = value
        return name

    # ------------------------------------------------------------------ compiling

    def compile(self) -> UserRule:
        data = self.read()
        rule_id = self.text_of(data, "id", limit=60)
        if not ID_PATTERN.fullmatch(rule_id):
            self.fail(
                f"规则编号「{rule_id}」不合要求：应以 user_ 开头，其后只用小写英文字母、数字和下划线"
                "（最多 25 个），如 user_paid_after_death。",
                "id",
            )
        if rule_id in all_rules():
            self.fail(f"规则编号「{rule_id}」与内置规则重名，请换一个。", "id")
        self.rule_id = rule_id
        title = self.text_of(data, "title", limit=40)
        if "'" in title or "\\" in title or "\n" in title:
            self.fail("「title」中不能有单引号、反斜杠或换行。", "title")
        meaning = self.text_of(data, "meaning", limit=1000)
        basis = self.text_of(data, "basis", limit=1000)
        version = data.get("version", 1)
        if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= 9999:
            self.fail("「version」应是 1 到 9999 的整数。", "version")
        program_id = self.text_of(data, "program", limit=60)
        if program_id not in PROGRAMS:
            self.fail(f"没有比对模型「{program_id}」（可用：{'、'.join(PROGRAMS)}）。", "program")
        spec = program_of(program_id)
        inputs = self.inputs(data, spec)
        aliases = {inputs[0]: "p"} | ({inputs[1]: "r"} if len(inputs) > 1 else {})
        join = self.join(data, spec, inputs)
        conditions = [
            self.condition(c, i, "when", spec, aliases) for i, c in enumerate(self.tables(data, "when"))
        ]  # fmt: skip
        grouped = self.group(data)
        having = [
            self.having(c, i) for i, c in enumerate(self.tables(data, "having"))
        ]  # fmt: skip
        if having and not grouped:
            self.fail('有 [[having]] 条件但没有写 group = "person_year"。', table="having")
        if grouped and not having:
            self.fail("写了 group 但没有 [[having]] 条件（如合计金额大于多少）。", "group")
        evidence = self.evidence(data, spec, aliases, grouped)
        build = _builder(spec, inputs, join, conditions, having if grouped else None, evidence)
        return UserRule(
            id=rule_id,
            title=title,
            version=version,
            meaning=meaning,
            basis=basis,
            inputs=tuple(inputs),
            build=build,
            values=dict(self.values),
            program=spec.id,
            text=self.text,
        )

    def inputs(self, data: dict[str, Any], spec: Program) -> list[str]:
        value = data.get("inputs")
        if value is None:
            self.fail('缺少「inputs」（读取的名单，如 ["payments", "deaths"]）。')
        if (not isinstance(value, list) or not 1 <= len(value) <= 2
                or not all(isinstance(v, str) for v in value)):  # fmt: skip
            self.fail('「inputs」应是一到两个名单的列表，如 ["payments", "deaths"]。', "inputs")
        known = "、".join(f"{k}（{v}）" for k, v in spec.labels.items())
        for v in value:
            if v not in spec.labels:
                self.fail(f"比对模型「{spec.title}」没有名单「{v}」（它读取：{known}）。", "inputs")
        main = spec.inputs[0].id
        if value[0] != main:
            self.fail(f"「inputs」的第一个应是发放名单「{main}」。", "inputs")
        if len(value) == 2 and value[1] == main:
            self.fail("「inputs」的第二个应是一份登记名单，而不是发放名单本身。", "inputs")
        return list(value)

    def join(self, data: dict[str, Any], spec: Program, inputs: list[str]) -> str:
        join = data.get("join")
        if len(inputs) == 1:
            if join is not None:
                self.fail("只读取发放名单的规则不需要「join」。", "join")
            return ""
        if join is None:
            self.fail("读取两份名单的规则须写「join」（id_number 或 name）。")
        if join not in JOINS:
            choices = "、".join(f"{k}（{v}）" for k, v in JOINS.items())
            self.fail(f"「join」只能是 {choices}，而不是「{join}」。", "join")
        if not spec.input(inputs[1]).people or not spec.input(inputs[0]).people:
            self.fail(f"名单「{inputs[1]}」不是人员名单，不能按身份证号码或姓名关联。", "join")
        return str(join)

    def tables(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(f"「{key}」应写成 [[{key}]] 表（每个条件一个）。", key)
        if len(value) > MAX_CONDITIONS:
            self.fail(f"[[{key}]] 条件过多（最多 {MAX_CONDITIONS} 个）。", key)
        return value

    def column(self, ref: object, key: str, table: str, i: int, spec: Program,
               aliases: dict[str, str]) -> tuple[str, str, str]:  # fmt: skip
        """``input.column`` → (SQL, type, what it is in Chinese)."""
        if not isinstance(ref, str) or ref.count(".") != 1:
            self.fail(f"「{key}」应写成“名单.列”，如 \"payments.amount\"，而不是「{ref}」。",
                      key, table, i)  # fmt: skip
        input_id, column = ref.split(".")
        if input_id not in aliases:
            self.fail(f"「{ref}」中的名单「{input_id}」不在 inputs 中（{'、'.join(aliases)}）。",
                      key, table, i)  # fmt: skip
        columns = columns_of(spec, input_id)
        if column not in columns:
            self.fail(f"名单「{input_id}」没有列「{column}」（可用的列：{'、'.join(columns)}）。",
                      key, table, i)  # fmt: skip
        return f"{aliases[input_id]}.{column}", columns[column], ref

    def op(self, c: dict[str, Any], table: str, i: int) -> str:
        op = c.get("op")
        if op not in OPS:
            self.fail(f"「op」应是 {' '.join(OPS)} 之一，而不是「{op}」。", "op", table, i)
        return OPS[op]

    def keys(self, c: dict[str, Any], allowed: tuple[str, ...], table: str, i: int) -> None:
        extra = [k for k in c if k not in allowed]
        if extra:
            self.fail(f"[[{table}]] 中有未知的键「{extra[0]}」（可用的键：{'、'.join(allowed)}）。",
                      extra[0], table, i)  # fmt: skip

    def condition(self, c: dict[str, Any], i: int, table: str, spec: Program,
                  aliases: dict[str, str]) -> Cond:  # fmt: skip
        self.keys(c, CONDITION_KEYS, table, i)
        if "left" not in c:
            self.fail("条件缺少「left」。", table=table, index=i)
        left, kind, what = self.column(c["left"], "left", table, i, spec, aliases)
        if kind not in ("date", "number"):
            self.fail(f"「{what}」是{TYPE_NAMES[kind]}，条件只能比较日期或数值。", "left", table, i)
        op = self.op(c, table, i)
        if ("right" in c) == ("value" in c):
            self.fail("条件须有「right」（另一列）或「value」（一个值）之一。", "left", table, i)
        right: Any
        if "right" in c:
            right, rkind, rwhat = self.column(c["right"], "right", table, i, spec, aliases)
            if rkind != kind:
                self.fail(f"类型不符：「{what}」是{TYPE_NAMES[kind]}，「{rwhat}」是"
                          f"{TYPE_NAMES[rkind]}，不能比较。", "right", table, i)  # fmt: skip
        else:
            right = self.value(c["value"], kind, what, table, i)
        if "days" in c:
            days = c["days"]
            if kind != "date":
                self.fail(
                    f"「days」只能用于日期，「{what}」是{TYPE_NAMES[kind]}。", "days", table, i
                )
            if isinstance(days, bool) or not isinstance(days, int) or not -3650 <= days <= 3650:
                self.fail(
                    f"「days」应是 -3650 到 3650 的整数，而不是「{days}」。", "days", table, i
                )
            return (left, op, ("add_days", right, self.bind(days)))
        return (left, op, right)

    def value(self, v: object, kind: str, what: str, table: str, i: int) -> Any:
        if kind == "number":
            if isinstance(v, bool) or not isinstance(v, int | float | str):
                self.fail(
                    f"「{what}」是数值，「value」应是一个数，而不是「{v}」。", "value", table, i
                )
            try:
                number = Decimal(str(v).strip())
            except InvalidOperation:
                self.fail(
                    f"「{what}」是数值，「value」应是一个数，而不是「{v}」。", "value", table, i
                )
            if not number.is_finite() or abs(number) >= Decimal("1e12"):
                self.fail(f"「value」应是一个有限且小于一万亿的数：「{v}」。", "value", table, i)
            if number != number.quantize(Decimal("0.01")):
                self.fail(f"「value」最多两位小数：「{v}」。", "value", table, i)
            return ("number", self.bind(number.quantize(Decimal("0.01"))))
        if isinstance(v, dt.datetime) or not isinstance(v, dt.date | str):
            self.fail(f"「{what}」是日期，「value」应是一个日期（如 2024-01-01），而不是「{v}」。",
                      "value", table, i)  # fmt: skip
        if isinstance(v, str):
            try:
                v = dt.date.fromisoformat(v.strip())
            except ValueError:
                self.fail(f"「{what}」是日期，「value」应写成 2024-01-01 这样的日期，而不是「{v}」。",
                          "value", table, i)  # fmt: skip
        return ("date", self.bind(v.isoformat()))

    def group(self, data: dict[str, Any]) -> bool:
        group = data.get("group")
        if group is None:
            return False
        if group not in GROUPS:
            self.fail(
                f"「group」只能是 person_year（同一人同一年度），而不是「{group}」。", "group"
            )
        return True

    def having(self, c: dict[str, Any], i: int) -> Cond:
        self.keys(c, ("left", "op", "value"), "having", i)
        left = c.get("left")
        if left not in GROUP_COLUMNS:
            names = "、".join(f"{k}（{v[0]}）" for k, v in GROUP_COLUMNS.items())
            self.fail(
                f"[[having]] 的「left」只能是 {names}，而不是「{left}」。", "left", "having", i
            )
        op = self.op(c, "having", i)
        if "value" not in c:
            self.fail("[[having]] 条件缺少「value」。", "left", "having", i)
        right = self.value(c["value"], "number", GROUP_COLUMNS[str(left)][0], "having", i)
        column = {"total": "total", "count": "n"}[str(left)]
        return (column, op, right)

    def evidence(self, data: dict[str, Any], spec: Program, aliases: dict[str, str],
                 grouped: bool) -> list[tuple[str, str]]:  # fmt: skip
        """The evidence sentence as parts: ("text", marker) or ("sql", expression)."""
        template = self.text_of(data, "evidence", limit=500)
        parts: list[tuple[str, str]] = []
        try:
            parsed = list(string.Formatter().parse(template))
        except ValueError:
            self.fail("「evidence」中的花括号不成对（字面的花括号写成 {{ 或 }}）。", "evidence")
        for literal, field_name, spec_, conversion in parsed:
            if literal:
                parts.append(("text", self.bind(literal)))
            if field_name is None:
                continue
            if spec_ or conversion:
                self.fail(f"「evidence」的占位符「{field_name}」后不能有 : 或 !。", "evidence")
            if field_name.startswith("group."):
                name = field_name.removeprefix("group.")
                if not grouped or name not in EVIDENCE_GROUP:
                    self.fail(f"「evidence」的占位符「{{{field_name}}}」不可用"
                              "（group.total、group.count、group.year 只用于 group 规则）。",
                              "evidence")  # fmt: skip
                parts.append(("sql", EVIDENCE_GROUP[name]))
                continue
            if field_name.endswith(".where") and field_name.count(".") == 1:
                input_id = field_name.split(".")[0]
                if input_id not in aliases or aliases[input_id] == "p":
                    self.fail(f"「evidence」的占位符「{{{field_name}}}」只能用于登记名单"
                              "（发放行的位置已在核查表的文件、行号栏中）。",
                              "evidence")  # fmt: skip
                parts.append(("where", aliases[input_id]))
                continue
            if field_name.count(".") != 1:
                self.fail(
                    f"「evidence」的占位符「{{{field_name}}}」应写成 {{名单.列}}。", "evidence"
                )
            input_id, column = field_name.split(".")
            if input_id not in aliases:
                self.fail(f"「evidence」的占位符「{{{field_name}}}」中的名单「{input_id}」"
                          f"不在 inputs 中。", "evidence")  # fmt: skip
            columns = columns_of(spec, input_id)
            if column not in columns:
                self.fail(f"「evidence」的占位符「{{{field_name}}}」：名单「{input_id}」没有列"
                          f"「{column}」（可用的列：{'、'.join(columns)}）。", "evidence")  # fmt: skip
            parts.append(("sql", f"{aliases[input_id]}.{column}"))
        return parts


Cond = tuple[str, str, Any]  # left column, operator, right operand (see _operand)


def _operand(right: Any, d: DuckDBDialect) -> str:
    if isinstance(right, str):
        return right
    kind = right[0]
    if kind == "number":
        return f"CAST({d.param(right[1])} AS DECIMAL(18, 2))"
    if kind == "date":
        return f"CAST({d.param(right[1])} AS DATE)"
    return d.add_days(_operand(right[1], d), d.param(right[2]))


def _condition_sql(cond: Cond, d: DuckDBDialect) -> str:
    left, op, right = cond
    return f"({left} IS NOT NULL AND {left} {op} {_operand(right, d)})"


def _builder(spec: Program, inputs: list[str], join: str, conditions: list[Cond],
             having: list[Cond] | None,
             evidence: list[tuple[str, str]]) -> Callable[[Params, DuckDBDialect], str]:  # fmt: skip
    pay, reg = view_of(inputs[0]), (view_of(inputs[1]) if len(inputs) > 1 else "")

    def build(params: Params, d: DuckDBDialect) -> str:
        def shown(part: tuple[str, str]) -> str:
            kind, what = part
            if kind == "text":
                return d.param(what)
            if kind == "where":
                return f"coalesce({_where(what)}, '')"
            return f"coalesce(CAST({what} AS STRING), '（空）')"

        text = " || ".join(shown(p) for p in evidence) or "''"
        where = " AND ".join([_paid("p"), *(_condition_sql(c, d) for c in conditions)])
        if not reg:
            source, reg_rid, tier = f"{pay} p", "CAST(NULL AS BIGINT)", "p.tier_rank"
        elif join == "id_number":
            source = f"{pay} p JOIN {reg} r ON r.person_key = p.person_key"
            reg_rid, tier = "r.rid", "greatest(p.tier_rank, r.tier_rank)"
        else:  # the same normalised name: no identity link, so no tier
            source = (
                f"{pay} p JOIN norm pn ON pn.rid = p.rid "
                f"JOIN norm rn ON rn.name_norm = pn.name_norm AND rn.dataset = '{inputs[1]}' "
                f"JOIN {reg} r ON r.rid = rn.rid"
            )
            reg_rid, tier = "r.rid", "CAST(NULL AS INT)"
        matched = f"""
      SELECT p.rid, {reg_rid} AS reg_rid, {tier} AS tier_rank, p.person_key, p.pay_year, p.amount,
        row_number() OVER (PARTITION BY p.rid ORDER BY {reg_rid}) AS k
      FROM {source}
      WHERE {where}"""
        regjoin = f" LEFT JOIN {reg} r ON r.rid = m.reg_rid" if reg else ""
        if having is None:
            return f"""
    SELECT m.rid, m.reg_rid, CAST(NULL AS STRING) AS group_key, m.tier_rank, {text} AS evidence
    FROM ({matched}) m
    JOIN {pay} p ON p.rid = m.rid{regjoin}
    WHERE m.k = 1"""
        cond = " AND ".join(_condition_sql(c, d) for c in having)
        return f"""
    SELECT m.rid, m.reg_rid, 'U' || CAST(g.group_no AS STRING) AS group_key, g.tier_rank,
        {text} AS evidence
    FROM ({matched}) m
    JOIN (
        SELECT *, row_number() OVER (ORDER BY person_key, pay_year) AS group_no FROM (
            SELECT person_key, pay_year, count(*) AS n, sum(amount) AS total,
                max(tier_rank) AS tier_rank
            FROM ({matched}) b
            WHERE b.k = 1 AND b.person_key IS NOT NULL AND b.pay_year IS NOT NULL
            GROUP BY person_key, pay_year) t
        WHERE {cond}) g ON g.person_key = m.person_key AND g.pay_year = m.pay_year
    JOIN {pay} p ON p.rid = m.rid{regjoin}
    WHERE m.k = 1"""

    return build


@functools.lru_cache(maxsize=64)
def compile_rule(text: str, name: str = "自定义规则") -> UserRule:
    """The rule a TOML text declares, or an :class:`InputError` naming the line of the
    first mistake (``name``: the file's name in the message)."""
    if not isinstance(text, str):
        raise InputError("自定义规则应是文字（TOML）。", file=name)
    return _Compiler(text, name).compile()


def _rule_id(text: str, name: str) -> str:
    return compile_rule(text, name).id


def compile_isolated(text: str, name: str) -> UserRule:
    """:func:`compile_rule` for a file from outside: first parsed in the sandbox (a
    child process with limits), then here."""
    from xuncha import sandbox

    if not isinstance(text, str):
        raise InputError("自定义规则应是文字（TOML）。", file=name)
    try:
        sandbox.run(_rule_id, text, name, file=name, limits=sandbox.limits("parse"))
    except sandbox.FileCrashed as err:
        raise InputError(f"自定义规则无法读取：{sandbox.crash_reason(err)}", file=name) from err
    return compile_rule(text, name)


def compile_rules(texts: tuple[str, ...], program: str) -> tuple[UserRule, ...]:
    """The rules of a run's texts for ``program``: each compiled, ids unique, each one
    written for that program."""
    rules: list[UserRule] = []
    for n, text in enumerate(texts, start=1):
        rule = compile_rule(text, f"第 {n} 个自定义规则")
        if rule.program != program:
            raise InputError(
                f"自定义规则 {rule.id} 是为比对模型「{program_of(rule.program).title}」写的，"
                f"不能用于「{program_of(program).title}」。"
            )
        if any(r.id == rule.id for r in rules):
            raise InputError(f"有两个自定义规则的编号都是 {rule.id}。")
        rules.append(rule)
    return tuple(rules)
